// Test fixtures: a steady, healthy account's signals, overridable field by field, and an
// arbitrary of every valid signal set for property tests.

import fc from 'fast-check';
import type { ChurnSignals } from './churn-signals.ts';

export const FIXTURE_AS_OF = Date.UTC(2025, 5, 1);

export const healthySignals = (overrides: Partial<ChurnSignals> = {}): ChurnSignals => ({
  account: 'acme',
  asOf: FIXTURE_AS_OF,
  mrr: 1000,
  usageTrendRatio: 1,
  activeUsersTrend: 1,
  daysSinceLastActivity: 0,
  activeSeats: 20,
  paidSeats: 20,
  tickets30d: 0,
  urgentTickets30d: 0,
  latestNps: 9,
  latestCsat: 5,
  failedPayments30d: 0,
  failedPayments60d: 0,
  contractions90d: 0,
  mrrDropPct: 0,
  championDaysInactive: 0,
  ...overrides,
});

/** Any valid ChurnSignals (counts consistent: urgent <= tickets, 30d <= 60d). */
export const arbitrarySignals = (): fc.Arbitrary<ChurnSignals> =>
  fc
    .record({
      usageTrendRatio: fc.option(fc.double({ min: 0, max: 5, noNaN: true })),
      activeUsersTrend: fc.option(fc.double({ min: 0, max: 5, noNaN: true })),
      daysSinceLastActivity: fc.option(fc.double({ min: 0, max: 400, noNaN: true })),
      activeSeats: fc.nat(200),
      paidSeats: fc.nat(200),
      tickets30d: fc.nat(50),
      urgent: fc.nat(50),
      latestNps: fc.option(fc.integer({ min: 0, max: 10 })),
      latestCsat: fc.option(fc.integer({ min: 1, max: 5 })),
      failedPayments30d: fc.nat(5),
      olderFailed: fc.nat(5),
      contractions90d: fc.nat(5),
      mrrDropPct: fc.double({ min: 0, max: 100, noNaN: true }),
      championDaysInactive: fc.option(fc.double({ min: 0, max: 400, noNaN: true })),
    })
    .map(({ urgent, olderFailed, ...s }) =>
      healthySignals({
        ...s,
        urgentTickets30d: Math.min(urgent, s.tickets30d),
        failedPayments60d: s.failedPayments30d + olderFailed,
      }),
    );
