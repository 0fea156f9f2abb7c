import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkTimestampWindow, correctClockSkew, optTime, parseIsoTime } from './event-time.ts';
import { DEFAULT_INGEST_LIMITS } from './ingest-config.ts';
import { PayloadError } from './payload-error.ts';

const t = (iso: string) => Date.parse(iso);

describe('parseIsoTime', () => {
  const ok: Array<[string, string]> = [
    ['2024-04-04T12:00:00Z', '2024-04-04T12:00:00.000Z'],
    ['2024-04-04T12:00:00.123456Z', '2024-04-04T12:00:00.123Z'],
    ['2024-04-04T14:00:00+02:00', '2024-04-04T12:00:00.000Z'],
    ['2024-04-04T14:00:00+0200', '2024-04-04T12:00:00.000Z'],
    ['2024-04-04 12:00:00', '2024-04-04T12:00:00.000Z'],
    ['2024-04-04T12:00', '2024-04-04T12:00:00.000Z'],
    ['2024-04-04', '2024-04-04T00:00:00.000Z'],
  ];
  for (const [text, iso] of ok)
    it(`${text} (zone-less = UTC)`, () => assert.equal(parseIsoTime(text, 'x'), t(iso)));

  for (const text of ['yesterday', '1712232000', '04/04/2024', '2024-13-45T99:00:00Z', '']) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => parseIsoTime(text, 'timestamp'),
        (e: unknown) => e instanceof PayloadError && e.reason === 'invalid_field',
      );
    });
  }
});

describe('parseIsoTime fast path (YYYY-MM-DDTHH:MM:SS.sssZ)', () => {
  // A trailing space sends the same text through the general parser (it trims first).
  const outcome = (text: string): number | string => {
    try {
      return parseIsoTime(text, 'x');
    } catch (e) {
      return (e as PayloadError).reason;
    }
  };
  it('agrees with the general parser on every canonical time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), (ms) => {
        const text = new Date(ms).toISOString();
        assert.equal(outcome(text), ms);
        assert.equal(outcome(`${text} `), ms);
      }),
      { numRuns: 5_000 },
    );
  });
  it('agrees on impossible dates and clocks of the canonical shape', () => {
    for (const text of [
      '2024-13-01T00:00:00.000Z',
      '2024-02-30T00:00:00.000Z',
      '2023-02-29T00:00:00.000Z',
      '2024-01-01T24:00:00.000Z',
      '2024-01-01T23:60:00.000Z',
      '2024-01-01T23:59:60.000Z',
    ])
      assert.equal(outcome(text), outcome(`${text} `), text);
  });
});

describe('correctClockSkew', () => {
  const kafka = t('2024-01-01T00:00:10Z');
  it('raw SDK message: timestamp + (receivedAt - sentAt)', () => {
    const clock = {
      timestamp: t('2024-01-01T00:00:00Z'),
      sentAt: t('2024-01-01T00:00:05Z'),
      receivedAt: t('2024-01-01T00:00:02Z'),
    };
    assert.equal(correctClockSkew(clock, kafka), t('2023-12-31T23:59:57Z'));
  });
  it('Segment-processed message: corrects originalTimestamp, not the already corrected timestamp', () => {
    const clock = {
      originalTimestamp: t('2024-01-01T00:00:00Z'),
      timestamp: t('2023-12-31T23:59:57Z'),
      sentAt: t('2024-01-01T00:00:05Z'),
      receivedAt: t('2024-01-01T00:00:02Z'),
    };
    assert.equal(correctClockSkew(clock, kafka), t('2023-12-31T23:59:57Z'));
  });
  it('receivedAt missing: the Kafka timestamp stands in', () => {
    assert.equal(
      correctClockSkew({ timestamp: t('2024-01-01T00:00:00Z'), sentAt: t('2024-01-01T00:00:01Z') }, kafka),
      t('2024-01-01T00:00:09Z'),
    );
  });
  it('no sentAt: timestamp as is; no device time at all: receivedAt', () => {
    assert.equal(correctClockSkew({ timestamp: 5, receivedAt: 9 }, kafka), 5);
    assert.equal(correctClockSkew({ receivedAt: 9 }, kafka), 9);
    assert.equal(correctClockSkew({}, kafka), kafka);
  });
});

describe('checkTimestampWindow', () => {
  const now = t('2024-06-01T00:00:00Z');
  it('accepts the edges and rejects beyond them', () => {
    const day = 86_400_000;
    assert.doesNotThrow(() => checkTimestampWindow(now - 90 * day, now, DEFAULT_INGEST_LIMITS));
    assert.doesNotThrow(() => checkTimestampWindow(now + 15 * 60_000, now, DEFAULT_INGEST_LIMITS));
    for (const eventTime of [now - 90 * day - 1, now + 15 * 60_000 + 1]) {
      assert.throws(
        () => checkTimestampWindow(eventTime, now, DEFAULT_INGEST_LIMITS),
        (e: unknown) => e instanceof PayloadError && e.reason === 'timestamp_out_of_window',
      );
    }
  });

  it('a time no Date can hold is out of the window, not a RangeError from toISOString (#14)', () => {
    const huge = [9007199254740991, -9007199254740991, 8.64e15 + 1, 1e20, 1e308, Number.NaN, -Infinity];
    for (const eventTime of huge) {
      assert.throws(
        () => checkTimestampWindow(eventTime, now, DEFAULT_INGEST_LIMITS),
        (e: unknown) => e instanceof PayloadError && e.reason === 'timestamp_out_of_window',
        String(eventTime),
      );
    }
  });
});

describe('optTime', () => {
  it('epoch milliseconds beyond what a Date holds are out of the window (#14)', () => {
    assert.equal(optTime({ t: 8.64e15 }, 't'), 8.64e15);
    for (const t of [8.64e15 + 1, -9007199254740991]) {
      assert.throws(
        () => optTime({ t }, 't'),
        (e: unknown) => e instanceof PayloadError && e.reason === 'timestamp_out_of_window',
      );
    }
  });
});
