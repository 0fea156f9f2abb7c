// A raw partition is announced idle only when the broker has nothing more for it. An ingest too
// busy to fetch a partition for the idle timeout (a long batch elsewhere, a starved event loop)
// must not call it quiet while its backlog waits: the journey's watermark would pass those events
// and declare accounts inactive whose activity is still on its way (seen in `make demo` runs on a
// loaded machine: 166 inactivity entries instead of 43 for the same seeded history).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IngestWatermarks } from '../../services/ingest/ingest-watermarks.ts';
import type { OutboundMessage } from '../../services/shared/kafka/producer.ts';
import { decodeWatermarkMarker } from '../../services/shared/kafka/watermark-marker.ts';
import { createLogger } from '../../services/shared/telemetry/logger.ts';
import { freshPipeline } from '../support/pipeline.ts';
import { testKafka } from '../support/stack.ts';

test('a partition quiet for the timeout but with messages waiting at the broker is not announced idle', async (t) => {
  const { config } = await freshPipeline({ INGEST_IDLE_SECONDS: '1' });
  const topic = config.TOPIC_BEHAVIOR;
  const kafka = testKafka();
  const producer = kafka.producer();
  await producer.connect();
  t.after(() => producer.disconnect());
  await producer.send({
    topic,
    messages: ['a', 'b', 'c'].map((value) => ({ partition: 0, value })),
  });

  const sent: OutboundMessage[] = [];
  const watermarks = new IngestWatermarks({
    kafka,
    config,
    sourceByTopic: new Map([[topic, 'behavior']]),
    log: createLogger('silent'),
    assigned: () => ({ [topic]: [0] }),
    memberFresh: () => true,
    claim: async () => ({
      floor: 0n,
      producer: {
        sendWithOffsets: async (messages) => {
          sent.push(...messages);
          return true;
        },
        disconnect: async () => {},
      },
    }),
    exclusive: (_topic, _partition, work) => work(),
  });
  const idleAnnounced = (): boolean =>
    sent.some((m) => {
      const marker = decodeWatermarkMarker(m.value === null ? null : Buffer.from(m.value));
      return marker?.source === `${topic}/0` && marker.idle;
    });

  // The last batch said "caught up" long ago, but three messages arrived since and nobody read them.
  watermarks.progress.afterBatch(topic, 0, 1_000, true, 0);
  await watermarks.checkIdle();
  assert.equal(idleAnnounced(), false, 'messages wait past the committed offset: not idle');
  assert.deepEqual(watermarks.progress.idleDue(Date.now()), [], 'and not offered again before a batch');

  // Read and committed to the end: now quiet means idle.
  const admin = kafka.admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  await admin.setOffsets({
    groupId: config.INGEST_GROUP_ID,
    topic,
    partitions: [{ partition: 0, offset: '3' }],
  });
  watermarks.progress.afterBatch(topic, 0, 2_000, true, 0);
  await watermarks.checkIdle();
  assert.equal(idleAnnounced(), true, 'read to the end and quiet: idle');
});
