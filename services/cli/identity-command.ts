// `journey identity`: operator commands on the identity graph. `lookup` reads ClickHouse (who is
// this email / user id, and which person id to name in a GDPR deletion); force-merge, split and
// delete are queued on TOPIC_IDENTITY_COMMANDS for the journey stage, the graph's single writer.
import { randomUUID } from 'node:crypto';
import type { CommandContext } from './main.ts';
import type { CommandSpec } from './commands.ts';
import { createClickHouse } from '../shared/clickhouse/clickhouse-client.ts';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import { formatLookup, lookupIdentity } from '../tools/identity-lookup.ts';
import type { LookupQuery } from '../tools/identity-lookup.ts';

const LOOKUP_FLAGS: Record<string, LookupQuery['type']> = {
  '--email': 'email',
  '--user-id': 'user_id',
  '--anonymous-id': 'anonymous_id',
};

async function lookup(ctx: CommandContext): Promise<number> {
  const [, flag, value] = ctx.args;
  const type = flag ? LOOKUP_FLAGS[flag] : undefined;
  if (!type || !value) {
    console.error('usage: journey identity lookup --email <address> | --user-id <id> | --anonymous-id <id>');
    return 2;
  }
  const client = createClickHouse(ctx.config);
  try {
    const query = { type, value };
    const found = await lookupIdentity(
      client,
      ctx.config.CLICKHOUSE_DATABASE,
      ctx.config.PII_HMAC_KEY,
      query,
    );
    console.log(formatLookup(found, query));
    return found ? 0 : 1;
  } finally {
    await client.close();
  }
}

export const IDENTITY_COMMAND: CommandSpec = {
  summary:
    'identity lookup --email E | --user-id U | --anonymous-id A; force-merge <person> <other> | split <identifier_type> <value> | delete <person>',
  run: async (ctx) => {
    const [verb, a, b] = ctx.args;
    if (verb === 'lookup') return lookup(ctx);
    const command =
      verb === 'force-merge' && a && b
        ? { command: verb, person_id: a, other_person_id: b }
        : verb === 'split' && a && b
          ? { command: verb, identifier_type: a, value: b }
          : verb === 'delete' && a
            ? { command: verb, person_id: a }
            : null;
    if (!command) {
      console.error(
        'usage: journey identity force-merge <person_id> <other_person_id> | split <identifier_type> <value> | delete <person_id>',
      );
      return 2;
    }
    const producer = createKafka(ctx.config, `${ctx.config.KAFKA_CLIENT_ID}-operator`, ctx.log).producer({
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    try {
      const body = { ...command, command_id: randomUUID() };
      await producer.send({
        topic: ctx.config.TOPIC_IDENTITY_COMMANDS,
        acks: -1,
        messages: [{ key: body.command_id, value: JSON.stringify(body) }],
      });
      console.log(
        `queued ${JSON.stringify(body)}; the journey stage applies it and logs the outcome (identity_changes in ClickHouse)`,
      );
    } finally {
      await producer.disconnect();
    }
    return 0;
  },
};
