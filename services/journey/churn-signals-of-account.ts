// Maps an account's journey state to the churn core's ChurnSignals as of `now` (the stage's
// event-time watermark, so scores are deterministic on replay).
import type { ChurnSignals } from '../churn/churn-signals.ts';
import { accountMrrAt } from './account-mrr.ts';
import { DAY_MS } from './account-state.ts';
import type { AccountState } from './account-state.ts';
import { activeSeats, activeUsersTrend, championLastActiveDay, usageTrend } from './account-views.ts';

/** Times in [since, now]: a fact later than `now` (read ahead of it from a source that is ahead,
 *  in a backlog or a replay) is not part of the score as of `now`. */
const countSince = (times: readonly number[], since: number, now: number): number =>
  times.filter((t) => t >= since && t <= now).length;

function csatOnFiveScale(csat: number | null): number | null {
  if (csat === null) return null;
  if (csat <= 1) return csat >= 1 ? 5 : 1; // Zendesk good/bad arrives as 1/0
  return Math.min(5, Math.max(1, csat));
}

export function churnSignalsOf(state: AccountState, now: number): ChurnSignals {
  const today = Math.floor(now / DAY_MS);
  const mrr90 =
    [...state.mrrHistory].reverse().find(([t]) => t <= now - 90 * DAY_MS)?.[1] ??
    state.mrrHistory[0]?.[1] ??
    state.mrrCents;
  const failed30 = countSince(state.failedPaymentTimes, now - 30 * DAY_MS, now);
  const tickets30 = countSince(state.ticketTimes, now - 30 * DAY_MS, now);
  const championDay = championLastActiveDay(state);
  // As of `now`, not the latest change read (which a backlog may have read ahead of it).
  const mrrCents = accountMrrAt(state.subscriptionMrr, now);
  return {
    account: state.key,
    asOf: now,
    mrr: mrrCents / 100,
    usageTrendRatio: usageTrend(state, now),
    activeUsersTrend: activeUsersTrend(state, now),
    daysSinceLastActivity: Math.max(0, (now - state.lastActivityAt) / DAY_MS),
    activeSeats: activeSeats(state, now, 30),
    paidSeats: state.seats ?? 0,
    tickets30d: tickets30,
    urgentTickets30d: Math.min(tickets30, countSince(state.urgentTicketTimes, now - 30 * DAY_MS, now)),
    latestNps: state.nps === null ? null : Math.min(10, Math.max(0, state.nps)),
    latestCsat: csatOnFiveScale(state.csat),
    failedPayments30d: failed30,
    failedPayments60d: Math.max(failed30, countSince(state.failedPaymentTimes, now - 60 * DAY_MS, now)),
    contractions90d: countSince(state.contractionTimes, now - 90 * DAY_MS, now),
    mrrDropPct: mrr90 > 0 ? Math.min(100, Math.max(0, ((mrr90 - mrrCents) / mrr90) * 100)) : 0,
    championDaysInactive: championDay === null ? null : Math.max(0, today - championDay),
  };
}
