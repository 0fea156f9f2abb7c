// NPS / CSAT / CES answer (JSON or Avro per schemas/survey_response.avsc) -> canonical JourneyEvent.
// Delighted (`event_type: "survey_response.*"`) and Typeform (`event_type: "form_response"`)
// webhooks are recognised per message and mapped by their own files.
import type { StepResult } from '../shared/results.ts';
import { ok } from '../shared/results.ts';
import { checkIdentifierLength, checkMessageObject } from './check-payload-limits.ts';
import { collectIdentifiers, hasAnyIdentifier } from './collect-identifiers.ts';
import { contentEventId, sourceEventId } from './event-id.ts';
import { optTime } from './event-time.ts';
import type { IngestConfig, IngestMessageMeta, NormalisedEvent } from './ingest-config.ts';
import { PayloadError, runNormaliser } from './payload-error.ts';
import { isDelightedResponse, mapDelightedResponse } from './normalise-delighted-response.ts';
import { isTypeformResponse, mapTypeformResponse } from './normalise-typeform-response.ts';
import { newSurveyEvent } from './new-survey-event.ts';
import { scrubEmailsInText } from './pseudonymise-email.ts';
import { optIdentifier, optObject, optString, requireValue } from './read-payload-fields.ts';
import { isScoreKind, requireScore } from './survey-score-range.ts';

function mapSurvey(
  payload: unknown,
  meta: IngestMessageMeta,
  config: IngestConfig,
): StepResult<NormalisedEvent> {
  checkMessageObject(payload, config.limits);
  if (isDelightedResponse(payload)) return mapDelightedResponse(payload, meta, config);
  if (isTypeformResponse(payload)) return mapTypeformResponse(payload, meta, config);
  const surveyId = requireValue(optIdentifier(payload, 'survey_id'), 'survey_id');
  const kind = requireValue(optString(payload, 'survey_kind'), 'survey_kind').trim().toLowerCase();
  if (!isScoreKind(kind)) throw new PayloadError('unsupported_event_type', `survey_kind "${kind}"`);
  const score = requireScore(payload, 'score', 'score', kind);

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

  const event = newSurveyEvent({ kind, score, ids }, answeredAt, meta, config.limits);
  const comment = optString(payload, 'comment');
  if (comment !== undefined && comment.trim() !== '') event.comment = scrubEmailsInText(comment, config.pii);
  event.survey_stage = optString(payload, 'journey_stage') ?? null;
  event.properties_json = JSON.stringify({ survey_id: surveyId, question: optString(payload, 'question') });

  const responseId = optIdentifier(payload, 'response_id');
  if (responseId !== undefined) checkIdentifierLength(responseId, 'response_id', config.limits);
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
