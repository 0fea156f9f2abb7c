// The journey map: YAML configuration validated at startup. Every problem is reported at once,
// each naming the file, the line and the field, e.g.
//   config/journeys/b2b-saas.yaml:14: stages[2].conversion[0].event: required
import { readFileSync } from 'node:fs';
import { LineCounter, isMap, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { z } from 'zod';
import { journeyMapSchema } from './journey-map-schema.ts';
import type { JourneyMap, StageDefinition } from './journey-map-schema.ts';

export { journeyMapSchema } from './journey-map-schema.ts';
export type {
  EventCondition,
  JourneyMap,
  Predicate,
  StageCondition,
  StageDefinition,
} from './journey-map-schema.ts';

export class JourneyMapError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid journey map:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

type Path = Array<string | number>;
interface Problem {
  path: Path;
  message: string;
}

const pathText = (path: Path): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${p}`)).join('');

/** Flattens zod issues: unions report their closest branch, unknown keys name the key. */
function problemsOf(issues: readonly z.core.$ZodIssue[], prefix: Path): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as Path)];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
      out.push(...problemsOf(closest, path));
    } else if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...path, key], message: 'unknown field' });
    } else if (issue.code === 'invalid_type') {
      out.push({
        path,
        message: /received undefined/.test(issue.message) ? 'required' : `expected ${issue.expected}`,
      });
    } else {
      out.push({ path, message: issue.message.replace(/^Invalid input: /, '') });
    }
  }
  return out;
}

/** The line of the deepest node that exists on `path` (a missing field: its parent's line). */
function lineOf(doc: Document, lines: LineCounter, path: Path): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth);
    // An unknown key has no value node worth pointing at: point at the key itself.
    const parent = depth > 0 ? doc.getIn(prefix.slice(0, -1), true) : undefined;
    if (depth > 0 && isMap(parent)) {
      const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === prefix.at(-1));
      const range = (pair?.key as { range?: [number, number, number] } | null)?.range;
      if (range) return lines.linePos(range[0]).line;
    }
    const node = doc.getIn(prefix, true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}

export function parseJourneyMap(text: string, file: string): JourneyMap {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new JourneyMapError(
      doc.errors.map((e) => `${file}:${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`),
    );
  }
  const parsed = journeyMapSchema.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  const problems = problemsOf(parsed.error.issues, []).map(
    (p) => `${file}:${lineOf(doc, lines, p.path)}: ${pathText(p.path) || '(root)'}: ${p.message}`,
  );
  throw new JourneyMapError([...new Set(problems)]);
}

export function loadJourneyMap(file: string): JourneyMap {
  return parseJourneyMap(readFileSync(file, 'utf8'), file);
}

export const stageIndex = (map: JourneyMap, id: string): number => map.stages.findIndex((s) => s.id === id);

export const signalStage = (map: JourneyMap, signal: 'inactivity' | 'billing_churn'): StageDefinition =>
  map.stages.find((s) => s.signal === signal) as StageDefinition;

/** The ordered stages an account moves forward through (every stage without a signal). */
export const ordinaryStages = (map: JourneyMap): StageDefinition[] => map.stages.filter((s) => !s.signal);
