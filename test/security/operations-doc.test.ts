// docs/operations.md stays true: every `journey <command>` it shows is a real CLI command, every
// configuration variable it names exists, and the commands that need no running stack run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { COMMANDS } from '../../services/cli/commands/index.ts';
import { CONFIG_VARIABLES, SECRET_VARIABLES } from '../../services/shared/config/config.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const DOC = readFileSync(new URL('docs/operations.md', new URL('../../', import.meta.url)), 'utf8');
const NOT_OURS = new Set(['NODE_EXTRA_CA_CERTS']);

test('every `journey <command>` in docs/operations.md exists', () => {
  // In code: at the start of a line of a shell block, or right after a backtick.
  const used = new Set([...DOC.matchAll(/(?:^|`)journey ([a-z][a-z-]+)/gm)].map((m) => m[1]!));
  assert.ok(used.size >= 8, [...used].join(', '));
  // `journey help` is main.ts's own list of the commands.
  for (const command of used) assert.ok(command in COMMANDS || command === 'help', `journey ${command}`);
});

test('every configuration variable named in docs/operations.md exists', () => {
  const names = new Set([...DOC.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map((m) => m[1]!));
  assert.ok(names.size >= 20);
  for (const name of names) {
    if (NOT_OURS.has(name)) continue;
    const secretFile = name.endsWith('_FILE') && SECRET_VARIABLES.has(name.slice(0, -'_FILE'.length));
    assert.ok(name in CONFIG_VARIABLES || secretFile, name);
  }
});

test('the offline commands of the deploy sequence run: config, validate-journey', () => {
  for (const command of ['config', 'validate-journey']) {
    const run = spawnSync(process.execPath, ['services/cli/main.ts', command], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PII_HMAC_KEY: 'operations-doc-test-key-0123456789' },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, `${command}: ${run.stderr}`);
  }
});
