import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { StepResult } from '../shared/results.ts';
import { decodeMessageStep } from './decode-message-step.ts';
import { inputAvroType, loadFixture, metaAt, TEST_CONFIG, toAvroMessage } from './fixtures/load-fixture.ts';
import type { NormalisedEvent } from './ingest-config.ts';
import { normaliseSurveyStep } from './normalise-survey-step.ts';

const META = metaAt('2024-04-06T11:00:00Z');

function okEvent(result: StepResult<NormalisedEvent>): JourneyEvent {
  assert.equal(result.kind, 'ok', JSON.stringify(result));
  return (result as { kind: 'ok'; value: NormalisedEvent }).value.event;
}

describe('normaliseSurveyStep', () => {
  const cases: Array<[string, Partial<JourneyEvent>]> = [
    [
      'survey-nps.json',
      {
        event_id: 'surveys:resp_01HTQ8Z6M4K2V9',
        type: 'survey',
        name: 'survey.nps',
        score_kind: 'nps',
        score: 4,
        survey_stage: 'engagement',
        event_time: Date.parse('2024-04-06T10:30:12Z'),
      },
    ],
    [
      'survey-csat.json',
      {
        name: 'survey.csat',
        score_kind: 'csat',
        score: 5,
        comment: 'Setup took ten minutes.',
        survey_stage: 'activation',
        event_time: Date.parse('2024-04-04T10:05:00Z'),
      },
    ],
  ];
  for (const [name, expected] of cases) {
    it(`${name} -> canonical event`, () => {
      const event = okEvent(normaliseSurveyStep(loadFixture(name), META, TEST_CONFIG));
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(event[k as keyof JourneyEvent], v, k);
      assert.doesNotMatch(JSON.stringify(event), /@/);
    });

    it(`${name}: Avro and JSON give the same event`, async () => {
      const fixture = loadFixture(name);
      const type = inputAvroType('surveys');
      const decoded = await decodeMessageStep(
        toAvroMessage('surveys', fixture, 9),
        async () => type,
        TEST_CONFIG.limits,
      );
      const payload = (decoded as { kind: 'ok'; value: { payload: unknown } }).value.payload;
      assert.deepEqual(
        okEvent(normaliseSurveyStep(payload, META, TEST_CONFIG)),
        okEvent(normaliseSurveyStep(fixture, META, TEST_CONFIG)),
      );
    });
  }

  it('the NPS verbatim keeps its words but not the email in it', () => {
    const event = okEvent(normaliseSurveyStep(loadFixture('survey-nps.json'), META, TEST_CONFIG));
    assert.match(
      event.comment ?? '',
      /^Reporting is too slow since the last release\. Email me at hmac:[0-9a-f]{64}$/,
    );
    assert.equal(event.comment?.slice(-64), event.ids.email_hash);
    assert.deepEqual([event.ids.user_id, event.ids.account_id], ['user_5521', 'acct_81723']);
  });

  it('without response_id the id is a content hash', () => {
    const { response_id: _r, ...fixture } = loadFixture('survey-csat.json');
    const a = okEvent(normaliseSurveyStep(fixture, META, TEST_CONFIG));
    const b = okEvent(normaliseSurveyStep(fixture, metaAt('2024-04-06T12:00:00Z'), TEST_CONFIG));
    assert.match(a.event_id, /^surveys:sha256:/);
    assert.equal(a.event_id, b.event_id);
  });

  const base = loadFixture('survey-nps.json');
  const rejects: Array<[string, unknown, string]> = [
    ['unknown survey kind', { ...base, survey_kind: 'pulse' }, 'unsupported_event_type'],
    ['NPS score 11', { ...base, score: 11 }, 'invalid_field'],
    ['CSAT score 0', { ...loadFixture('survey-csat.json'), score: 0 }, 'invalid_field'],
    ['score is text', { ...base, score: 'great' }, 'invalid_field'],
    ['missing score', { ...base, score: null }, 'missing_required_field'],
    ['missing answered_at', { ...base, answered_at: undefined }, 'missing_required_field'],
    ['missing survey_id', { ...base, survey_id: undefined }, 'missing_required_field'],
    [
      'only junk respondent ids',
      { ...base, respondent: { user_id: '-1', email: 'none' }, account_id: null },
      'no_identifier',
    ],
    ['answered next year', { ...base, answered_at: '2025-04-06T10:30:12Z' }, 'timestamp_out_of_window'],
  ];
  for (const [label, payload, reason] of rejects) {
    it(`${label} -> dlq ${reason}`, () => {
      const r = normaliseSurveyStep(payload, META, TEST_CONFIG);
      assert.equal(r.kind, 'dlq', JSON.stringify(r));
      assert.equal((r as { reason: string }).reason, reason);
    });
  }
});
