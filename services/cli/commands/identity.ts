// `journey identity`: operator commands on the identity graph. `lookup` reads ClickHouse (who is
// this email / user id, and which person id to name in a GDPR deletion); force-merge, split and
// delete are queued on TOPIC_IDENTITY_COMMANDS for the journey stage, the graph's single writer.
import { randomUUID } from 'node:crypto';
import { UsageError, stringOption } from '../command-spec.ts';
import type { CommandContext, CommandSpec } from '../command-spec.ts';
import { createClickHouse } from '../../shared/clickhouse/clickhouse-client.ts';
import { createKafka } from '../../shared/kafka/kafka-client.ts';
import { formatLookup, lookupIdentity } from '../../tools/identity-lookup.ts';
import type { LookupQuery } from '../../tools/identity-lookup.ts';

const LOOKUP_FLAGS: Record<string, LookupQuery['type']> = {
  email: 'email',
  'user-id': 'user_id',
  'anonymous-id': 'anonymous_id',
};

async function lookup(ctx: CommandContext): Promise<number> {
  const given = Object.keys(LOOKUP_FLAGS).filter((flag) => stringOption(ctx.values, flag) !== undefined);
  if (given.length !== 1 || ctx.args.length !== 1)
    throw new UsageError('lookup takes exactly one of --email, --user-id, --anonymous-id');
  const type = LOOKUP_FLAGS[given[0]!]!;
  const value = stringOption(ctx.values, given[0]!)!;
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

export const IDENTITY: CommandSpec = {
  summary:
    'look a person up, or queue an operator command on the identity graph (applied by the journey stage)',
  usage:
    'lookup --email E | --user-id U | --anonymous-id A\n       journey identity force-merge <person_id> <other_person_id> | split <identifier_type> <value> | delete <person_id>',
  options: {
    email: { type: 'string' },
    'user-id': { type: 'string' },
    'anonymous-id': { type: 'string' },
  },
  positionals: [1, 3],
  // lookup pseudonymises the email it is given exactly as the ingest does.
  needsPiiKey: true,
  run: async (ctx) => {
    const [verb, a, b] = ctx.args;
    if (verb === 'lookup') return lookup(ctx);
    if (Object.keys(LOOKUP_FLAGS).some((flag) => ctx.values[flag] !== undefined))
      throw new UsageError(`--email, --user-id and --anonymous-id go with lookup only`);
    const command =
      verb === 'force-merge' && a && b
        ? { command: verb, person_id: a, other_person_id: b }
        : verb === 'split' && a && b
          ? { command: verb, identifier_type: a, value: b }
          : verb === 'delete' && a && !b
            ? { command: verb, person_id: a }
            : null;
    if (!command) throw new UsageError(`'${ctx.args.join(' ')}' is not an identity command`);
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
