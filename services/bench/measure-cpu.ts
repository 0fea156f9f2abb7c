// CPU time of the processes outside Node's own accounting: the broker, the registry and the
// ClickHouse server on this machine, read from /proc/<pid>/stat (utime + stime, in clock ticks)
// with the pids `make stack-up` records in .local/pids. On a real cluster there is nothing local
// to read: those figures are reported as absent (use the servers' own metrics there).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node supports
export const STACK_COMPONENTS = ['kafka', 'registry', 'clickhouse'] as const;
export type StackComponent = (typeof STACK_COMPONENTS)[number];

/** utime + stime of a /proc/<pid>/stat line, in seconds (the command may contain spaces and parentheses). */
export function cpuSecondsOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

export function processCpuSeconds(pid: number): number | null {
  try {
    return cpuSecondsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

export function stackPids(pidsDir: string): Partial<Record<StackComponent, number>> {
  const pids: Partial<Record<StackComponent, number>> = {};
  for (const component of STACK_COMPONENTS) {
    try {
      const pid = Number(readFileSync(join(pidsDir, `${component}.pid`), 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0) pids[component] = pid;
    } catch {
      // not local
    }
  }
  return pids;
}

export type CpuSnapshot = Partial<Record<StackComponent, number>>;

export function snapshotStackCpu(pids: Partial<Record<StackComponent, number>>): CpuSnapshot {
  const out: CpuSnapshot = {};
  for (const [component, pid] of Object.entries(pids) as Array<[StackComponent, number]>) {
    const seconds = processCpuSeconds(pid);
    if (seconds !== null) out[component] = seconds;
  }
  return out;
}

/** CPU seconds each component spent between two snapshots (components missing from either: absent). */
export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  const out: CpuSnapshot = {};
  for (const component of STACK_COMPONENTS) {
    const a = before[component];
    const b = after[component];
    if (a !== undefined && b !== undefined) out[component] = b - a;
  }
  return out;
}
