// The pipeline under test as separate processes, one per stage instance (`journey ingest`,
// `journey journey`, partitioned also `journey route`), each with a stable INSTANCE_ID (its Kafka transactional id survives a
// restart and fences what the killed process left open). A killed instance is started again at
// once, as an orchestrator would; its output goes to .local/chaos/<run>.log.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync } from 'node:fs';

const MAIN = new URL('../cli/main.ts', import.meta.url).pathname;

export type Role = 'ingest' | 'journey' | 'route';

export class PipelineProcesses {
  readonly #env: Record<string, string | undefined>;
  readonly #log: number;
  readonly #running = new Map<string, ChildProcess>();
  readonly #stopping = new WeakSet<ChildProcess>();
  kills = 0;
  starts = 0;
  exits = 0;

  constructor(env: Record<string, string | undefined>, logFile: string) {
    this.#env = env;
    this.#log = openSync(logFile, 'a');
  }

  start(role: Role, instance = 0): void {
    const name = `${role}-${instance}`;
    const child = spawn(process.execPath, [MAIN, role], {
      env: { ...this.#env, INSTANCE_ID: `chaos-${name}`, HTTP_PORT: '0' },
      stdio: ['ignore', this.#log, this.#log],
    });
    this.#running.set(name, child);
    this.starts++;
    // As an orchestrator would: an instance that exits by itself is started again.
    child.once('exit', () => {
      if (this.#running.get(name) !== child || this.#stopping.has(child)) return;
      this.exits++;
      setTimeout(() => {
        if (this.#running.get(name) === child && !this.#stopping.has(child))
          this.start(name.split('-')[0] as Role, Number(name.split('-')[1]));
      }, 500);
    });
  }

  pid(role: Role, instance = 0): number | undefined {
    return this.#running.get(`${role}-${instance}`)?.pid;
  }

  /** kill -9, then started again at once (unless `restart` is false). */
  async kill(role: Role, instance = 0, restart = true): Promise<void> {
    const child = this.#running.get(`${role}-${instance}`);
    if (child && child.exitCode === null && child.signalCode === null) {
      this.#stopping.add(child);
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      this.kills++;
    }
    if (restart) this.start(role, instance);
  }

  /** SIGTERM (a clean stop: the member leaves its group) without a restart. */
  async terminate(role: Role, instance = 0): Promise<void> {
    const child = this.#running.get(`${role}-${instance}`);
    this.#running.delete(`${role}-${instance}`);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.#stopping.add(child);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }

  /** Restarts any instance that exited by itself (a stage that stopped for good exits 1). */
  restartExited(): number {
    let n = 0;
    for (const [name, child] of this.#running) {
      if (child.exitCode === null && child.signalCode === null) continue;
      const [role, instance] = name.split('-') as [Role, string];
      this.start(role, Number(instance));
      n++;
    }
    return n;
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.#running.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        this.#stopping.add(child);
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    this.#running.clear();
  }
}
