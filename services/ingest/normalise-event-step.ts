// Step: the decoded payload of an input topic -> canonical event, by the topic's source.
import type { StepResult } from '../shared/results.ts';
import { checkCanonicalRanges } from './check-canonical-ranges.ts';
import type { IngestConfig, IngestMessageMeta, InputSource, NormalisedEvent } from './ingest-config.ts';
import { normaliseBehaviorStep } from './normalise-behavior-step.ts';
import { normaliseBillingStep } from './normalise-billing-step.ts';
import { normaliseSurveyStep } from './normalise-survey-step.ts';
import { normaliseTicketStep } from './normalise-ticket-step.ts';
import { runNormaliser } from './payload-error.ts';

export type Normaliser = (
  payload: unknown,
  meta: IngestMessageMeta,
  config: IngestConfig,
) => StepResult<NormalisedEvent>;

export const NORMALISERS: Readonly<Record<InputSource, Normaliser>> = {
  behavior: normaliseBehaviorStep,
  tickets: normaliseTicketStep,
  surveys: normaliseSurveyStep,
  billing: normaliseBillingStep,
};

export function normaliseEventStep(
  source: InputSource,
  payload: unknown,
  meta: IngestMessageMeta,
  config: IngestConfig,
): StepResult<NormalisedEvent> {
  const normalised = NORMALISERS[source](payload, meta, config);
  if (normalised.kind !== 'ok') return normalised;
  // Every source's numbers, bounded once against the canonical schema (else avsc throws in
  // encodeCanonicalStep): seats beyond an int, amounts or MRR beyond a long -> value_out_of_range.
  return runNormaliser(() => {
    checkCanonicalRanges(normalised.value.event);
    return normalised;
  });
}
