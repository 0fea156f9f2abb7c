// The demo's log: every stage's lines go to a file (.local/logs/demo.log), not the terminal, so
// the terminal shows only the demo's steps, progress and report; the lines are counted by level
// and by message so the demo closes with a one-line summary ("712 warnings: 695 sent to DLQ, ...").
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createLogger } from '../shared/telemetry/logger.ts';
import type { Logger } from '../shared/telemetry/logger.ts';

export interface DemoLog {
  log: Logger;
  path: string;
  /** "N warnings (by message), M errors", or "no warnings". */
  summary(): string;
  close(): Promise<void>;
}

const LEVEL = /"level":(\d+)/;
const MSG = /"msg":"((?:[^"\\]|\\.)*)"/;

export function openDemoLog(path: string, level = 'info'): DemoLog {
  mkdirSync(dirname(path), { recursive: true });
  const file = createWriteStream(path, { flags: 'a' });
  const counts = { warn: new Map<string, number>(), error: new Map<string, number>() };
  const log = createLogger(level, {
    write: (line: string) => {
      file.write(line);
      const lvl = Number(LEVEL.exec(line)?.[1] ?? 30);
      if (lvl < 40) return;
      const bucket = lvl >= 50 ? counts.error : counts.warn;
      const msg = MSG.exec(line)?.[1] ?? '?';
      bucket.set(msg, (bucket.get(msg) ?? 0) + 1);
    },
  });
  const describe = (bucket: Map<string, number>, noun: string): string | null => {
    const total = [...bucket.values()].reduce((a, b) => a + b, 0);
    if (total === 0) return null;
    const top = [...bucket]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([msg, n]) => `${n} ${msg}`)
      .join(', ');
    return `${total} ${noun}${total === 1 ? '' : 's'} (${top}${bucket.size > 3 ? ', ...' : ''})`;
  };
  return {
    log,
    path,
    summary: () =>
      [describe(counts.warn, 'warning'), describe(counts.error, 'error')].filter(Boolean).join('; ') ||
      'no warnings',
    close: () => new Promise((resolve) => file.end(resolve)),
  };
}
