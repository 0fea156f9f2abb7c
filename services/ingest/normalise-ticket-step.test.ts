import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { StepResult } from '../shared/results.ts';
import { decodeMessageStep } from './decode-message-step.ts';
import { inputAvroType, loadFixture, metaAt, TEST_CONFIG, toAvroMessage } from './fixtures/load-fixture.ts';
import type { NormalisedEvent } from './ingest-config.ts';
import { normaliseTicketStep } from './normalise-ticket-step.ts';

const META = metaAt('2024-04-06T09:00:00Z');

function okEvent(result: StepResult<NormalisedEvent>): JourneyEvent {
  assert.equal(result.kind, 'ok', JSON.stringify(result));
  return (result as { kind: 'ok'; value: NormalisedEvent }).value.event;
}

describe('normaliseTicketStep: Zendesk-like ticket webhooks', () => {
  const cases: Array<[string, Partial<JourneyEvent>, Record<string, unknown>]> = [
    [
      'zendesk-ticket-created.json',
      {
        event_id: `tickets:35436:created:${Date.parse('2024-04-04T09:21:05Z')}`,
        name: 'ticket.created',
        event_time: Date.parse('2024-04-04T09:21:05Z'),
        ticket_status: 'new',
        ticket_priority: 'high',
        ticket_category: 'billing',
        score_kind: null,
        comment: null,
      },
      { properties_channel: 'email', tags: ['billing', 'invoice_question', 'enterprise'] },
    ],
    [
      'zendesk-ticket-solved.json',
      {
        name: 'ticket.solved',
        event_time: Date.parse('2024-04-05T14:02:40Z'),
        ticket_status: 'solved',
        ticket_id: '35436',
      },
      { properties_channel: 'web' },
    ],
    [
      'zendesk-satisfaction-rated.json',
      {
        name: 'ticket.satisfaction_rated',
        event_time: Date.parse('2024-04-06T08:15:00Z'),
        score_kind: 'csat',
        score: 0,
        comment: 'Took two days to fix a billing error. Considering alternatives.',
      },
      { satisfaction_rating: 'bad' },
    ],
  ];
  for (const [name, expected, props] of cases) {
    it(`${name} -> canonical event`, () => {
      const event = okEvent(normaliseTicketStep(loadFixture(name), META, TEST_CONFIG));
      assert.equal(event.type, 'ticket');
      assert.deepEqual(
        [event.ids.ticket_requester_id, event.ids.user_id, event.ids.account_id],
        ['20978392', 'user_5521', 'acct_81723'],
      );
      assert.match(event.ids.email_hash ?? '', /^[0-9a-f]{64}$/);
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(event[k as keyof JourneyEvent], v, k);
      const properties = JSON.parse(event.properties_json) as Record<string, unknown>;
      for (const [k, v] of Object.entries(props)) {
        assert.deepEqual(properties[k === 'properties_channel' ? 'channel' : k], v, k);
      }
      assert.doesNotMatch(JSON.stringify(event), /@/, 'the email in the subject is hashed too');
    });

    it(`${name}: Avro and JSON give the same event`, async () => {
      const fixture = loadFixture(name);
      const type = inputAvroType('tickets');
      const decoded = await decodeMessageStep(
        toAvroMessage('tickets', fixture, 5),
        async () => type,
        TEST_CONFIG.limits,
      );
      const payload = (decoded as { kind: 'ok'; value: { payload: unknown } }).value.payload;
      const fromAvro = okEvent(normaliseTicketStep(payload, META, TEST_CONFIG));
      const fromJson = okEvent(normaliseTicketStep(fixture, META, TEST_CONFIG));
      // Avro has no `via` record: the created fixture's via.channel only exists in JSON.
      assert.deepEqual({ ...fromAvro, properties_json: '' }, { ...fromJson, properties_json: '' });
    });
  }

  it('the requester email is the same pseudonym whatever its case and spacing', () => {
    const created = okEvent(
      normaliseTicketStep(loadFixture('zendesk-ticket-created.json'), META, TEST_CONFIG),
    );
    const solved = okEvent(normaliseTicketStep(loadFixture('zendesk-ticket-solved.json'), META, TEST_CONFIG));
    assert.equal(created.ids.email_hash, solved.ids.email_hash);
  });

  const base = loadFixture('zendesk-satisfaction-rated.json');
  const rejects: Array<[string, unknown, string]> = [
    ['missing ticket_id', { ...base, ticket_id: null }, 'missing_required_field'],
    ['ticket_id too long', { ...base, ticket_id: '9'.repeat(300) }, 'identifier_too_long'],
    ['unknown event kind', { ...base, event_kind: 'merged' }, 'unsupported_event_type'],
    ['satisfaction_rated without updated_at', { ...base, updated_at: undefined }, 'missing_required_field'],
    ['bad timestamp', { ...base, updated_at: '06/04/2024' }, 'invalid_field'],
    ['tags of numbers', { ...base, tags: [1, 2] }, 'invalid_field'],
    [
      'no requester nor organization',
      { ...base, requester: null, organization: { name: 'Acme' } },
      'no_identifier',
    ],
    ['requester is a string', { ...base, requester: 'jane' }, 'invalid_field'],
  ];
  for (const [label, payload, reason] of rejects) {
    it(`${label} -> dlq ${reason}`, () => {
      const r = normaliseTicketStep(payload, META, TEST_CONFIG);
      assert.equal(r.kind, 'dlq', JSON.stringify(r));
      assert.equal((r as { reason: string }).reason, reason);
    });
  }
});

describe('normaliseTicketStep: poison (#14)', () => {
  const base = loadFixture('zendesk-ticket-created.json');

  it('a rating named like an Object.prototype member is no score (was Object.prototype.constructor)', () => {
    for (const score of ['constructor', '__proto__', 'toString']) {
      const event = okEvent(
        normaliseTicketStep({ ...base, satisfaction_rating: { score } }, META, TEST_CONFIG),
      );
      assert.equal(event.score, null, score);
      assert.equal(event.score_kind, null, score);
    }
  });

  it('more tags than maxPropertyCount -> too_many_properties (array items were never counted)', () => {
    const tags = new Array(TEST_CONFIG.limits.maxPropertyCount + 1).fill('t');
    const result = normaliseTicketStep({ ...base, tags }, META, TEST_CONFIG);
    assert.equal(result.kind === 'dlq' && result.reason, 'too_many_properties');
    okEvent(normaliseTicketStep({ ...base, tags: tags.slice(1) }, META, TEST_CONFIG));
  });
});
