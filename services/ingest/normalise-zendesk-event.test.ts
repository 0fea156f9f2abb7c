// Zendesk event webhooks through normaliseTicketStep: the documented ticket.created example as
// sent, and the other mapped types built from it by changing only `type`, `event` and `id` (the
// envelope and the detail object are the same for every ticket event type).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { StepResult } from '../shared/results.ts';
import { loadFixture, metaAt, TEST_CONFIG } from './fixtures/load-fixture.ts';
import type { NormalisedEvent } from './ingest-config.ts';
import { normaliseTicketStep } from './normalise-ticket-step.ts';

const META = metaAt('2025-01-08T12:00:00Z');
const CREATED = loadFixture('zendesk-event-ticket-created.json');
const DETAIL = CREATED.detail as Record<string, unknown>;

function okEvent(result: StepResult<NormalisedEvent>): JourneyEvent {
  assert.equal(result.kind, 'ok', JSON.stringify(result));
  return (result as { kind: 'ok'; value: NormalisedEvent }).value.event;
}

function properties(event: JourneyEvent): Record<string, unknown> {
  return JSON.parse(event.properties_json) as Record<string, unknown>;
}

function zendeskEvent(type: string, event: unknown, changes: Record<string, unknown> = {}) {
  return { ...CREATED, type: `zen:event-type:${type}`, event, id: `evt-${type}`, ...changes };
}

describe('normaliseTicketStep: Zendesk event webhooks (zen:event-type:ticket.*)', () => {
  it('zendesk-event-ticket-created.json (the documented example) -> ticket.created', () => {
    const event = okEvent(normaliseTicketStep(CREATED, META, TEST_CONFIG));
    assert.equal(event.event_id, 'tickets:zendesk:cbe4028c-7239-495d-b020-f22348516046');
    assert.equal(event.name, 'ticket.created');
    assert.equal(event.type, 'ticket');
    assert.equal(event.event_time, Date.parse('2025-01-08T10:12:07.672Z'), 'the envelope time, not detail');
    assert.equal(event.ticket_id, '5158');
    assert.equal(event.ticket_status, 'open');
    assert.equal(event.ticket_priority, 'low');
    assert.equal(event.ticket_category, null);
    assert.equal(event.comment, null);
    // Zendesk ids only: the requester is ticket_requester_id, never a product user or account.
    assert.equal(event.ids.ticket_requester_id, '8447388090494');
    assert.deepEqual([event.ids.user_id, event.ids.account_id, event.ids.email_hash], [null, null, null]);
    assert.deepEqual(properties(event), {
      zendesk_event_type: 'zen:event-type:ticket.created',
      zendesk_account_id: '22129848',
      channel: 'web_service',
      tags: ['ticket-info-test-tag'],
      subject: 'ticketinfo_2294a6e9ece2',
      organization_id: '8447346622462',
      ticket_type: 'task',
    });
  });

  it('a redelivery (same event id) gets the same event id', () => {
    const a = okEvent(normaliseTicketStep(CREATED, META, TEST_CONFIG));
    const b = okEvent(normaliseTicketStep(CREATED, metaAt('2025-01-08T12:05:00Z'), TEST_CONFIG));
    assert.equal(a.event_id, b.event_id);
  });

  const statusCases: Array<[string, string, string]> = [
    ['SOLVED', 'ticket.solved', 'solved'],
    ['CLOSED', 'ticket.solved', 'closed'],
    ['PENDING', 'ticket.updated', 'pending'],
  ];
  for (const [current, name, status] of statusCases) {
    it(`ticket.status_changed to ${current} -> ${name}`, () => {
      const payload = zendeskEvent('ticket.status_changed', { current, previous: 'OPEN' });
      const event = okEvent(normaliseTicketStep(payload, META, TEST_CONFIG));
      assert.equal(event.name, name);
      assert.equal(event.ticket_status, status);
      assert.equal(event.event_id, 'tickets:zendesk:evt-ticket.status_changed');
      assert.equal(properties(event).previous_status, 'open');
    });
  }

  it('ticket.priority_changed -> ticket.updated with the new priority', () => {
    const payload = zendeskEvent('ticket.priority_changed', { current: 'URGENT', previous: 'LOW' });
    const event = okEvent(normaliseTicketStep(payload, META, TEST_CONFIG));
    assert.equal(event.name, 'ticket.updated');
    assert.equal(event.ticket_priority, 'urgent');
    assert.equal(properties(event).previous_priority, 'low');
  });

  it('ticket.comment_added -> ticket.updated, the comment body with its emails pseudonymised', () => {
    const comment = {
      id: '999',
      body: 'Still broken, write to jane.doe@acme-corp.example',
      is_public: true,
      author: { id: '8447388090494', is_staff: false, name: 'Jane' },
    };
    const event = okEvent(
      normaliseTicketStep(zendeskEvent('ticket.comment_added', { comment }), META, TEST_CONFIG),
    );
    assert.equal(event.name, 'ticket.updated');
    assert.match(event.comment ?? '', /^Still broken, write to hmac:[0-9a-f]{64}$/);
    assert.doesNotMatch(JSON.stringify(event), /@|Jane"/);
    assert.equal(properties(event).comment_public, true);
    assert.equal(properties(event).comment_author_is_staff, false);
  });

  it('optional fields missing -> null / absent, not a dead letter', () => {
    const payload = {
      type: 'zen:event-type:ticket.created',
      time: '2025-01-08T10:12:07Z',
      detail: { id: '5158', requester_id: '8447388090494' },
    };
    const event = okEvent(normaliseTicketStep(payload, META, TEST_CONFIG));
    assert.deepEqual(
      [event.ticket_status, event.ticket_priority, event.comment, event.ids.account_id],
      [null, null, null, null],
    );
    assert.match(event.event_id, /^tickets:sha256:[0-9a-f]{64}$/, 'no event id: a content hash');
    assert.deepEqual(properties(event), { zendesk_event_type: 'zen:event-type:ticket.created', tags: [] });
  });

  it('organization_id "0" (Zendesk for none) is no organization', () => {
    const payload = { ...CREATED, detail: { ...DETAIL, organization_id: '0' } };
    const event = okEvent(normaliseTicketStep(payload, META, TEST_CONFIG));
    assert.equal(properties(event).organization_id, undefined);
  });

  it('without the envelope time the ticket updated_at is the event time', () => {
    const { time: _time, ...payload } = CREATED;
    const event = okEvent(normaliseTicketStep(payload, META, TEST_CONFIG));
    assert.equal(event.event_time, Date.parse('2025-01-08T10:12:07Z'));
  });

  const rejects: Array<[string, unknown, string, RegExp]> = [
    [
      'an unmapped ticket event',
      zendeskEvent('ticket.tags_changed', { added: ['x'] }),
      'unsupported_event_type',
      /ticket\.tags_changed" is not mapped \(mapped: ticket\.created, /,
    ],
    [
      'ticket.csat_received (payload not documented)',
      zendeskEvent('ticket.csat_received', {}),
      'unsupported_event_type',
      /not documented by Zendesk; send satisfaction ratings as a trigger webhook/,
    ],
    [
      'an organization event',
      { ...CREATED, type: 'zen:event-type:organization.created' },
      'unsupported_event_type',
      /organization\.created/,
    ],
    ['no detail', { ...CREATED, detail: undefined }, 'missing_required_field', /detail is required/],
    ['no ticket id', { ...CREATED, detail: { ...DETAIL, id: null } }, 'missing_required_field', /detail\.id/],
    [
      'no requester',
      { ...CREATED, detail: { ...DETAIL, requester_id: null } },
      'no_identifier',
      /no requester/,
    ],
    [
      'no time at all',
      { ...CREATED, time: undefined, detail: { ...DETAIL, updated_at: undefined } },
      'missing_required_field',
      /time is required/,
    ],
    ['a year late', { ...CREATED, time: '2024-01-08T10:12:07Z' }, 'timestamp_out_of_window', /days before/],
  ];
  for (const [label, payload, reason, detail] of rejects) {
    it(`${label} -> dlq ${reason}`, () => {
      const r = normaliseTicketStep(payload, META, TEST_CONFIG);
      assert.equal(r.kind, 'dlq', JSON.stringify(r));
      assert.equal((r as { reason: string }).reason, reason);
      assert.match((r as { detail: string }).detail, detail);
    });
  }
});

describe('normaliseTicketStep: Zendesk user events (zen:event-type:user.*)', () => {
  // The envelope of the ticket events with the user detail properties Zendesk documents (id,
  // external_id, email, organization_id, role, ... as strings), values from its examples.
  const USER = loadFixture('zendesk-event-user-created.json');
  const USER_DETAIL = USER.detail as Record<string, unknown>;

  it("an end-user's event joins the requester id of its tickets to the product user and email", () => {
    const event = okEvent(normaliseTicketStep(USER, META, TEST_CONFIG));
    assert.deepEqual([event.source, event.type, event.name], ['tickets', 'identify', 'zendesk.user.created']);
    assert.equal(event.ids.ticket_requester_id, '8447388090494', 'the requester_id of its tickets');
    assert.equal(event.ids.user_id, 'SF12345');
    assert.match(event.ids.email_hash ?? '', /^[0-9a-f]{64}$/);
    assert.doesNotMatch(JSON.stringify(event), /jdoe@/, 'no raw email');
    assert.equal(event.event_id, 'tickets:zendesk:4c0e5dc3-6e51-4ef4-9b1b-0f6a1f2f0f31');
    assert.equal(properties(event).organization_id, '8447346622462');
    assert.equal(properties(event).role, undefined, "a Zendesk role is not the customer's");
    const changed = okEvent(
      normaliseTicketStep(
        {
          ...USER,
          type: 'zen:event-type:user.external_id_changed',
          event: { current: 'SF999', previous: 'SF12345' },
        },
        META,
        TEST_CONFIG,
      ),
    );
    assert.equal(changed.ids.user_id, 'SF12345', 'the detail is the user as it is now');
  });

  it('support staff and users naming nothing beyond their Zendesk id are dropped, deletions dead-lettered', () => {
    const agent = normaliseTicketStep(
      { ...USER, detail: { ...USER_DETAIL, role: 'agent' } },
      META,
      TEST_CONFIG,
    );
    assert.deepEqual(agent, { kind: 'drop', reason: 'zendesk_staff_user' });
    const bare = normaliseTicketStep(
      { ...USER, detail: { ...USER_DETAIL, external_id: null, email: null } },
      META,
      TEST_CONFIG,
    );
    assert.deepEqual(bare, { kind: 'drop', reason: 'zendesk_user_without_product_id' });
    const deleted = normaliseTicketStep({ ...USER, type: 'zen:event-type:user.deleted' }, META, TEST_CONFIG);
    assert.equal(deleted.kind, 'dlq');
  });
});
