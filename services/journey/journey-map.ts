// The journey map: YAML configuration validated at startup. Errors name the file, the line and
// the field (e.g. `config/journeys/b2b-saas.yaml:14: stages[2].conversion[0].event: required`).
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';

const predicate = z
  .object({
    eq: z.union([z.string(), z.number(), z.boolean()]).optional(),
    in: z.array(z.union([z.string(), z.number()])).optional(),
    gte: z.number().optional(),
    lte: z.number().optional(),
    exists: z.boolean().optional(),
  })
  .strict();

const conversion = z.union([
  z.object({ event: z.string().min(1), where: z.record(z.string(), predicate).optional() }).strict(),
  z.object({ activation: z.literal(true) }).strict(),
]);

const stage = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case id'),
    description: z.string().optional(),
    signal: z.enum(['inactivity', 'billing_churn']).optional(),
    conversion: z.array(conversion),
    stall_days: z.number().int().positive().optional(),
    voice_question: z.string().min(1),
    revenue: z.string().min(1),
  })
  .strict();

const segment = z.union([
  z
    .object({
      id: z.string().min(1),
      when: z
        .object({
          trait: z.string(),
          gte: z.number().optional(),
          eq: z.union([z.string(), z.number()]).optional(),
        })
        .strict(),
    })
    .strict(),
  z.object({ id: z.string().min(1), default: z.literal(true) }).strict(),
]);

export const journeyMapSchema = z
  .object({
    name: z.string().min(1),
    version: z.number().int().positive(),
    lateness_minutes: z.number().int().min(0),
    stages: z.array(stage).min(3).max(8),
    activation: z
      .object({
        event: z.string().min(1),
        times: z.number().int().positive(),
        distinct_days: z.boolean(),
        within_days: z.number().int().positive(),
      })
      .strict(),
    churn_risk: z.object({ inactive_days: z.number().int().positive() }).strict(),
    funnel: z.object({ name: z.string(), steps: z.array(z.string().min(1)).min(1) }).strict(),
    segments: z.array(segment).min(1),
  })
  .strict()
  .superRefine((map, ctx) => {
    const ids = map.stages.map((s) => s.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i)
        ctx.addIssue({ code: 'custom', path: ['stages', i, 'id'], message: `duplicate stage id ${id}` });
    });
    for (const signal of ['inactivity', 'billing_churn'] as const) {
      if (!map.stages.some((s) => s.signal === signal))
        ctx.addIssue({
          code: 'custom',
          path: ['stages'],
          message: `a stage with signal: ${signal} is required`,
        });
    }
  });

export type JourneyMap = z.output<typeof journeyMapSchema>;
export type StageDefinition = JourneyMap['stages'][number];
export type Conversion = StageDefinition['conversion'][number];

export class JourneyMapError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid journey map:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

const pathText = (path: ReadonlyArray<PropertyKey>): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');

export function parseJourneyMap(text: string, file: string): JourneyMap {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new JourneyMapError(
      doc.errors.map((e) => `${file}:${lineCounter.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`),
    );
  }
  const parsed = journeyMapSchema.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  throw new JourneyMapError(
    parsed.error.issues.map((issue) => {
      // The deepest node that exists on the issue's path gives the line.
      let line = 1;
      for (let depth = issue.path.length; depth >= 0; depth--) {
        const node = doc.getIn(issue.path.slice(0, depth) as Array<string | number>, true) as
          { range?: [number, number, number] } | undefined;
        if (node && typeof node === 'object' && node.range) {
          line = lineCounter.linePos(node.range[0]).line;
          break;
        }
      }
      const field = pathText(issue.path) || '(root)';
      const message =
        issue.code === 'invalid_type' && /undefined/.test(issue.message) ? 'required' : issue.message;
      return `${file}:${line}: ${field}: ${message}`;
    }),
  );
}

export function loadJourneyMap(file: string): JourneyMap {
  return parseJourneyMap(readFileSync(file, 'utf8'), file);
}

export const stageIndex = (map: JourneyMap, id: string): number => map.stages.findIndex((s) => s.id === id);
export const signalStage = (map: JourneyMap, signal: 'inactivity' | 'billing_churn'): StageDefinition =>
  map.stages.find((s) => s.signal === signal) as StageDefinition;
