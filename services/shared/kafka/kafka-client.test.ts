import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import {
  benignKafkaLog,
  closeKafkaSockets,
  createKafka,
  destroySockets,
  trackedSocketFactory,
} from './kafka-client.ts';

test('kafkajs lines that read as errors but are retried by kafkajs or logged by the stage itself are debug', () => {
  const rebalancing = 'The group is rebalancing, so a rejoin is needed';
  assert.equal(benignKafkaLog('Response JoinGroup(key: 11, version: 5)', { error: rebalancing }), true);
  assert.equal(
    benignKafkaLog('Response AddOffsetsToTxn(key: 25, version: 1)', {
      error:
        'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
    }),
    true,
  );
  assert.equal(
    benignKafkaLog('Error when calling eachBatch', { error: 'batch of t[0] not committed' }),
    true,
  );
  // Not retriable: an operator must see them.
  assert.equal(
    benignKafkaLog('Response Produce(key: 0, version: 7)', {
      error: 'The request included a message larger than the max message size the server will accept',
    }),
    false,
  );
  assert.equal(
    benignKafkaLog('Response SaslAuthenticate(key: 36, version: 1)', { error: 'Authentication failed' }),
    false,
  );
  assert.equal(benignKafkaLog('Connection error: connect ECONNREFUSED', {}), false);
});

test('the client notes every socket it opens until it closes; destroySockets closes those left (closeKafkaSockets at stop)', async () => {
  // A listener that accepts and never answers: the connection stays open, as an orphan left by
  // a reconnect under a disconnect would (nothing but the socket's own listeners holds it).
  const accepted: Socket[] = [];
  const server = createServer((socket) => void accepted.push(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  try {
    const sockets = new Set<Socket>();
    const factory = trackedSocketFactory(sockets);
    const connect = () =>
      factory({ host: '127.0.0.1', port, ssl: undefined as never, onConnect: () => undefined });
    const [first, second] = [connect(), connect()];
    while (accepted.length < 2) await once(server, 'connection');
    assert.equal(sockets.size, 2);
    second.destroy(); // closed by its owner: forgotten
    await once(second, 'close');
    assert.deepEqual([...sockets], [first]);
    const closedAtServer = Promise.all(accepted.map((s) => once(s, 'close')));
    assert.equal(destroySockets(sockets), 1);
    await closedAtServer;
    assert.equal(destroySockets(sockets), 0, 'nothing left');
  } finally {
    server.close();
  }
});

test('createKafka wires the tracking: a client that opened nothing has nothing to close', () => {
  const kafka = createKafka(
    {
      KAFKA_BROKERS: '127.0.0.1:1',
      KAFKA_SSL: false,
      KAFKA_SSL_CA_FILE: undefined,
      KAFKA_SSL_CERT_FILE: undefined,
      KAFKA_SSL_KEY_FILE: undefined,
      KAFKA_SASL_MECHANISM: 'none',
      KAFKA_SASL_USERNAME: undefined,
      KAFKA_SASL_PASSWORD: undefined,
    },
    'sockets-test',
  );
  assert.equal(closeKafkaSockets(kafka), 0);
});
