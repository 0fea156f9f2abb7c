// Issue #14 for the identity-commands topic: every command poison message through the parser the
// journey stage runs first (parseIdentityCommand). It never throws; a message with a reason is
// dead-lettered with that reason, one marked accepted parses as a command.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIdentityCommand } from '../../services/journey/apply-identity-command-step.ts';
import { poisonCorpus } from './poison-corpus.ts';

test('no command poison message escapes parseIdentityCommand (#14)', () => {
  const commands = poisonCorpus().filter((m) => m.source === 'commands');
  assert.ok(commands.length > 0);
  const problems: string[] = [];
  for (const entry of commands) {
    const label = `${entry.class}: ${entry.note}`;
    let result;
    try {
      result = parseIdentityCommand(entry.value);
    } catch (err) {
      problems.push(`${label}: threw ${(err as Error).name}: ${(err as Error).message.slice(0, 200)}`);
      continue;
    }
    const got = result.kind === 'dlq' ? `dlq:${result.reason}` : result.kind;
    // Accepted: parses as a command. A known reason: exactly that one. Otherwise: some dlq reason.
    const want = entry.accepted ? 'ok' : `dlq:${entry.expectedReason ?? '*'}`;
    const matches = want === 'dlq:*' ? result.kind === 'dlq' : got === want;
    if (!matches) problems.push(`${label}: expected ${want}, got ${got}`);
  }
  assert.deepEqual(problems, []);
});
