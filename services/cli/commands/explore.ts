// `journey explore`: the journey explorer, a read-only web app over ClickHouse (services/explore).
import { createClickHouse } from '../../shared/clickhouse/clickhouse-client.ts';
import { loadJourneyMap } from '../../journey/journey-map.ts';
import { startExplorer } from '../../explore/explore-server.ts';
import type { CommandSpec } from '../command-spec.ts';

export const EXPLORE: CommandSpec = {
  summary:
    'serve the journey explorer (flow, drop-offs, accounts at risk, each account) on EXPLORE_HOST:EXPLORE_PORT until stopped',
  run: async (ctx) => {
    const client = createClickHouse(ctx.config, { log: ctx.log });
    const explorer = await startExplorer({
      client,
      database: ctx.config.CLICKHOUSE_DATABASE,
      map: loadJourneyMap(ctx.config.JOURNEY_MAP_FILE),
      host: ctx.config.EXPLORE_HOST,
      port: ctx.config.EXPLORE_PORT,
      token: ctx.config.EXPLORE_TOKEN,
    });
    console.log(`journey explorer: ${explorer.url}/flow`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await explorer.close();
    await client.close();
    return 0;
  },
};
