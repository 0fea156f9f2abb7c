// Delighted webhooks through normaliseSurveyStep: the documented survey_response.updated example
// as sent, and variants of it that change one documented field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { StepResult } from '../shared/results.ts';
import { loadFixture, metaAt, TEST_CONFIG } from './fixtures/load-fixture.ts';
import type { NormalisedEvent } from './ingest-config.ts';
import { normaliseSurveyStep } from './normalise-survey-step.ts';

const META = metaAt('2024-12-22T02:00:00Z');
const UPDATED = loadFixture('delighted-survey-response-updated.json');
const DATA = UPDATED.event_data as Record<string, unknown>;

function okEvent(result: StepResult<NormalisedEvent>): JourneyEvent {
  assert.equal(result.kind, 'ok', JSON.stringify(result));
  return (result as { kind: 'ok'; value: NormalisedEvent }).value.event;
}

function withData(changes: Record<string, unknown>, envelope: Record<string, unknown> = {}) {
  return { ...UPDATED, ...envelope, event_data: { ...DATA, ...changes } };
}

describe('normaliseSurveyStep: Delighted webhooks (survey_response.*)', () => {
  it('delighted-survey-response-updated.json (the documented example) -> survey.nps', () => {
    const event = okEvent(normaliseSurveyStep(UPDATED, META, TEST_CONFIG));
    assert.equal(event.event_id, 'surveys:delighted:response:5435', 'the response, counted once');
    assert.equal(event.type, 'survey');
    assert.equal(event.name, 'survey.nps');
    assert.deepEqual([event.score_kind, event.score], ['nps', 9]);
    assert.equal(event.comment, 'Your service is fast and flawless!');
    assert.equal(event.event_time, 1734830850 * 1000, 'when the answer was given: created_at, Unix seconds');
    assert.match(event.ids.email_hash ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual([event.ids.user_id, event.ids.account_id, event.survey_stage], [null, null, null]);
    assert.doesNotMatch(JSON.stringify(event), /@|Charlie/, 'no raw email, no name');
    assert.deepEqual(JSON.parse(event.properties_json), {
      survey_vendor: 'delighted',
      delighted_event_type: 'survey_response.updated',
      response_id: '5435',
      delighted_person_id: '5975',
      tags: [],
    });
  });

  it('survey_response.created and .updated of one response are one answer: same id and time', () => {
    const payload = withData({ comment: null }, { event_type: 'survey_response.created', event_id: 'e1' });
    const created = okEvent(normaliseSurveyStep(payload, META, TEST_CONFIG));
    const updated = okEvent(normaliseSurveyStep(UPDATED, META, TEST_CONFIG));
    assert.equal(created.comment, null);
    assert.deepEqual([created.event_id, created.event_time], [updated.event_id, updated.event_time]);
    const { id: _id, ...noResponseId } = DATA;
    const legacy = okEvent(
      normaliseSurveyStep({ ...UPDATED, event_id: 'e1', event_data: noResponseId }, META, TEST_CONFIG),
    );
    assert.equal(legacy.event_id, 'surveys:delighted:e1', "no response id: Delighted's event id");
  });

  it('person_properties user_id / account_id become product identifiers', () => {
    const payload = withData({ person_properties: { user_id: 'user_5521', account_id: 'acct_81723' } });
    const event = okEvent(normaliseSurveyStep(payload, META, TEST_CONFIG));
    assert.deepEqual([event.ids.user_id, event.ids.account_id], ['user_5521', 'acct_81723']);
  });

  it('csat and ces survey types keep their kind', () => {
    const csat = okEvent(normaliseSurveyStep(withData({ survey_type: 'csat', score: 4 }), META, TEST_CONFIG));
    assert.deepEqual([csat.name, csat.score_kind, csat.score], ['survey.csat', 'csat', 4]);
    const ces = okEvent(normaliseSurveyStep(withData({ survey_type: 'ces', score: 2 }), META, TEST_CONFIG));
    assert.deepEqual([ces.name, ces.score_kind, ces.score], ['survey.ces', 'ces', 2]);
  });

  it('optional fields missing -> null, not a dead letter; no event_id -> content hash', () => {
    const { event_id: _id, ...envelope } = UPDATED;
    const payload = {
      ...envelope,
      event_data: {
        survey_type: 'nps',
        score: 3,
        person: { email: 'charlie_gravis@example.com' },
        created_at: 1734830850,
      },
    };
    const event = okEvent(normaliseSurveyStep(payload, META, TEST_CONFIG));
    assert.equal(event.comment, null);
    assert.equal(event.event_time, 1734830850 * 1000, 'updated_at missing: created_at');
    assert.match(event.event_id, /^surveys:sha256:[0-9a-f]{64}$/);
  });

  const rejects: Array<[string, unknown, string, RegExp]> = [
    [
      'unsubscribe.created',
      { ...UPDATED, event_type: 'unsubscribe.created' },
      'unsupported_event_type',
      /unsubscribe\.created/,
    ],
    [
      'an eNPS survey',
      withData({ survey_type: 'enps' }),
      'unsupported_event_type',
      /survey_type "enps" has no canonical score kind \(mapped: nps, csat, ces\)/,
    ],
    [
      'survey_type "constructor"',
      withData({ survey_type: 'constructor' }),
      'unsupported_event_type',
      /constructor/,
    ],
    ['NPS score 11', withData({ score: 11 }), 'invalid_field', /outside the nps range 0-10/],
    ['CSAT score 0', withData({ survey_type: 'csat', score: 0 }), 'invalid_field', /csat range 1-5/],
    ['no score', withData({ score: null }), 'missing_required_field', /event_data\.score/],
    ['no survey_type', withData({ survey_type: null }), 'missing_required_field', /survey_type/],
    ['no person email', withData({ person: { id: '5975' } }), 'no_identifier', /no person/],
    [
      'no time',
      withData({ created_at: null, updated_at: null }),
      'missing_required_field',
      /event_data\.created_at/,
    ],
    ['time in ms, not seconds', withData({ created_at: 1734830850000 }), 'timestamp_out_of_window', /after/],
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
