// The main process's handle on a process under measurement (bench-worker.ts): fork it with the
// run's environment, follow its progress and sampled acknowledgements, wait for a condition on
// them, and stop it to collect its final figures.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { BenchEnv } from './bench-config.ts';
import type { FromWorker, WorkerArgs, WorkerStats } from './worker-protocol.ts';

export interface WorkerHandle {
  readonly args: WorkerArgs;
  readonly pid: number;
  readonly ready: Promise<void>;
  latest: Extract<FromWorker, { type: 'progress' }> | null;
  readonly acks: Array<[string, number]>;
  /** Polls the latest progress until `done` holds; rejects after `timeoutMs` or if the worker fails. */
  waitUntil(what: string, done: () => boolean, timeoutMs: number): Promise<void>;
  stop(): Promise<WorkerStats>;
  /** Ends the process at once unless it was asked to stop (after a failure elsewhere). */
  kill(): void;
}

export interface SpawnOptions {
  env: BenchEnv;
  /** Extra Node flags: --cpu-prof, --expose-gc. */
  execArgv?: string[];
}

export function spawnWorker(args: WorkerArgs, options: SpawnOptions): WorkerHandle {
  const child: ChildProcess = fork(new URL('./bench-worker.ts', import.meta.url), [JSON.stringify(args)], {
    env: options.env as NodeJS.ProcessEnv,
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let failure: Error | null = null;
  let stopping = false;
  let final: ((stats: WorkerStats) => void) | null = null;
  let resolveReady: () => void = () => undefined;
  let rejectReady: (err: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  const handle: WorkerHandle = {
    args,
    pid: child.pid ?? -1,
    ready,
    latest: null,
    acks: [],
    waitUntil: async (what, done, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (!done()) {
        if (failure) throw failure;
        if (Date.now() > deadline)
          throw new Error(`${args.role}: timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: () =>
      new Promise<WorkerStats>((resolve, reject) => {
        if (failure) return reject(failure);
        stopping = true;
        final = resolve;
        child.once('exit', (code) => {
          if (final) reject(new Error(`${args.role} worker exited (${code}) without its report`));
        });
        child.send({ type: 'stop' });
      }),
    kill: () => {
      // A stopped worker exits by itself (after writing its CPU profile, if any).
      if (!stopping && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  child.on('message', (message: FromWorker) => {
    if (message.type === 'ready') resolveReady();
    else if (message.type === 'progress') {
      handle.latest = message;
      for (const ack of message.acks) handle.acks.push(ack);
    } else if (message.type === 'final') {
      const done = final;
      final = null;
      done?.(message.stats);
    } else if (message.type === 'failed') {
      failure = new Error(`${args.role} worker failed: ${message.message}`);
      rejectReady(failure);
    }
  });
  child.on('exit', (code) => {
    if (code !== 0 && !failure) {
      failure = new Error(`${args.role} worker exited with code ${code}`);
      rejectReady(failure);
    }
  });
  return handle;
}
