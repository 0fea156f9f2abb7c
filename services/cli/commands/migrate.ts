// `journey migrate [status]`: apply the ClickHouse migrations, or list their state.
import { createClickHouse } from '../../shared/clickhouse/clickhouse-client.ts';
import { migrate, migrationStatus } from '../../sink/migrate.ts';
import { formatTable } from '../terminal-table.ts';
import { UsageError } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';

export const MIGRATE: CommandSpec = {
  summary:
    'apply ClickHouse migrations (idempotent; ON CLUSTER with CLICKHOUSE_CLUSTER); `migrate status` lists them (exit 1 if any is pending or changed)',
  usage: '[status]',
  positionals: [0, 1],
  run: async (ctx) => {
    if (ctx.args[0] !== undefined && ctx.args[0] !== 'status')
      throw new UsageError(`unknown subcommand '${ctx.args[0]}'`);
    const client = createClickHouse(ctx.config, { database: null });
    const options = {
      database: ctx.config.CLICKHOUSE_DATABASE,
      cluster: ctx.config.CLICKHOUSE_CLUSTER ?? null,
      retentionDays: ctx.config.CLICKHOUSE_RETENTION_DAYS,
    };
    try {
      if (ctx.args[0] === 'status') {
        const states = await migrationStatus(client, options);
        console.log(
          formatTable(
            `ClickHouse migrations in ${options.database}`,
            states.map((m) => ({
              version: m.version,
              name: m.name,
              state: m.state,
              applied_at: m.appliedAt ?? '',
            })),
          ),
        );
        return states.every((m) => m.state === 'applied') ? 0 : 1;
      }
      const applied = await migrate(client, options);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'up to date');
      return 0;
    } finally {
      await client.close();
    }
  },
};
