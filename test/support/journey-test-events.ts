// Test fixture: canonical resolved events for the journey reducer, and a runner that feeds them
// the way the shell does (now = max event time seen - lateness).
import { newJourneyEvent, noIdentifiers } from '../../services/ingest/new-journey-event.ts';
import type { JourneyEvent } from '../../services/shared/generated/avro-types.ts';
import { DAY_MS } from '../../services/journey/account-state.ts';
import type { AccountState } from '../../services/journey/account-state.ts';
import { advanceTime } from '../../services/journey/advance-time.ts';
import type { JourneyEffect } from '../../services/journey/journey-effects.ts';
import { loadJourneyMap } from '../../services/journey/journey-map.ts';
import type { JourneyMap } from '../../services/journey/journey-map.ts';
import { reduceJourney } from '../../services/journey/reduce-journey.ts';

export const b2b = loadJourneyMap('config/journeys/b2b-saas.yaml');

/** The shipped map with the churn-risk rules it had before #15: every calendar day counts, one
 * midnight below the ratio enters, activity leaves. For tests of the arithmetic itself. */
export const b2bEveryDay: JourneyMap = {
  ...b2b,
  churn_risk: {
    inactive_days: 14,
    usage_drop: {
      recent_days: 7,
      baseline_days: 28,
      below_ratio: 0.4,
      min_baseline_active_days: 8,
      enter_days: 1,
      exit_days: 1,
    },
    exit_active_days: 2,
    customers_only: false,
    quiet_days: { weekends: false, periods: [] },
  },
};
/** Monday 2026-01-05 09:00 UTC. */
export const T0 = Date.UTC(2026, 0, 5, 9);
export const HOUR_MS = 3_600_000;

export function ev(name: string, day: number, extra: Partial<JourneyEvent> = {}): JourneyEvent {
  const time = T0 + Math.round(day * DAY_MS);
  return {
    ...newJourneyEvent({
      source: 'behavior',
      type: 'track',
      name,
      event_time: time,
      received_time: time,
      ids: { ...noIdentifiers(), user_id: 'u1', account_id: 'acc_1' },
    }),
    event_id: `${name}-${day}-${extra.person_id ?? 'p1'}`,
    person_id: 'p1',
    account_id: 'acc_1',
    ...extra,
  };
}

export const billing = (name: string, day: number, extra: Partial<JourneyEvent> = {}): JourneyEvent =>
  ev(name, day, { source: 'billing', type: 'subscription', ...extra });

export interface Run {
  state: AccountState;
  effects: JourneyEffect[];
}

/** Feeds events in the given order with the shell's watermark; then advances time to `until`. */
export function run(
  events: readonly JourneyEvent[],
  options: { map?: JourneyMap; until?: number; from?: AccountState } = {},
): Run {
  const map = options.map ?? b2b;
  const lateness = map.lateness_minutes * 60_000;
  let state: AccountState | undefined = options.from;
  let watermark = options.from ? options.from.maxEventTime - lateness : -Infinity;
  const effects: JourneyEffect[] = [];
  for (const e of events) {
    watermark = Math.max(watermark, e.event_time - lateness);
    const r = reduceJourney(state, e, watermark, map);
    state = r.state;
    effects.push(...r.effects);
  }
  if (!state) throw new Error('run() needs at least one event');
  if (options.until !== undefined) {
    const r = advanceTime(state, options.until, map);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}

export const transitions = (effects: readonly JourneyEffect[]): string[] =>
  effects.flatMap((e) => (e.kind === 'transition' ? [`${e.from_stage}->${e.to_stage}`] : []));

export const ofKind = <K extends JourneyEffect['kind']>(effects: readonly JourneyEffect[], kind: K) =>
  effects.filter((e): e is Extract<JourneyEffect, { kind: K }> => e.kind === kind);

export const at = (day: number): number => T0 + Math.round(day * DAY_MS);
/** Midnight UTC at the start of the day that is `day` days after T0's day. */
export const midnight = (day: number): number => Math.floor(T0 / DAY_MS) * DAY_MS + day * DAY_MS;
