// The CLI as an operator meets it (`node services/cli/main.ts`, the image's entry point): --help
// per command, unknown flags refused with the usage before anything is read or connected, and the
// PII key asked for only by commands that read emails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const ROOT = new URL('../../', import.meta.url).pathname;
const journey = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['services/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });

test('journey help lists the commands; journey <command> --help prints its usage and flags', () => {
  const list = journey(['help']);
  assert.equal(list.status, 0);
  assert.match(list.stdout, /^ {2}backfill +import history/m);
  const help = journey(['replay-dlq', '--help']);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^usage: journey replay-dlq \[--reason R \.\.\.\] \[--dry-run\] \[--group G\]/);
  assert.match(help.stdout, /--reason <value> \(repeatable\)/);
});

test('an unknown command, an unknown flag or a missing argument: the usage on stderr, exit 2, no configuration needed', () => {
  for (const args of [
    ['replay'],
    ['replay-dlq', '--dryrun'],
    ['backfill', 'billing'],
    ['churn', 'fit', '--step-days', 'x'],
  ]) {
    const run = journey(args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
    assert.match(run.stderr, /usage: journey/, args.join(' '));
  }
  assert.match(journey(['replay-dlq', '--dryrun']).stderr, /Unknown option '--dryrun'/);
});

test('only commands that read emails ask for PII_HMAC_KEY: validate-journey runs without it, ingest refuses', () => {
  const offline = journey(['validate-journey']);
  assert.equal(offline.status, 0, offline.stderr);
  const ingest = journey(['ingest']);
  assert.equal(ingest.status, 2);
  assert.match(ingest.stderr, /PII_HMAC_KEY: required/);
  const short = journey(['validate-journey'], { PII_HMAC_KEY: 'short' });
  assert.equal(short.status, 2, 'a key that is given is still validated');
});

test('journey route refuses the single-writer topology before connecting: exit 2, with the reason', () => {
  const run = journey(['route'], { KAFKA_BROKERS: '127.0.0.1:1', JOURNEY_TOPOLOGY: 'single' });
  assert.equal(run.status, 2, `${run.stdout}${run.stderr}`);
  assert.match(run.stderr, /JOURNEY_TOPOLOGY=partitioned/);
});
