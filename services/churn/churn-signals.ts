// The churn core's input: a flat set of numbers an account's journey state maps to. The churn
// core never reads journey state itself, so either side can change without the other; the
// journey stage owns the mapping (state -> ChurnSignals) and re-maps on every relevant event.

/** One account as the churn model sees it. Counts are as of `asOf`; windows end at `asOf`. */
export interface ChurnSignals {
  /** The account key (same key as the journey state and the Kafka partition key). */
  readonly account: string;
  /** Epoch ms when these numbers were taken. Scoring later ages the two inactivity counters. */
  readonly asOf: number;
  /** Monthly recurring revenue now, in the billing currency's major unit. Ranking only, not a factor. */
  readonly mrr: number;

  /** Recent 7-day activity rate / 28-day baseline rate (active days or events per day, whichever
   * the mapper uses consistently). 1 = steady, 0.36 = down 64 %, > 1 = growing. null = no baseline
   * yet (account younger than the baseline window, or no activity in it). */
  readonly usageTrendRatio: number | null;
  /** Weekly active persons over the last 2 completed weeks / over the 4 weeks before them (1 =
   * steady, 0.5 = half the people). null = not enough history, or nobody active in the baseline.
   * Optional: snapshots written before it existed read as null. */
  readonly activeUsersTrend?: number | null;
  /** Whole or fractional days since any user of the account was last active; null = never active. */
  readonly daysSinceLastActivity: number | null;

  /** Seats with activity in the last 30 days. */
  readonly activeSeats: number;
  /** Seats paid for; 0 for plans without seats (the seat factor is then 0). */
  readonly paidSeats: number;

  /** Support tickets opened in the last 30 days (all priorities). */
  readonly tickets30d: number;
  /** Of those, priority high or urgent. */
  readonly urgentTickets30d: number;

  /** Latest NPS answer, 0..10; null = never answered. */
  readonly latestNps: number | null;
  /** Latest CSAT rating, 1..5; null = never answered. */
  readonly latestCsat: number | null;

  /** Failed payment attempts in the last 30 days. */
  readonly failedPayments30d: number;
  /** Failed payment attempts in the last 60 days (includes the last 30). */
  readonly failedPayments60d: number;

  /** Downgrades (plan, seats or add-on removals) in the last 90 days. */
  readonly contractions90d: number;
  /** MRR drop vs 90 days ago in percent, 0..100 (0 when MRR grew or stayed). */
  readonly mrrDropPct: number;

  /** Days since the champion (the account admin, else its most active user) was last active;
   * null = no champion identified. */
  readonly championDaysInactive: number | null;
}

/** Every malformed number, named by field, so the shell can dead-letter a bad mapping instead of
 * scoring it (a NaN would otherwise silently read as "no risk"). */
export function churnSignalProblems(signals: ChurnSignals): string[] {
  const problems: string[] = [];
  if (typeof signals.account !== 'string' || signals.account.length === 0)
    problems.push('account must be a non-empty string');
  const check = (name: keyof ChurnSignals, min: number, max: number, nullable: boolean): void => {
    const value = signals[name];
    if ((value === null || value === undefined) && nullable) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
      problems.push(
        `${name} must be a number in [${min}, ${max}]${nullable ? ' or null' : ''}, got ${value}`,
      );
  };
  const many = Number.MAX_SAFE_INTEGER;
  check('asOf', 0, many, false);
  check('mrr', 0, many, false);
  check('usageTrendRatio', 0, many, true);
  check('activeUsersTrend', 0, many, true);
  check('daysSinceLastActivity', 0, many, true);
  check('activeSeats', 0, many, false);
  check('paidSeats', 0, many, false);
  check('tickets30d', 0, many, false);
  check('urgentTickets30d', 0, many, false);
  check('latestNps', 0, 10, true);
  check('latestCsat', 1, 5, true);
  check('failedPayments30d', 0, many, false);
  check('failedPayments60d', 0, many, false);
  check('contractions90d', 0, many, false);
  check('mrrDropPct', 0, 100, false);
  check('championDaysInactive', 0, many, true);
  if (signals.urgentTickets30d > signals.tickets30d)
    problems.push('urgentTickets30d must not exceed tickets30d');
  if (signals.failedPayments30d > signals.failedPayments60d)
    problems.push('failedPayments30d must not exceed failedPayments60d');
  return problems;
}
