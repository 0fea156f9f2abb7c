// The oracle's view of event time: whether the markers on the canonical topic
// (shared/kafka/watermark-marker.ts) say every raw partition is idle — the point from which the
// journey's time has moved as far as the data takes it, so two runs of the same stream can be
// compared. Reads the canonical topic incrementally (read committed) from where it left off.
import type { Kafka } from 'kafkajs';
import { readPartitionRanges } from '../shared/kafka/read-partition-ranges.ts';
import { decodeWatermarkMarker, isWatermarkMarker } from '../shared/kafka/watermark-marker.ts';
import { allInputsIdle, applyMarker, markersSeen } from '../journey/input-watermarks.ts';
import type { InputMarks } from '../journey/input-watermarks.ts';

export class InputsIdleProbe {
  readonly #kafka: Kafka;
  readonly #topic: string;
  readonly #next = new Map<number, bigint>();
  readonly marks: InputMarks = new Map();

  constructor(kafka: Kafka, canonicalTopic: string) {
    this.#kafka = kafka;
    this.#topic = canonicalTopic;
  }

  async allIdle(): Promise<boolean> {
    const admin = this.#kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(this.#topic).finally(() => admin.disconnect());
    const ranges = offsets.map((o) => ({
      topic: this.#topic,
      partition: o.partition,
      from: this.#next.get(o.partition) ?? BigInt(o.low),
      to: BigInt(o.high),
    }));
    await readPartitionRanges(this.#kafka, ranges, (record) => {
      if (!isWatermarkMarker(record.headers)) return;
      const marker = decodeWatermarkMarker(record.value);
      if (marker) applyMarker(this.marks, record.partition, marker);
    });
    for (const r of ranges) this.#next.set(r.partition, r.to);
    return markersSeen(this.marks) && allInputsIdle(this.marks);
  }
}
