// No silent skips. kafkajs answers OFFSET_OUT_OF_RANGE (the committed offset was deleted by
// retention, or lies past the log end after a truncation) by committing the default offset and
// carrying on from there: every message between the committed offset and the log start is skipped
// without a trace, and the evidence (the old committed offset) is overwritten. kafkajs has no
// `auto.offset.reset=none`, so this module replaces that recovery for the consumers that register
// here: the partition is paused (the rest of the assignment goes on), nothing is committed, and the
// owner is told which partition hit it, to report the lost range and block the stage until an
// operator decides. Consumers that did not register keep kafkajs's behaviour.
import { createRequire } from 'node:module';

export interface OutOfRangeEvent {
  groupId: string;
  memberId: string;
  topic: string;
  partition: number;
}

type Listener = { memberId: () => string | null; onOutOfRange: (event: OutOfRangeEvent) => void };

interface ConsumerGroupInternals {
  groupId: string;
  memberId: string;
  preferredReadReplicasPerTopicPartition: Record<string, Record<number, number> | undefined>;
  pause(topicPartitions: Array<{ topic: string; partitions: number[] }>): void;
  recoverFromOffsetOutOfRange(e: { topic: string; partition: number }): Promise<void>;
}

const listeners = new Map<string, Set<Listener>>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  // The same module instance kafkajs itself loaded (CommonJS cache), so its consumers see the patch.
  const require = createRequire(import.meta.url);
  const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js') as {
    prototype: ConsumerGroupInternals;
  };
  const original = ConsumerGroup.prototype.recoverFromOffsetOutOfRange;
  ConsumerGroup.prototype.recoverFromOffsetOutOfRange = async function (
    this: ConsumerGroupInternals,
    e: { topic: string; partition: number },
  ): Promise<void> {
    const group = listeners.get(this.groupId);
    const fromFollower =
      typeof this.preferredReadReplicasPerTopicPartition[e.topic]?.[e.partition] === 'number';
    // Out of range on a follower: kafkajs retries against the leader first, which loses nothing.
    if (!group || group.size === 0 || fromFollower) return original.call(this, e);
    this.pause([{ topic: e.topic, partitions: [e.partition] }]);
    const event = { groupId: this.groupId, memberId: this.memberId, topic: e.topic, partition: e.partition };
    const owners = [...group].filter((l) => l.memberId() === this.memberId);
    for (const listener of owners.length > 0 ? owners : group) listener.onOutOfRange(event);
  };
}

/** Registers a consumer of `groupId`: an out-of-range offset on one of its partitions pauses that
 *  partition and calls `onOutOfRange` instead of resetting. Returns the unregister function. */
export function guardOffsetResets(
  groupId: string,
  memberId: () => string | null,
  onOutOfRange: (event: OutOfRangeEvent) => void,
): () => void {
  install();
  const listener: Listener = { memberId, onOutOfRange };
  const group = listeners.get(groupId) ?? new Set<Listener>();
  group.add(listener);
  listeners.set(groupId, group);
  return () => void group.delete(listener);
}
