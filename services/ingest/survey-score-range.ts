// The score kinds a survey answer can carry and the range each accepts, shared by every survey
// format (the project shape, Delighted, Typeform).
import type { ScoreKind } from '../shared/generated/avro-types.ts';
import { PayloadError } from './payload-error.ts';
import type { PayloadObject } from './read-payload-fields.ts';
import { optNumber, requireValue } from './read-payload-fields.ts';

/** Accepted score range per survey kind: NPS 0-10, CSAT 1-5, CES 1-7. */
export const SCORE_RANGE: Readonly<Record<ScoreKind, readonly [number, number]>> = {
  nps: [0, 10],
  csat: [1, 5],
  ces: [1, 7],
};

export function isScoreKind(kind: string): kind is ScoreKind {
  return Object.hasOwn(SCORE_RANGE, kind);
}

/** Throws PayloadError(invalid_field) when the score is outside its kind's range. */
export function checkScoreRange(kind: ScoreKind, score: number, path: string): void {
  const [min, max] = SCORE_RANGE[kind];
  if (score < min || score > max) {
    throw new PayloadError('invalid_field', `${path}: ${score} outside the ${kind} range ${min}-${max}`);
  }
}

/** The score at obj[key] (`path` in errors): required, a number, and with a kind, inside its range. */
export function requireScore(obj: PayloadObject, key: string, path: string, kind?: ScoreKind): number {
  const score = requireValue(optNumber(obj, key, path), path);
  if (kind !== undefined) checkScoreRange(kind, score, path);
  return score;
}
