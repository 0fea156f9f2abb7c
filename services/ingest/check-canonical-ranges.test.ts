import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { journeyEventType } from '../shared/kafka/canonical-codec.ts';
import { loadFixture, TEST_CONFIG } from './fixtures/load-fixture.ts';
import type { InputSource } from './ingest-config.ts';
import { normaliseEventStep } from './normalise-event-step.ts';

const canonical = journeyEventType();

/** A fixture with one field replaced at a dotted path (array indexes as numbers). */
function withField(name: string, path: Array<string | number>, value: unknown): Record<string, unknown> {
  const copy = structuredClone(loadFixture(name));
  let at = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path[path.length - 1]!] = value;
  return copy;
}

function normalise(source: InputSource, payload: Record<string, unknown>, receivedTime: number) {
  return normaliseEventStep(source, payload, { receivedTime }, TEST_CONFIG);
}

const billingTime = (payload: Record<string, unknown>) => Number(payload['created']) * 1000 + 2000;
const subscriptionItem = ['data', 'object', 'items', 'data', 0];

function itemQuantity(name: string, quantity: number): Record<string, unknown> {
  const payload = withField(name, [...subscriptionItem, 'quantity'], quantity);
  ((payload['data'] as Record<string, unknown>)['object'] as Record<string, unknown>)['quantity'] = null;
  return payload;
}

describe('checkCanonicalRanges: numbers the canonical Avro cannot hold are value_out_of_range (#14)', () => {
  const cases: Array<[string, InputSource, Record<string, unknown>, number]> = (() => {
    const sub = 'stripe-customer-subscription-created.json';
    const paid = 'stripe-invoice-paid.json';
    const track = 'segment-track.json';
    const trackAt = Date.parse('2015-12-12T19:11:01.266Z');
    const rows: Array<[string, InputSource, Record<string, unknown>]> = [
      ['seats 3e9 (beyond an Avro int)', 'billing', withField(sub, ['data', 'object', 'quantity'], 3e9)],
      [
        'seats 1e20 (an integer beyond 2^53)',
        'billing',
        withField(sub, ['data', 'object', 'quantity'], 1e20),
      ],
      ['item quantity 2^31, no subscription quantity', 'billing', itemQuantity(sub, 2 ** 31)],
      [
        'amount_paid 2^53 - 1 (beyond avsc long)',
        'billing',
        withField(paid, ['data', 'object', 'amount_paid'], 9007199254740991),
      ],
      [
        'MRR beyond a long (unit_amount 1e15 x 40)',
        'billing',
        withField(sub, [...subscriptionItem, 'price', 'unit_amount'], 1e15),
      ],
    ];
    const out: Array<[string, InputSource, Record<string, unknown>, number]> = rows.map(([n, s, p]) => [
      n,
      s,
      p,
      billingTime(p),
    ]);
    const revenue = (v: number) => ({ ...loadFixture(track), properties: { revenue: v } });
    out.push(['revenue 1e14 (1e16 cents)', 'behavior', revenue(1e14), trackAt]);
    out.push(['revenue 1e308 (Infinity cents)', 'behavior', revenue(1e308), trackAt]);
    return out;
  })();

  for (const [name, source, payload, receivedTime] of cases) {
    it(name, () => {
      const result = normalise(source, payload, receivedTime);
      assert.equal(result.kind, 'dlq', JSON.stringify(result).slice(0, 300));
      assert.equal(result.kind === 'dlq' && result.reason, 'value_out_of_range');
    });
  }

  it('the largest values that fit still normalise and encode', () => {
    const sub = withField(
      'stripe-customer-subscription-created.json',
      ['data', 'object', 'quantity'],
      2 ** 31 - 1,
    );
    const result = normalise('billing', sub, billingTime(sub));
    assert.equal(result.kind, 'ok', JSON.stringify(result).slice(0, 300));
    if (result.kind === 'ok') assert.doesNotThrow(() => canonical.toBuffer(result.value.event));
  });
});
