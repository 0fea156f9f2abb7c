// Step: the decoded payload of an input topic -> canonical event, by the topic's source.
import type { StepResult } from '../shared/results.ts';
import type { IngestConfig, IngestMessageMeta, InputSource, NormalisedEvent } from './ingest-config.ts';
import { normaliseBehaviorStep } from './normalise-behavior-step.ts';
import { normaliseBillingStep } from './normalise-billing-step.ts';
import { normaliseSurveyStep } from './normalise-survey-step.ts';
import { normaliseTicketStep } from './normalise-ticket-step.ts';

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
  return NORMALISERS[source](payload, meta, config);
}
