import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssignerProtocol } from 'kafkajs';
import type { Cluster, GroupMember } from 'kafkajs';
import { singleOwnerAssigner } from './single-owner-assigner.ts';

const cluster = {
  findTopicPartitionMetadata: (topic: string) =>
    (topic === 'canonical' ? [0, 1] : [0]).map((partitionId) => ({ partitionId })),
} as unknown as Cluster;

function member(memberId: string, owner: boolean): GroupMember {
  const protocol = singleOwnerAssigner(() => owner)({ cluster, groupId: 'g', logger: null as never });
  return { memberId, memberMetadata: protocol.protocol({ topics: ['canonical', 'commands'] }).metadata };
}

async function assign(members: GroupMember[]) {
  const assigner = singleOwnerAssigner(() => false)({ cluster, groupId: 'g', logger: null as never });
  const out = await assigner.assign({ members, topics: ['canonical', 'commands'] });
  return Object.fromEntries(
    out.map((a) => [a.memberId, AssignerProtocol.MemberAssignment.decode(a.memberAssignment)!.assignment]),
  );
}

test('every partition of every topic goes to one member; the others get none', async () => {
  const result = await assign([member('b', false), member('a', false), member('c', false)]);
  assert.deepEqual(result.a, { canonical: [0, 1], commands: [0] });
  assert.deepEqual(result.b, {});
  assert.deepEqual(result.c, {});
});

test('the current owner keeps its partitions when a member that sorts first joins', async () => {
  const result = await assign([member('z-owner', true), member('a-new', false)]);
  assert.deepEqual(result['z-owner'], { canonical: [0, 1], commands: [0] });
  assert.deepEqual(result['a-new'], {});
});
