// Identity-graph memory at the benchmark's scale (1M identifiers by default): the identity core's
// own measurement (services/identity/measure-memory.ts, which inserts through resolve() and reads
// the heap after a full GC), run in a child process and parsed.
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
