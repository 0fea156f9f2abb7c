// The CLI's argument rules (command-spec.ts): every command's flags parsed by node:util parseArgs,
// unknown flags and wrong argument counts refused before any configuration is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, intOption, parseCommand, usageText } from './command-spec.ts';
import type { CommandSpec } from './command-spec.ts';
import { COMMANDS } from './commands/index.ts';

const spec: CommandSpec = {
  summary: 'a test command',
  usage: '<file> [--dry-run] [--reason R ...]',
  options: { 'dry-run': { type: 'boolean' }, reason: { type: 'string', multiple: true } },
  positionals: [1, 1],
  run: async () => 0,
};

test('flags and positionals parsed; --help and -h anywhere ask for the usage', () => {
  assert.deepEqual(parseCommand(spec, ['f.ndjson', '--dry-run', '--reason', 'a', '--reason=b']), {
    kind: 'run',
    args: ['f.ndjson'],
    values: { 'dry-run': true, reason: ['a', 'b'] },
  });
  assert.deepEqual(parseCommand(spec, ['--help']), { kind: 'help' });
  assert.deepEqual(parseCommand(spec, ['f', '-h']), { kind: 'help' });
});

test('unknown flags, a flag without its value and wrong argument counts are usage errors', () => {
  for (const argv of [['f', '--dryrun'], ['f', '--reason'], [], ['f', 'g'], ['f', '--dry-run=yes']]) {
    const parsed = parseCommand(spec, argv);
    assert.equal(parsed.kind, 'usage-error', argv.join(' '));
  }
  assert.match(
    (parseCommand(spec, ['f', '--dryrun']) as { message: string }).message,
    /Unknown option '--dryrun'/,
  );
});

test('integer flags: default when absent, refused when not a whole number in range', () => {
  assert.equal(intOption({}, 'seed', 42, 0), 42);
  assert.equal(intOption({ seed: '7' }, 'seed', 42, 0), 7);
  for (const bad of ['x', '1.5', '-1', ''])
    assert.throws(() => intOption({ seed: bad }, 'seed', 42, 0), UsageError, bad);
});

test('every command has a usage; only the commands that read emails need the PII key', () => {
  for (const [name, command] of Object.entries(COMMANDS))
    assert.match(usageText(name, command), /^usage: journey /);
  const needing = Object.entries(COMMANDS)
    .filter(([, command]) => command.needsPiiKey)
    .map(([name]) => name)
    .sort();
  assert.deepEqual(needing, ['all', 'backfill', 'config', 'demo', 'identity', 'ingest']);
});
