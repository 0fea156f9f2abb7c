#!/usr/bin/env node
// journey — the one entry point: run a service, or an operations tool.
//   journey ingest            run the ingest stage (raw topics -> canonical events + DLQ)
//   journey topics            create the pipeline's topics (partitions, compaction, retention)
//   journey replay-dlq [--reason R ...]   re-feed dead-lettered records to their source topics
//   journey config            validate the configuration and print it (secrets masked)
// Every command validates the whole configuration first and exits 2 on any problem.
import { ConfigError, loadConfig } from '../shared/config/config.ts';
import type { PipelineConfig } from '../shared/config/config.ts';
import { createLogger } from '../shared/telemetry/logger.ts';
import type { Logger } from '../shared/telemetry/logger.ts';
import { COMMANDS } from './commands.ts';

export interface CommandContext {
  config: PipelineConfig;
  log: Logger;
  args: string[];
}

export type Command = (ctx: CommandContext) => Promise<number>;

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`usage: journey <command>\ncommands: ${Object.keys(COMMANDS).join(', ')}`);
    return name ? 2 : 0;
  }
  let config: PipelineConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL).child({ command: name });
  return command.run({ config, log, args });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
