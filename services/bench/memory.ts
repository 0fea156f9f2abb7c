// Memory at the benchmark's scale, each measured in a child process with --expose-gc and parsed:
// the identity core's own measurement (services/identity/measure-memory.ts: 1M identifiers through
// resolve(), heap after a full GC), and the stages' pure cores over the bench workload up to 1M
// identifiers and 100k accounts (measure-stage-memory.ts).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface IdentityMemory {
  shape: string;
  identifiers: number;
  persons: number;
  accounts: number;
  bytes_per_identifier: number;
  inserts_per_second: number;
}

const SCRIPT = fileURLToPath(new URL('../identity/measure-memory.ts', import.meta.url));

export function measureIdentityMemory(identifiers: number): Promise<IdentityMemory[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', SCRIPT, String(identifiers)],
      { maxBuffer: 1 << 20, timeout: 600_000 },
      (err, stdout) => {
        if (err) return reject(err);
        resolve(
          stdout
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as IdentityMemory),
        );
      },
    );
  });
}

export interface StageMemory {
  events: number;
  identifiers: number;
  persons: number;
  accounts: number;
  personStates: number;
  journeyStateMb: number;
  bytesPerState: number;
  graphBytesPerIdentifier: number;
  heapUsedMb: number;
  rssMb: number;
  ingestEventsPerSecond: number;
  journeyEventsPerSecond: number;
}

const STAGE_SCRIPT = fileURLToPath(new URL('./measure-stage-memory.ts', import.meta.url));

/** The stages' pure cores over the bench workload until `identities` and `accounts` are reached. */
export function measureStageMemory(
  identities: number,
  accounts: number,
  maxEvents: number,
): Promise<StageMemory> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', STAGE_SCRIPT, String(identities), String(accounts), String(maxEvents)],
      { maxBuffer: 1 << 20, timeout: 1_800_000 },
      (err, stdout) => {
        if (err) return reject(err);
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        if (!line) return reject(new Error(`measure-stage-memory printed no result: ${stdout}`));
        resolve(JSON.parse(line) as StageMemory);
      },
    );
  });
}
