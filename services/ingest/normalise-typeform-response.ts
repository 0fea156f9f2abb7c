// Typeform webhook (`{"event_id","event_type":"form_response","form_response":{form_id,token,
// submitted_at,hidden,definition{fields[{id,type,ref,title}]},answers[{type,number,field{id,type}}]}}`,
// developers.typeform.com/webhooks/example-payload) -> canonical survey event.
//
// The scoring question is found by its field: type `nps` is NPS; type `opinion_scale` or `rating`
// counts only when the form owner gave it the ref `nps`, `csat` or `ces` (or one of these followed
// by `_` or `-`, e.g. `csat_onboarding`), because a scale alone does not say what it measures
// (Typeform's own example asks how important the weather is). The first such answer is the score.
// Identifiers come from hidden fields (user_id, anonymous_id, account_id, email) and an email
// answer; a text answer whose field ref is `comment` or ends in `_comment` is the comment.
import type { ScoreKind } from '../shared/generated/avro-types.ts';
import type { StepResult } from '../shared/results.ts';
import { ok } from '../shared/results.ts';
import { checkIdentifierLength } from './check-payload-limits.ts';
import { collectIdentifiers, hasAnyIdentifier } from './collect-identifiers.ts';
import { sourceEventId } from './event-id.ts';
import { optTime } from './event-time.ts';
import type { IngestConfig, IngestMessageMeta, NormalisedEvent } from './ingest-config.ts';
import { newSurveyEvent } from './new-survey-event.ts';
import { PayloadError } from './payload-error.ts';
import { scrubEmailsInText } from './pseudonymise-email.ts';
import type { PayloadObject } from './read-payload-fields.ts';
import { isPayloadObject, optIdentifier, optObject, optString, requireValue } from './read-payload-fields.ts';
import { checkScoreRange, requireScore } from './survey-score-range.ts';

const SCALE_FIELD_TYPES = new Set(['opinion_scale', 'rating']);
const KIND_REF = /^(nps|csat|ces)(?:[_-].*)?$/i;
const COMMENT_REF = /^(?:comment|.*_comment)$/i;

interface TypeformField {
  type: string | undefined;
  ref: string | undefined;
  title: string | undefined;
}

interface ScoredAnswer {
  kind: ScoreKind;
  score: number;
  field: TypeformField;
  path: string;
}

export function isTypeformResponse(payload: PayloadObject): boolean {
  return payload.event_type === 'form_response';
}

function objectList(obj: PayloadObject, key: string, path: string): PayloadObject[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (Array.isArray(v) && v.every(isPayloadObject)) return v;
  throw new PayloadError('invalid_field', `${path}: expected an array of objects`);
}

/** The definition's fields by id: answers carry the field id and type, the ref and title live here. */
function fieldsById(formResponse: PayloadObject): Map<string, TypeformField> {
  const definition = optObject(formResponse, 'definition', 'form_response.definition') ?? {};
  const fields = new Map<string, TypeformField>();
  objectList(definition, 'fields', 'form_response.definition.fields').forEach((field, i) => {
    const path = `form_response.definition.fields[${i}]`;
    const id = optIdentifier(field, 'id', `${path}.id`);
    if (id === undefined) return;
    fields.set(id, {
      type: optString(field, 'type', `${path}.type`),
      ref: optString(field, 'ref', `${path}.ref`),
      title: optString(field, 'title', `${path}.title`),
    });
  });
  return fields;
}

/** An answer's field: what the answer says, completed from the definition. */
function answerField(answer: PayloadObject, path: string, fields: Map<string, TypeformField>): TypeformField {
  const field = optObject(answer, 'field', `${path}.field`) ?? {};
  const id = optIdentifier(field, 'id', `${path}.field.id`);
  const defined = id === undefined ? undefined : fields.get(id);
  return {
    type: optString(field, 'type', `${path}.field.type`) ?? defined?.type,
    ref: optString(field, 'ref', `${path}.field.ref`) ?? defined?.ref,
    title: defined?.title,
  };
}

function scoreKindOf(field: TypeformField): ScoreKind | undefined {
  if (field.type === 'nps') return 'nps';
  if (field.type === undefined || !SCALE_FIELD_TYPES.has(field.type) || field.ref === undefined)
    return undefined;
  const match = KIND_REF.exec(field.ref);
  return match?.[1]?.toLowerCase() as ScoreKind | undefined;
}

export function mapTypeformResponse(
  payload: PayloadObject,
  meta: IngestMessageMeta,
  config: IngestConfig,
): StepResult<NormalisedEvent> {
  const formResponse = requireValue(optObject(payload, 'form_response'), 'form_response');
  const token = requireValue(
    optIdentifier(formResponse, 'token', 'form_response.token'),
    'form_response.token',
  );
  checkIdentifierLength(token, 'form_response.token', config.limits);
  const fields = fieldsById(formResponse);
  const answers = objectList(formResponse, 'answers', 'form_response.answers');

  let scored: ScoredAnswer | undefined;
  let emailAnswer: string | undefined;
  let comment: string | undefined;
  for (const [i, answer] of answers.entries()) {
    const path = `form_response.answers[${i}]`;
    const field = answerField(answer, path, fields);
    const kind = scoreKindOf(field);
    if (kind !== undefined && scored === undefined) {
      // Its range is checked once every answer is read (below).
      const score = requireScore(answer, 'number', `${path}.number`);
      scored = { kind, score, field, path: `${path}.number` };
    }
    if (answer.type === 'email') emailAnswer ??= optString(answer, 'email', `${path}.email`);
    if (answer.type === 'text' && field.ref !== undefined && COMMENT_REF.test(field.ref)) {
      comment ??= optString(answer, 'text', `${path}.text`);
    }
  }
  if (scored === undefined) {
    throw new PayloadError(
      'unsupported_event_type',
      'Typeform response answers no NPS/CSAT/CES question (a field of type nps, or opinion_scale/rating with ref nps, csat or ces)',
    );
  }
  checkScoreRange(scored.kind, scored.score, scored.path);

  const hidden = optObject(formResponse, 'hidden', 'form_response.hidden') ?? {};
  const { ids, junk } = collectIdentifiers(
    {
      user_id: optIdentifier(hidden, 'user_id', 'form_response.hidden.user_id'),
      anonymous_id: optIdentifier(hidden, 'anonymous_id', 'form_response.hidden.anonymous_id'),
      account_id: optIdentifier(hidden, 'account_id', 'form_response.hidden.account_id'),
      email: optString(hidden, 'email', 'form_response.hidden.email') ?? emailAnswer,
    },
    config,
  );
  if (!hasAnyIdentifier(ids)) throw new PayloadError('no_identifier', 'the response names no respondent');

  const submittedAt = requireValue(
    optTime(formResponse, 'submitted_at', 'form_response.submitted_at'),
    'form_response.submitted_at',
  );

  const event = newSurveyEvent(
    { kind: scored.kind, score: scored.score, ids },
    submittedAt,
    meta,
    config.limits,
  );
  if (comment !== undefined && comment.trim() !== '') event.comment = scrubEmailsInText(comment, config.pii);
  event.survey_stage = optString(hidden, 'journey_stage', 'form_response.hidden.journey_stage') ?? null;
  event.properties_json = JSON.stringify({
    survey_vendor: 'typeform',
    survey_id: optIdentifier(formResponse, 'form_id', 'form_response.form_id'),
    response_id: token,
    question:
      scored.field.title === undefined ? undefined : scrubEmailsInText(scored.field.title, config.pii),
    question_ref: scored.field.ref,
  });
  // The response token is Typeform's response id: the same for every delivery of this response.
  event.event_id = sourceEventId('surveys', 'typeform', token);
  return ok({ event, junkIdentifiers: junk });
}
