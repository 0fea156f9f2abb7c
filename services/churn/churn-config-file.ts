// Loads config/churn.yaml: zod checks shapes and types, validateChurnConfig checks how the
// values relate (exit below enter, ...). Every problem comes back at once with its YAML path.

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { CHURN_FACTORS } from './churn-factors.ts';
import type { ChurnFactor } from './churn-factors.ts';
import { validateChurnConfig } from './churn-config.ts';
import type { ChurnConfig } from './churn-config.ts';

const HOUR_MS = 3_600_000;

const band = z.strictObject({ enter: z.number(), exit: z.number() });

const weights = z.strictObject(
  Object.fromEntries(CHURN_FACTORS.map((f) => [f, z.number()])) as Record<ChurnFactor, z.ZodNumber>,
);

const churnYaml = z.strictObject({
  model: z.strictObject({ bias: z.number(), weights }),
  bands: z.strictObject({ watch: band, at_risk: band }),
  alerts: z.strictObject({ cooldown_hours: z.number().min(0) }),
  reasons: z.strictObject({ max: z.number().int().min(0), min_points: z.number().min(0) }),
});

export type ChurnConfigResult = { ok: true; config: ChurnConfig } | { ok: false; problems: string[] };

/** Parses the YAML text of a churn config; never throws for bad input. */
export function parseChurnConfig(text: string): ChurnConfigResult {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    return { ok: false, problems: [`not valid YAML: ${(err as Error).message}`] };
  }
  const parsed = churnYaml.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    };
  }
  const y = parsed.data;
  const config: ChurnConfig = {
    model: { bias: y.model.bias, weights: y.model.weights },
    bands: { watch: y.bands.watch, atRisk: y.bands.at_risk },
    alerts: { cooldownMs: y.alerts.cooldown_hours * HOUR_MS },
    reasons: { max: y.reasons.max, minPoints: y.reasons.min_points },
  };
  const problems = validateChurnConfig(config);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}

/** Reads and parses a churn config file (startup only: the one place this module does I/O). */
export function loadChurnConfig(path: string): ChurnConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { ok: false, problems: [`cannot read ${path}: ${(err as Error).message}`] };
  }
  const result = parseChurnConfig(text);
  return result.ok ? result : { ok: false, problems: result.problems.map((p) => `${path}: ${p}`) };
}
