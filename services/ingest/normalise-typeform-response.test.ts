// Typeform webhooks through normaliseSurveyStep. Typeform's documented example has no NPS, CSAT
// or CES question (its scales ask about the weather): as sent it is dead-lettered with that reason;
// the other cases give one of its scale fields the type or ref that marks it as a score.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { StepResult } from '../shared/results.ts';
import { loadFixture, metaAt, TEST_CONFIG } from './fixtures/load-fixture.ts';
import type { NormalisedEvent } from './ingest-config.ts';
import { normaliseSurveyStep } from './normalise-survey-step.ts';

const META = metaAt('2018-01-18T18:20:00Z');
const EXAMPLE = loadFixture('typeform-form-response.json');
const RESPONSE = EXAMPLE.form_response as Record<string, unknown>;
const DEFINITION = RESPONSE.definition as { fields: Array<Record<string, unknown>> };
const ANSWERS = RESPONSE.answers as Array<Record<string, unknown>>;
const OPINION_SCALE_ID = 'NRsxU591jIW9'; // answered 2
const RATING_ID = 'WOTdC00F8A3h'; // answered 3

function okEvent(result: StepResult<NormalisedEvent>): JourneyEvent {
  assert.equal(result.kind, 'ok', JSON.stringify(result));
  return (result as { kind: 'ok'; value: NormalisedEvent }).value.event;
}

/** The example with one field's definition changed (and its answer's field.type, if given). */
function withField(id: string, change: Record<string, unknown>, response: Record<string, unknown> = {}) {
  const fields = DEFINITION.fields.map((f) => (f.id === id ? { ...f, ...change } : f));
  const answers = ANSWERS.map((a) => {
    const field = a.field as Record<string, unknown>;
    return field.id === id && change.type !== undefined
      ? { ...a, field: { ...field, type: change.type } }
      : a;
  });
  return {
    ...EXAMPLE,
    form_response: { ...RESPONSE, definition: { ...DEFINITION, fields }, answers, ...response },
  };
}

describe('normaliseSurveyStep: Typeform webhooks (form_response)', () => {
  it('typeform-form-response.json (the documented example, no scoring question) -> dlq', () => {
    const r = normaliseSurveyStep(EXAMPLE, META, TEST_CONFIG);
    assert.equal(r.kind, 'dlq', JSON.stringify(r));
    assert.equal((r as { reason: string }).reason, 'unsupported_event_type');
    assert.match((r as { detail: string }).detail, /answers no NPS\/CSAT\/CES question/);
  });

  it('an opinion_scale field with ref "csat" -> survey.csat with its answer', () => {
    const event = okEvent(
      normaliseSurveyStep(withField(OPINION_SCALE_ID, { ref: 'csat' }), META, TEST_CONFIG),
    );
    assert.equal(event.event_id, 'surveys:typeform:a3a12ec67a1365927098a606107fac15');
    assert.deepEqual(
      [event.type, event.name, event.score_kind, event.score],
      ['survey', 'survey.csat', 'csat', 2],
    );
    assert.equal(event.event_time, Date.parse('2018-01-18T18:17:02Z'), 'submitted_at');
    assert.equal(event.ids.user_id, 'abc123456', 'hidden.user_id');
    assert.match(event.ids.email_hash ?? '', /^[0-9a-f]{64}$/, 'the email answer');
    assert.doesNotMatch(JSON.stringify(event), /@/);
    assert.deepEqual([event.comment, event.survey_stage, event.ids.account_id], [null, null, null]);
    assert.deepEqual(JSON.parse(event.properties_json), {
      survey_vendor: 'typeform',
      survey_id: 'lT4Z3j',
      response_id: 'a3a12ec67a1365927098a606107fac15',
      question:
        'How important is the weather to your opinion about a city? 1 is not important, 5 is very important.',
      question_ref: 'csat',
    });
  });

  it('a rating field with ref "ces_support" -> survey.ces', () => {
    const event = okEvent(
      normaliseSurveyStep(withField(RATING_ID, { ref: 'ces_support' }), META, TEST_CONFIG),
    );
    assert.deepEqual([event.score_kind, event.score], ['ces', 3]);
  });

  it('a field of type nps -> survey.nps, whatever its ref', () => {
    const event = okEvent(
      normaliseSurveyStep(withField(OPINION_SCALE_ID, { type: 'nps' }), META, TEST_CONFIG),
    );
    assert.deepEqual([event.score_kind, event.score], ['nps', 2]);
  });

  it('a ref that only contains "csat" is no score (readable_ref_csat)', () => {
    const r = normaliseSurveyStep(
      withField(OPINION_SCALE_ID, { ref: 'readable_ref_csat' }),
      META,
      TEST_CONFIG,
    );
    assert.equal(r.kind === 'dlq' && r.reason, 'unsupported_event_type');
  });

  it('hidden fields and a comment field are read', () => {
    const longText = 'DlXFaesGBpoF';
    const csatForm = withField(OPINION_SCALE_ID, { ref: 'csat' });
    const response = csatForm.form_response as Record<string, unknown>;
    const fields = (response.definition as typeof DEFINITION).fields.map((f) =>
      f.id === longText ? { ...f, ref: 'csat_comment' } : f,
    );
    const payload = {
      ...csatForm,
      form_response: {
        ...response,
        definition: { ...DEFINITION, fields },
        hidden: { user_id: 'user_5521', account_id: 'acct_81723', journey_stage: 'onboarding' },
      },
    };
    const event = okEvent(normaliseSurveyStep(payload, META, TEST_CONFIG));
    assert.deepEqual([event.ids.user_id, event.ids.account_id], ['user_5521', 'acct_81723']);
    assert.equal(event.survey_stage, 'onboarding');
    assert.match(event.comment ?? '', /^It's cold right now!/);
  });

  it('optional parts missing (definition, hidden, form_id) -> null, not a dead letter', () => {
    const payload = {
      event_id: 'x',
      event_type: 'form_response',
      form_response: {
        token: 't1',
        submitted_at: '2018-01-18T18:17:02Z',
        answers: [
          { type: 'number', number: 8, field: { id: 'a', type: 'nps' } },
          { type: 'email', email: 'laura@example.com', field: { id: 'b', type: 'email' } },
        ],
      },
    };
    const event = okEvent(normaliseSurveyStep(payload, META, TEST_CONFIG));
    assert.deepEqual(
      [event.score_kind, event.score, event.ids.user_id, event.comment],
      ['nps', 8, null, null],
    );
    assert.deepEqual(JSON.parse(event.properties_json), { survey_vendor: 'typeform', response_id: 't1' });
  });

  const csat = withField(OPINION_SCALE_ID, { ref: 'csat' });
  const csatResponse = csat.form_response;
  const rejects: Array<[string, unknown, string, RegExp]> = [
    [
      'a score outside its range (CSAT 7)',
      withField(
        OPINION_SCALE_ID,
        { ref: 'csat' },
        {
          answers: ANSWERS.map((a) =>
            (a.field as { id: string }).id === OPINION_SCALE_ID ? { ...a, number: 7 } : a,
          ),
        },
      ),
      'invalid_field',
      /answers\[9\]\.number: 7 outside the csat range 1-5/,
    ],
    [
      'no token',
      { ...csat, form_response: { ...csatResponse, token: null } },
      'missing_required_field',
      /token/,
    ],
    [
      'no submitted_at',
      { ...csat, form_response: { ...csatResponse, submitted_at: undefined } },
      'missing_required_field',
      /submitted_at/,
    ],
    [
      'no respondent',
      {
        ...csat,
        form_response: {
          ...csatResponse,
          hidden: {},
          answers: ANSWERS.filter((a) => a.type !== 'email'),
        },
      },
      'no_identifier',
      /no respondent/,
    ],
    [
      'answers not a list',
      { ...csat, form_response: { ...csatResponse, answers: 'x' } },
      'invalid_field',
      /answers/,
    ],
  ];
  for (const [label, payload, reason, detail] of rejects) {
    it(`${label} -> dlq ${reason}`, () => {
      const r = normaliseSurveyStep(payload, META, TEST_CONFIG);
      assert.equal(r.kind, 'dlq', JSON.stringify(r));
      assert.equal((r as { reason: string }).reason, reason);
      assert.match((r as { detail: string }).detail, detail);
    });
  }
});
