// Faults on the local stack's services (deploy/local/stack.sh): stop one by its recorded pid and
// start it again with `stack.sh up` (which starts only what is down and returns once every service
// is healthy), or freeze one (SIGSTOP: it accepts connections and answers nothing) and thaw it.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

export type StackService = 'kafka' | 'registry' | 'clickhouse';

export function stackPid(service: StackService): number {
  return Number(readFileSync(`${ROOT}.local/pids/${service}.pid`, 'utf8').trim());
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export async function waitForExit(pid: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Stops the service: SIGTERM (its own shutdown), SIGKILL if it is still there after `graceMs`
 *  (the local ClickHouse front closes its port at once but can take a minute to exit). */
export async function stopService(service: StackService, graceMs = 20_000): Promise<void> {
  const pid = stackPid(service);
  process.kill(pid, 'SIGTERM');
  await waitForExit(pid, graceMs);
}

/** Starts whatever is down and waits until the whole stack is healthy. */
export async function startStack(): Promise<void> {
  await run('bash', [`${ROOT}deploy/local/stack.sh`, 'up'], { cwd: ROOT });
}

export function freezeService(service: StackService): void {
  process.kill(stackPid(service), 'SIGSTOP');
}

export function thawService(service: StackService): void {
  process.kill(stackPid(service), 'SIGCONT');
}
