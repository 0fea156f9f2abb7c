import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benignKafkaLog } from './kafka-client.ts';

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
