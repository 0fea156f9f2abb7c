// The canonical survey event every survey format (the project shape, Delighted, Typeform) builds
// once it has read the answer: source surveys, type survey, named and scored by the answer's kind.
import type { Identifiers, JourneyEvent, ScoreKind } from '../shared/generated/avro-types.ts';
import type { IngestLimits, IngestMessageMeta } from './ingest-config.ts';
import { newReceivedEvent } from './new-journey-event.ts';

export interface SurveyAnswer {
  kind: ScoreKind;
  score: number;
  ids: Identifiers;
}

/** The survey event of an answer given at eventTime (checked against the accepted window). */
export function newSurveyEvent(
  answer: SurveyAnswer,
  eventTime: number,
  meta: IngestMessageMeta,
  limits: IngestLimits,
): JourneyEvent {
  const event = newReceivedEvent(
    { source: 'surveys', type: 'survey', name: `survey.${answer.kind}`, ids: answer.ids },
    eventTime,
    meta,
    limits,
  );
  event.score_kind = answer.kind;
  event.score = answer.score;
  return event;
}
