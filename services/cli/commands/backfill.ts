// `journey backfill <source> <file.ndjson>`: import history into a raw topic, checked by the ingest.
import { BACKFILL_SOURCES, runBackfill } from '../../tools/backfill.ts';
import type { InputSource } from '../../ingest/ingest-config.ts';
import { UsageError } from '../command-spec.ts';
import type { CommandSpec } from '../command-spec.ts';

export const BACKFILL: CommandSpec = {
  summary:
    'import history into a raw topic, checked by the ingest, in event-time order (--dry-run checks only; --allow-dead-letters sends even if some lines would be dead-lettered)',
  usage: '<behavior|tickets|surveys|billing> <file.ndjson> [--dry-run] [--allow-dead-letters]',
  options: { 'dry-run': { type: 'boolean' }, 'allow-dead-letters': { type: 'boolean' } },
  positionals: [2, 2],
  needsPiiKey: true,
  run: async (ctx) => {
    const [source, file] = ctx.args as [string, string];
    if (!BACKFILL_SOURCES.includes(source as InputSource))
      throw new UsageError(`unknown source '${source}' (${BACKFILL_SOURCES.join(', ')})`);
    return runBackfill(
      ctx.config,
      source as InputSource,
      file,
      { dryRun: ctx.values['dry-run'] === true, allowDeadLetters: ctx.values['allow-dead-letters'] === true },
      (line) => console.log(line),
    );
  },
};
