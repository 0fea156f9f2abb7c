// pino, object-first, one child logger per module; every line passes through maskSecrets so a
// secret read by the config never reaches a log, even inside an error message.
//
// Each line carries each field once. pino writes a child's bindings and the call's fields side by
// side without merging them, so `log.child({ stage }).info({ stage, groupId }, …)` (the batch
// consumer logs its stage explicitly, to whichever logger it is given) or a child of a child binding
// the same key wrote `"stage"` twice. Before the line is written, earlier occurrences of a
// repeated top-level key are dropped: the last one stays, the value any JSON reader already took.
import { pino } from 'pino';
import type { Logger } from 'pino';
import { maskSecrets } from '../config/secrets.ts';

export type { Logger };

interface Member {
  key: string;
  start: number;
  end: number;
}

/** The top-level members of a JSON object text (`"key":value` spans), or null if it is not one. */
function topLevelMembers(json: string): Member[] | null {
  if (json[0] !== '{') return null;
  const members: Member[] = [];
  let depth = 0;
  let start = -1;
  let key: string | null = null;
  for (let i = 1; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      const open = i;
      for (i++; i < json.length && json[i] !== '"'; i++) if (json[i] === '\\') i++;
      if (depth === 0 && start < 0) {
        start = open;
        key = JSON.parse(json.slice(open, i + 1)) as string;
      }
    } else if (c === '{' || c === '[') depth++;
    else if ((c === '}' || c === ']') && depth > 0) depth--;
    else if (depth === 0 && (c === ',' || c === '}')) {
      if (start >= 0 && key !== null) members.push({ key, start, end: i });
      start = -1;
      key = null;
      if (c === '}') return members;
    }
  }
  return null;
}

/** `line` (one JSON object, as pino writes it) with each top-level key once: the last one kept. */
export function withUniqueKeys(line: string): string {
  let members: Member[] | null;
  try {
    members = topLevelMembers(line);
  } catch {
    return line;
  }
  if (!members || new Set(members.map((m) => m.key)).size === members.length) return line;
  const last = new Map(members.map((m, i) => [m.key, i]));
  const kept = members.filter((m, i) => last.get(m.key) === i);
  const close = members[members.length - 1]!.end;
  return `{${kept.map((m) => line.slice(m.start, m.end)).join(',')}${line.slice(close)}`;
}

export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'journey-pipeline' },
      redact: {
        paths: ['password', '*.password', 'sasl.password', 'authorization', '*.authorization'],
        censor: '***',
      },
      hooks: {
        streamWrite: (line: string) => maskSecrets(withUniqueKeys(line)),
      },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
