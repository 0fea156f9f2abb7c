// MRR in one reporting currency for customers that pay in several (issue #16).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import { convertMrr, parseExchangeRates } from './convert-mrr.ts';
import { loadFixture, TEST_CONFIG } from './fixtures/load-fixture.ts';
import type { NormalisedEvent } from './ingest-config.ts';
import { normaliseBillingStep } from './normalise-billing-step.ts';

const usd = { currency: 'usd', rates: parseExchangeRates('eur=1.08, GBP=1.27,jpy=0.0067') };

test('rates parse, and a malformed entry is named', () => {
  assert.deepEqual(
    [...usd.rates],
    [
      ['eur', 1.08],
      ['gbp', 1.27],
      ['jpy', 0.0067],
    ],
  );
  assert.throws(() => parseExchangeRates('eur=1.08,euro'), /"euro" is not/);
  assert.throws(() => parseExchangeRates('eur=0'), /"eur=0"/);
});

test('minor units convert through major units, each currency with its own exponent', () => {
  assert.equal(convertMrr(10_000, 'eur', usd), 10_800); // EUR 100.00 -> USD 108.00
  assert.equal(convertMrr(10_000, 'jpy', usd), 6_700); // JPY 10,000 (no minor unit) -> USD 67.00
  assert.equal(convertMrr(10_000, 'usd', usd), 10_000);
  assert.equal(convertMrr(10_000, 'chf', usd), null, 'no rate: no MRR, never a mixed sum');
  assert.equal(
    convertMrr(10_000, 'chf', { currency: '', rates: new Map() }),
    10_000,
    'no reporting currency',
  );
});

test('a EUR subscription reports its MRR in the reporting currency; one without a rate bears none and says why', () => {
  const fixture = loadFixture('stripe-customer-subscription-created.json');
  const inEur = JSON.parse(JSON.stringify(fixture).replaceAll('"usd"', '"eur"')) as Record<string, unknown>;
  const meta = { receivedTime: Number(fixture['created']) * 1000 + 2000 };
  const event = (config: typeof TEST_CONFIG): JourneyEvent => {
    const result = normaliseBillingStep(inEur, meta, config);
    assert.equal(result.kind, 'ok');
    return (result as { kind: 'ok'; value: NormalisedEvent }).value.event;
  };
  assert.equal(event(TEST_CONFIG).mrr_cents, 62_500, "no MRR_CURRENCY: the subscription's own currency");
  const converted = event({ ...TEST_CONFIG, mrrCurrency: usd });
  assert.equal(converted.mrr_cents, 67_500); // EUR 625.00 x 1.08
  assert.equal(converted.mrr_change_kind, 'new');
  const unconverted = event({ ...TEST_CONFIG, mrrCurrency: { currency: 'usd', rates: new Map() } });
  assert.equal(unconverted.mrr_cents, null);
  assert.equal(unconverted.mrr_change_kind, null);
  assert.equal(JSON.parse(unconverted.properties_json).mrr_unconverted_currency, 'eur');
});
