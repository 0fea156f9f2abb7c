// NPS / CSAT / CES answer (JSON or Avro per schemas/survey_response.avsc) -> canonical JourneyEvent.
// Delighted (`event_type: "survey_response.*"`) and Typeform (`event_type: "form_response"`)
// webhooks are recognised per message and mapped by their own files.
import type { StepResult } from '../shared/results.ts';
import { ok } from '../shared/results.ts';
import { checkMessageShape } from './check-payload-limits.ts';
import { collectIdentifiers, hasAnyIdentifier } from './collect-identifiers.ts';
import { contentEventId, sourceEventId } from './event-id.ts';
import { checkTimestampWindow, optTime } from './event-time.ts';
import type { IngestConfig, IngestMessageMeta, NormalisedEvent } from './ingest-config.ts';
import { newJourneyEvent } from './new-journey-event.ts';
import { PayloadError, runNormaliser } from './payload-error.ts';
import { isDelightedResponse, mapDelightedResponse } from './normalise-delighted-response.ts';
import { isTypeformResponse, mapTypeformResponse } from './normalise-typeform-response.ts';
import { scrubEmailsInText } from './pseudonymise-email.ts';
import {
  isPayloadObject,
  optIdentifier,
  optNumber,
  optObject,
  optString,
  requireValue,
} from './read-payload-fields.ts';
import { checkScoreRange, isScoreKind } from './survey-score-range.ts';

function mapSurvey(
  payload: unknown,
  meta: IngestMessageMeta,
  config: IngestConfig,
): StepResult<NormalisedEvent> {
  if (!isPayloadObject(payload)) throw new PayloadError('invalid_field', 'message: expected a JSON object');
  checkMessageShape(payload, config.limits);
  if (isDelightedResponse(payload)) return mapDelightedResponse(payload, meta, config);
  if (isTypeformResponse(payload)) return mapTypeformResponse(payload, meta, config);
  const surveyId = requireValue(optIdentifier(payload, 'survey_id'), 'survey_id');
  const kind = requireValue(optString(payload, 'survey_kind'), 'survey_kind').trim().toLowerCase();
  if (!isScoreKind(kind)) throw new PayloadError('unsupported_event_type', `survey_kind "${kind}"`);
  const score = requireValue(optNumber(payload, 'score'), 'score');
  checkScoreRange(kind, score, 'score');

  const respondent = optObject(payload, 'respondent') ?? {};
  const { ids, junk } = collectIdentifiers(
    {
      user_id: optIdentifier(respondent, 'user_id', 'respondent.user_id'),
      anonymous_id: optIdentifier(respondent, 'anonymous_id', 'respondent.anonymous_id'),
      email: optString(respondent, 'email', 'respondent.email'),
      account_id: optIdentifier(payload, 'account_id'),
    },
    config,
  );
  if (!hasAnyIdentifier(ids))
    throw new PayloadError('no_identifier', 'the response names no respondent or account');

  const answeredAt = requireValue(optTime(payload, 'answered_at'), 'answered_at');
  checkTimestampWindow(answeredAt, meta.receivedTime, config.limits);

  const event = newJourneyEvent({
    source: 'surveys',
    type: 'survey',
    name: `survey.${kind}`,
    event_time: answeredAt,
    received_time: meta.receivedTime,
    ids,
  });
  event.score_kind = kind;
  event.score = score;
  const comment = optString(payload, 'comment');
  if (comment !== undefined && comment.trim() !== '') event.comment = scrubEmailsInText(comment, config.pii);
  event.survey_stage = optString(payload, 'journey_stage') ?? null;
  event.properties_json = JSON.stringify({ survey_id: surveyId, question: optString(payload, 'question') });

  const responseId = optIdentifier(payload, 'response_id');
  if (responseId !== undefined && responseId.length > config.limits.maxIdentifierLength) {
    throw new PayloadError('identifier_too_long', `response_id: ${responseId.length} characters`);
  }
  event.event_id =
    responseId === undefined || responseId.trim() === ''
      ? contentEventId(event)
      : sourceEventId('surveys', responseId);
  return ok({ event, junkIdentifiers: junk });
}

/** Step: a survey answer -> canonical event (id surveys:<response id>). */
export function normaliseSurveyStep(
  payload: unknown,
  meta: IngestMessageMeta,
  config: IngestConfig,
): StepResult<NormalisedEvent> {
  return runNormaliser(() => mapSurvey(payload, meta, config));
}
