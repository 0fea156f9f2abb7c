#!/usr/bin/env node
// journey — the one entry point: run a service, or an operations tool (services/cli/commands/).
//   journey <command> [arguments] [--flags]     journey <command> --help     journey help
// Arguments are parsed first (unknown flags and missing arguments: usage, exit 2), then the whole
// configuration is validated (exit 2 on any problem, before anything connects). Only the commands
// that read emails ask for PII_HMAC_KEY.
import { ConfigError, loadConfig } from '../shared/config/config.ts';
import type { PipelineConfig } from '../shared/config/config.ts';
import { createLogger } from '../shared/telemetry/logger.ts';
import { UsageError, parseCommand, usageText } from './command-spec.ts';
import { COMMANDS } from './commands/index.ts';

function commandList(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    'usage: journey <command> [arguments]   (journey <command> --help for its usage)',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(commandList());
    return 0;
  }
  const spec = COMMANDS[name];
  if (!spec) {
    console.error(`journey: unknown command '${name}'\n\n${commandList()}`);
    return 2;
  }
  const parsed = parseCommand(spec, rest);
  if (parsed.kind === 'help') {
    console.log(usageText(name, spec));
    return 0;
  }
  if (parsed.kind === 'usage-error') {
    console.error(`journey ${name}: ${parsed.message}\n\n${usageText(name, spec)}`);
    return 2;
  }
  let config: PipelineConfig;
  try {
    config = loadConfig(process.env, undefined, { piiKey: spec.needsPiiKey === true });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL).child({ command: name });
  try {
    return await spec.run({ config, log, args: parsed.args, values: parsed.values });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`journey ${name}: ${err.message}\n\n${usageText(name, spec)}`);
    return 2;
  }
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
