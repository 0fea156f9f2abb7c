import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avro from 'avsc';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { StepResult } from '../shared/results.ts';
import { decodeMessageStep } from './decode-message-step.ts';
import { inputAvroType, loadFixture, metaAt, TEST_CONFIG, toAvroMessage } from './fixtures/load-fixture.ts';
import type { IngestConfig, NormalisedEvent } from './ingest-config.ts';
import { normaliseBehaviorStep } from './normalise-behavior-step.ts';

// HMAC-SHA-256('peter@example.com') keyed by TEST_CONFIG's secret (computed independently with openssl-equivalent node:crypto once).
const PETER_EMAIL_HASH = 'ff9655707878a233428411237100322bffced6255c27793faf87665339b8aac2';

function okEvent(result: StepResult<NormalisedEvent>): JourneyEvent {
  assert.equal(result.kind, 'ok', JSON.stringify(result));
  return (result as { kind: 'ok'; value: NormalisedEvent }).value.event;
}

function normalise(
  fixture: Record<string, unknown>,
  config: IngestConfig = TEST_CONFIG,
): StepResult<NormalisedEvent> {
  const receivedAt =
    typeof fixture['receivedAt'] === 'string' ? fixture['receivedAt'] : '2024-04-04T12:00:02Z';
  return normaliseBehaviorStep(fixture, metaAt(receivedAt), config);
}

describe('normaliseBehaviorStep: real-shaped Segment / RudderStack messages', () => {
  const cases: Array<{ fixture: string; expect: Partial<JourneyEvent>; ids: Partial<JourneyEvent['ids']> }> =
    [
      {
        fixture: 'segment-track.json',
        expect: {
          event_id: 'behavior:ajs-f8ca1e4de5024d9430b3928bd8ac6b96',
          type: 'track',
          name: 'Course Clicked',
          // originalTimestamp .152 + (receivedAt .266 - sentAt .169) = .249 = Segment's own timestamp
          event_time: Date.parse('2015-12-12T19:11:01.249Z'),
          channel: 'direct',
          properties_json: '{"title":"Intro to Analytics"}',
          traits_json: null,
        },
        ids: { user_id: 'AiUGstSDIg', anonymous_id: '23adfd82-aa0f-45a7-a756-24f2a7a4c895' },
      },
      {
        fixture: 'segment-identify.json',
        expect: {
          type: 'identify',
          name: 'identify',
          // timestamp .111 + (receivedAt .387 - sentAt .111)
          event_time: Date.parse('2015-02-23T22:28:55.387Z'),
          plan: 'premium',
          channel: null,
          traits_json:
            '{"name":"Peter Gibbons","plan":"premium","logins":5,"address":{"street":"6th St","city":"San Francisco","state":"CA","postalCode":"94103","country":"USA"}}',
        },
        ids: { user_id: '97980cfea0067', email_hash: PETER_EMAIL_HASH, email: null },
      },
      {
        fixture: 'segment-page.json',
        expect: {
          type: 'page',
          name: 'Pricing',
          channel: 'paid_search',
          utm: {
            source: 'google',
            medium: 'cpc',
            campaign: 'spring_sale',
            term: 'journey analytics',
            content: 'ad_variant_b',
          },
        },
        ids: { user_id: '97980cfea0067' },
      },
      {
        fixture: 'segment-group.json',
        expect: {
          type: 'group',
          plan: 'enterprise',
          traits_json:
            '{"name":"Initech","industry":"Technology","employees":329,"plan":"enterprise","total billed":830}',
        },
        // the group's email is the company's, not the person's: removed from traits, not an identifier
        ids: { account_id: '0e8c78ea9d97a7b8185e8632', user_id: '97980cfea0067', email_hash: null },
      },
      {
        fixture: 'segment-alias.json',
        expect: { type: 'alias', name: 'alias' },
        ids: { user_id: '507f191e81', previous_id: '39239-239239-239239-23923' },
      },
      {
        fixture: 'segment-experiment-viewed.json',
        expect: {
          name: 'Experiment Viewed',
          experiment_id: 'onboarding_invite_v2',
          experiment_variant: 'treatment',
          // device clock 1.5 s ahead of the collector: sentAt 12:00:03.000, receivedAt 12:00:01.500
          event_time: Date.parse('2024-04-04T11:59:58.500Z'),
          channel: 'internal',
          properties_json:
            '{"experiment_name":"Invite step copy","variation_name":"Social proof copy","nonInteraction":1}',
        },
        ids: { account_id: 'acct_81723', user_id: 'user_5521' },
      },
      {
        fixture: 'rudderstack-track.json',
        expect: {
          name: 'Order Completed',
          event_time: Date.parse('2020-01-09T10:01:53.558Z'),
          channel: 'organic_search',
          amount_cents: 2500,
          currency: 'usd',
          traits_json: '{"name":"Alex Keener"}',
        },
        ids: { user_id: '123456', email: null },
      },
    ];

  for (const c of cases) {
    it(`${c.fixture} -> canonical event`, () => {
      const fixture = loadFixture(c.fixture);
      const event = okEvent(normalise(fixture));
      assert.equal(event.source, 'behavior');
      assert.equal(event.received_time, Date.parse(String(fixture['receivedAt'])));
      for (const [key, value] of Object.entries(c.expect)) {
        assert.deepEqual(event[key as keyof JourneyEvent], value, key);
      }
      for (const [key, value] of Object.entries(c.ids)) {
        assert.deepEqual(event.ids[key as keyof JourneyEvent['ids']], value, `ids.${key}`);
      }
      assert.equal(event.person_id, null);
      assert.equal(event.account_id, null);
      assert.doesNotMatch(JSON.stringify(event), /@/, 'no raw email anywhere');
    });

    it(`${c.fixture}: the Avro-encoded message gives the same event as the JSON`, async () => {
      const fixture = loadFixture(c.fixture);
      const type = inputAvroType('behavior');
      const decoded = await decodeMessageStep(
        toAvroMessage('behavior', fixture, 42),
        async () => type,
        TEST_CONFIG.limits,
      );
      assert.equal(decoded.kind, 'ok');
      const payload = (decoded as { kind: 'ok'; value: { payload: unknown } }).value.payload;
      assert.deepEqual(
        okEvent(normaliseBehaviorStep(payload, metaAt(String(fixture['receivedAt'])), TEST_CONFIG)),
        okEvent(normalise(fixture)),
      );
    });
  }
});

describe('normaliseBehaviorStep: ids, PII and event time', () => {
  it('keeps the raw normalised email only when keepRawPii is set, and never in traits', () => {
    const config = { ...TEST_CONFIG, pii: { ...TEST_CONFIG.pii, keepRawPii: true } };
    const event = okEvent(normalise(loadFixture('segment-identify.json'), config));
    assert.equal(event.ids.email, 'peter@example.com');
    assert.equal(event.ids.email_hash, PETER_EMAIL_HASH);
    assert.doesNotMatch(event.traits_json ?? '', /email/i);
  });

  it('hashes emails found inside properties and drops email keys', () => {
    const fixture = {
      ...loadFixture('segment-track.json'),
      properties: {
        email: 'a@b.co',
        note: 'ping Peter@Example.com please',
        nested: { emailAddress: 'c@d.co' },
      },
    };
    const props = JSON.parse(okEvent(normalise(fixture)).properties_json) as Record<string, unknown>;
    assert.deepEqual(props, { note: `ping hmac:${PETER_EMAIL_HASH} please`, nested: {} });
  });

  it('removes junk identifiers and reports each removed field', () => {
    const fixture = {
      ...loadFixture('segment-track.json'),
      userId: 'undefined',
      anonymousId: '00000000-0000-0000-0000-000000000000',
      context: { groupId: 'acct_1', device: { id: 'null' } },
    };
    const result = normalise(fixture);
    assert.equal(result.kind, 'ok');
    const { event, junkIdentifiers } = (result as { kind: 'ok'; value: NormalisedEvent }).value;
    assert.deepEqual(junkIdentifiers.sort(), ['anonymous_id', 'device_id', 'user_id']);
    assert.equal(event.ids.user_id, null);
    assert.equal(event.ids.account_id, 'acct_1');
  });

  it('applies the configured extra junk pattern', () => {
    const config = { ...TEST_CONFIG, junkIdentifierPattern: /^qa-/ };
    const event = okEvent(normalise({ ...loadFixture('segment-track.json'), userId: 'qa-bot-1' }, config));
    assert.equal(event.ids.user_id, null);
  });

  it('uses the Kafka timestamp when receivedAt is missing', () => {
    const { receivedAt: _r, originalTimestamp: _o, ...fixture } = loadFixture('segment-track.json');
    fixture['timestamp'] = '2024-01-01T00:00:00.000Z';
    fixture['sentAt'] = '2024-01-01T00:00:05.000Z';
    const meta = metaAt('2024-01-01T00:00:02.000Z'); // device clock 3 s fast
    const event = okEvent(normaliseBehaviorStep(fixture, meta, TEST_CONFIG));
    assert.equal(event.event_time, Date.parse('2023-12-31T23:59:57.000Z'));
  });

  it('without messageId the id is a content hash: same across redeliveries and wire formats', async () => {
    const { messageId: _m, ...fixture } = loadFixture('segment-track.json');
    const first = okEvent(normaliseBehaviorStep(fixture, metaAt('2015-12-12T19:11:02Z'), TEST_CONFIG));
    const later = okEvent(normaliseBehaviorStep(fixture, metaAt('2015-12-12T19:15:00Z'), TEST_CONFIG));
    assert.match(first.event_id, /^behavior:sha256:[0-9a-f]{64}$/);
    assert.equal(later.event_id, first.event_id);
    const other = okEvent(
      normaliseBehaviorStep(
        { ...fixture, event: 'Course Completed' },
        metaAt('2015-12-12T19:11:02Z'),
        TEST_CONFIG,
      ),
    );
    assert.notEqual(other.event_id, first.event_id);
    const avroPayload = inputAvroType('behavior').fromBuffer(
      inputAvroType('behavior').toBuffer({
        ...fixture,
        properties_json: '{"title":"Intro to Analytics"}',
        properties: undefined,
      }),
    );
    assert.equal(
      okEvent(normaliseBehaviorStep(avroPayload, metaAt('2015-12-12T19:11:02Z'), TEST_CONFIG)).event_id,
      first.event_id,
    );
  });

  it('accepts numeric user ids as text', () => {
    const event = okEvent(normalise({ ...loadFixture('segment-alias.json'), userId: 12345 }));
    assert.equal(event.ids.user_id, '12345');
  });
});

describe('normaliseBehaviorStep: every reject reason', () => {
  const base = loadFixture('segment-track.json');
  const tight = {
    ...TEST_CONFIG,
    limits: {
      ...TEST_CONFIG.limits,
      maxPropertyCount: 3,
      maxDepth: 4,
      maxStringLength: 200,
      maxIdentifierLength: 20,
    },
  };
  const cases: Array<[string, unknown, string, IngestConfig?]> = [
    ['not an object', ['track'], 'invalid_field'],
    ['missing type', { ...base, type: undefined }, 'missing_required_field'],
    ['unsupported type', { ...base, type: 'batch' }, 'unsupported_event_type'],
    [
      'no userId nor anonymousId',
      { ...base, userId: null, anonymousId: undefined },
      'missing_required_field',
    ],
    ['track without event', { ...base, event: null }, 'missing_required_field'],
    [
      'group without groupId',
      { ...loadFixture('segment-group.json'), groupId: undefined },
      'missing_required_field',
    ],
    [
      'alias without previousId',
      { ...loadFixture('segment-alias.json'), previousId: undefined },
      'missing_required_field',
    ],
    ['only junk identifiers', { ...base, userId: 'anonymous', anonymousId: '' }, 'no_identifier'],
    ['userId is an object', { ...base, userId: { id: 1 } }, 'invalid_field'],
    ['unparseable timestamp', { ...base, originalTimestamp: 'yesterday' }, 'invalid_field'],
    ['properties is an array', { ...base, properties: [1, 2] }, 'invalid_field'],
    [
      'properties_json is not JSON',
      { ...base, properties: undefined, properties_json: '{oops' },
      'invalid_field',
    ],
    ['revenue is not a number', { ...base, properties: { revenue: 'lots' } }, 'invalid_field'],
    [
      'too many properties',
      { ...base, properties: { a: 1, b: 2, c: { d: 3 } } },
      'too_many_properties',
      tight,
    ],
    ['too deep', { ...base, properties: { a: { b: { c: {} } } } }, 'too_deep', tight],
    ['string too long', { ...base, properties: { title: 'x'.repeat(201) } }, 'string_too_long', tight],
    ['identifier too long', { ...base, userId: 'u'.repeat(21) }, 'identifier_too_long', tight],
    [
      'messageId too long',
      { ...base, messageId: 'm'.repeat(21), userId: 'u1', anonymousId: 'a1' },
      'identifier_too_long',
      { ...tight, limits: { ...tight.limits, maxStringLength: 1000 } },
    ],
  ];
  for (const [label, payload, reason, config] of cases) {
    it(`${label} -> dlq ${reason}`, () => {
      const result = normaliseBehaviorStep(
        payload,
        metaAt('2015-12-12T19:11:01.266Z'),
        config ?? TEST_CONFIG,
      );
      assert.equal(result.kind, 'dlq', JSON.stringify(result));
      assert.equal((result as { reason: string }).reason, reason);
    });
  }

  it('event time older than maxPastDays -> dlq timestamp_out_of_window', () => {
    const result = normaliseBehaviorStep(base, metaAt('2016-06-01T00:00:00Z'), TEST_CONFIG);
    assert.deepEqual(
      [result.kind, (result as { reason: string }).reason],
      ['dlq', 'timestamp_out_of_window'],
    );
  });

  it('event time beyond maxFutureMinutes -> dlq timestamp_out_of_window; just inside passes', () => {
    const { originalTimestamp: _o, sentAt: _s, receivedAt: _r, ...fixture } = base;
    const at = (iso: string) =>
      normaliseBehaviorStep({ ...fixture, timestamp: iso }, metaAt('2024-01-01T00:00:00Z'), TEST_CONFIG);
    assert.equal((at('2024-01-01T00:16:00Z') as { reason: string }).reason, 'timestamp_out_of_window');
    assert.equal(at('2024-01-01T00:14:00Z').kind, 'ok');
  });

  it('an Avro record with a wrongly typed free-form field is rejected the same way as JSON', () => {
    const type = avro.Type.forSchema({
      type: 'record',
      name: 'X',
      fields: [
        { name: 'type', type: 'string' },
        { name: 'userId', type: 'string' },
        { name: 'event', type: 'string' },
        { name: 'traits_json', type: 'string' },
      ],
    });
    const payload = type.fromBuffer(
      type.toBuffer({ type: 'track', userId: 'u1', event: 'E', traits_json: '[1]' }),
    );
    const result = normaliseBehaviorStep(payload, metaAt('2024-01-01T00:00:00Z'), TEST_CONFIG);
    assert.deepEqual([result.kind, (result as { reason: string }).reason], ['dlq', 'invalid_field']);
  });
});
