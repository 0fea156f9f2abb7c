// The CLI's commands, by name: one file each in this folder.
import type { CommandSpec } from '../command-spec.ts';
import { ALL, COLLECT, INGEST, JOURNEY, RESOLVER, ROUTE } from './services.ts';
import { TOPICS } from './topics.ts';
import { MIGRATE } from './migrate.ts';
import { VALIDATE_JOURNEY } from './validate-journey.ts';
import { BACKFILL } from './backfill.ts';
import { REPLAY_DLQ } from './replay-dlq.ts';
import { REBUILD_STATE } from './rebuild-state.ts';
import { IDENTITY } from './identity.ts';
import { CHURN } from './churn.ts';
import { DEMO } from './demo.ts';
import { CONFIG } from './config.ts';
import { EXPLORE } from './explore.ts';

export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  all: ALL,
  ingest: INGEST,
  journey: JOURNEY,
  route: ROUTE,
  resolver: RESOLVER,
  collect: COLLECT,
  topics: TOPICS,
  migrate: MIGRATE,
  'validate-journey': VALIDATE_JOURNEY,
  backfill: BACKFILL,
  'replay-dlq': REPLAY_DLQ,
  'rebuild-state': REBUILD_STATE,
  identity: IDENTITY,
  churn: CHURN,
  demo: DEMO,
  config: CONFIG,
  explore: EXPLORE,
};
