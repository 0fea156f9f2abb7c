// What a CLI command declares: its summary and usage, its flags (node:util parseArgs options), how
// many positional arguments it takes, and whether it needs the PII key (commands that never see an
// email run without one: `journey migrate` on a box that holds no secret). main.ts parses the
// arguments against this before any configuration is read; unknown flags and missing arguments
// are usage errors (exit 2), `--help` prints the usage (exit 0).
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import type { PipelineConfig } from '../shared/config/config.ts';
import type { Logger } from '../shared/telemetry/logger.ts';

export type CommandOptions = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  config: PipelineConfig;
  log: Logger;
  /** Positional arguments after the command name. */
  args: string[];
  /** Flags, as parseArgs read them (`--dry-run` -> values['dry-run'] === true). */
  values: OptionValues;
}

export interface CommandSpec {
  summary: string;
  /** The argument synopsis after `journey <name>`, e.g. `<source> <file.ndjson> [--dry-run]`. */
  usage?: string;
  options?: CommandOptions;
  /** Positional arguments: [least, most] (default none). */
  positionals?: [number, number];
  /** Reads emails, so PII_HMAC_KEY must be set (default false: the key is not asked for). */
  needsPiiKey?: boolean;
  run(ctx: CommandContext): Promise<number>;
}

/** A bad argument found by a command itself (a value out of range): exit 2 with the usage. */
export class UsageError extends Error {}

export type ParsedCommand =
  | { kind: 'run'; args: string[]; values: OptionValues }
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string };

export function parseCommand(spec: CommandSpec, argv: string[]): ParsedCommand {
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }) as { values: OptionValues; positionals: string[] };
  } catch (err) {
    return { kind: 'usage-error', message: (err as Error).message };
  }
  if (parsed.values['help']) return { kind: 'help' };
  const [least, most] = spec.positionals ?? [0, 0];
  const count = parsed.positionals.length;
  if (count < least || count > most)
    return {
      kind: 'usage-error',
      message:
        count < least
          ? `missing argument (${least === most ? least : `at least ${least}`} expected)`
          : `unexpected argument '${parsed.positionals[most]}'`,
    };
  const { help: _help, ...values } = parsed.values;
  return { kind: 'run', args: parsed.positionals, values };
}

/** `journey <name> <usage>` with the summary and each flag. */
export function usageText(name: string, spec: CommandSpec): string {
  const lines = [`usage: journey ${name}${spec.usage ? ` ${spec.usage}` : ''}`, '', spec.summary];
  const flags = Object.entries(spec.options ?? {});
  if (flags.length > 0) {
    lines.push('', 'options:');
    for (const [flag, option] of flags)
      lines.push(
        `  --${flag}${option.type === 'string' ? ' <value>' : ''}${option.multiple ? ' (repeatable)' : ''}`,
      );
  }
  return lines.join('\n');
}

/** An integer flag: its default when absent, a UsageError when not a whole number in range. */
export function intOption(values: OptionValues, name: string, fallback: number, min: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min)
    throw new UsageError(`--${name}: a whole number ≥ ${min} (got ${JSON.stringify(raw)})`);
  return n;
}

/** A string flag's value (parseArgs gives strings for `type: 'string'`). */
export const stringOption = (values: OptionValues, name: string): string | undefined =>
  typeof values[name] === 'string' ? (values[name] as string) : undefined;
