// The journey reducer: (state, event, map) -> { state, effects }. Pure: no clock, no I/O; the
// same events in the same order give the same state and effects on every replay.
// Event time rules: first touch, sign-up, activation and funnel steps keep the EARLIEST event
// time; last activity keeps the latest; a stage only moves forward through the map's order,
// except the signal stages (churn-risk is left on renewed activity; churned on a new or
// reactivated subscription). A transition caused by a late event is stamped no earlier than the
// current stage's entry, so entry times never go backwards.
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import {
  DAY_MS,
  MAX_ACTIVE_DAYS,
  MAX_FEATURES,
  MAX_MEMBERS,
  MAX_MRR_HISTORY,
  MAX_RECENT,
  insertSorted,
  newAccountState,
} from './account-state.ts';
import type { AccountState, Touch } from './account-state.ts';
import { effectId } from './journey-effects.ts';
import type { JourneyEffect } from './journey-effects.ts';
import { signalStage, stageIndex } from './journey-map.ts';
import type { JourneyMap } from './journey-map.ts';
import { matchesConversion } from './match-conversion.ts';
import { segmentOf } from './segment-account.ts';

export interface Reduced {
  state: AccountState;
  effects: JourneyEffect[];
}

const dayOf = (t: number): number => Math.floor(t / DAY_MS);
const isActivity = (e: JourneyEvent): boolean =>
  e.source === 'behavior' && e.type !== 'identify' && e.type !== 'group' && e.type !== 'alias';

function parseJson(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function transition(
  state: AccountState,
  to: string,
  at: number,
  reason: string,
  effects: JourneyEffect[],
): AccountState {
  if (state.stage === to) return state;
  const when = Math.max(at, state.stageEnteredAt);
  effects.push({
    kind: 'transition',
    id: effectId(state.key, 'transition', state.stage, to, when),
    account_key: state.key,
    from_stage: state.stage,
    to_stage: to,
    at: when,
    reason,
    map_version: state.mapVersion,
  });
  return {
    ...state,
    stage: to,
    stageEnteredAt: when,
    stageEntries: to in state.stageEntries ? state.stageEntries : { ...state.stageEntries, [to]: when },
    stalledStage: null,
  };
}

/** The earliest key action that completes `times` actions (distinct days if configured) within the window. */
function activationTime(times: number[], days: number[], map: JourneyMap): number | null {
  const { times: needed, distinct_days: distinct, within_days: window } = map.activation;
  if (distinct) {
    for (let i = 0; i + needed - 1 < days.length; i++) {
      if ((days[i + needed - 1] as number) - (days[i] as number) <= window - 1) {
        const completingDay = days[i + needed - 1] as number;
        return times.find((t) => dayOf(t) === completingDay) ?? completingDay * DAY_MS;
      }
    }
    return null;
  }
  for (let i = 0; i + needed - 1 < times.length; i++) {
    if ((times[i + needed - 1] as number) - (times[i] as number) < window * DAY_MS)
      return times[i + needed - 1] as number;
  }
  return null;
}

function applyFacts(
  prev: AccountState,
  event: JourneyEvent,
  map: JourneyMap,
  effects: JourneyEffect[],
): AccountState {
  const t = event.event_time;
  const s: AccountState = {
    ...prev,
    maxEventTime: Math.max(prev.maxEventTime, t),
    firstSeenAt: Math.min(prev.firstSeenAt, t),
  };
  if (isActivity(event)) {
    s.lastActivityAt = Math.max(s.lastActivityAt, t);
    s.activeDays = insertSorted(s.activeDays, dayOf(t), MAX_ACTIVE_DAYS);
    if (event.person_id) {
      const members = {
        ...s.members,
        [event.person_id]: Math.max(s.members[event.person_id] ?? 0, dayOf(t)),
      };
      const keys = Object.keys(members);
      if (keys.length > MAX_MEMBERS)
        delete members[keys.sort((a, b) => (members[a] as number) - (members[b] as number))[0] as string];
      s.members = members;
    }
  }
  if (event.channel) {
    const touch: Touch = {
      channel: event.channel,
      source: event.utm?.source ?? '',
      campaign: event.utm?.campaign ?? '',
      at: t,
    };
    if (!s.firstTouch || t < s.firstTouch.at) s.firstTouch = touch;
    if (
      (s.signupAt === null || t <= s.signupAt) &&
      (!s.lastTouchBeforeSignup || t > s.lastTouchBeforeSignup.at)
    )
      s.lastTouchBeforeSignup = touch;
  }
  const steps = map.funnel.steps;
  const stepIndex = steps.indexOf(event.name);
  if (stepIndex >= 0 && (s.funnel[event.name] === undefined || t < (s.funnel[event.name] as number))) {
    if (s.funnel[event.name] === undefined) {
      effects.push({
        kind: 'funnel_step',
        id: effectId(s.key, 'funnel', event.name),
        account_key: s.key,
        step: event.name,
        step_index: stepIndex,
        at: t,
        map_version: s.mapVersion,
      });
    }
    s.funnel = { ...s.funnel, [event.name]: t };
  }
  if (event.name === steps[0] && (s.signupAt === null || t < s.signupAt)) {
    s.signupAt = t;
    if (event.person_id) s.champion = event.person_id;
  }
  if (event.name === map.activation.event) {
    s.keyActionDays = insertSorted(s.keyActionDays, dayOf(t), MAX_ACTIVE_DAYS);
    s.keyActionTimes = insertSorted(s.keyActionTimes, t, MAX_ACTIVE_DAYS);
    const at = activationTime(s.keyActionTimes, s.keyActionDays, map);
    if (at !== null && (s.activatedAt === null || at < s.activatedAt)) {
      if (s.activatedAt === null)
        effects.push({
          kind: 'activation',
          id: effectId(s.key, 'activation'),
          account_key: s.key,
          at,
          signup_at: s.signupAt,
          map_version: s.mapVersion,
        });
      s.activatedAt = at;
    }
  }
  const properties = parseJson(event.properties_json);
  if (
    event.name === 'Feature Used' &&
    typeof properties.feature === 'string' &&
    !s.features.includes(properties.feature)
  ) {
    s.features = [...s.features, properties.feature].slice(-MAX_FEATURES);
  }
  if (event.type === 'group' || event.traits_json) {
    const traits = parseJson(event.traits_json);
    s.traits = {
      ...s.traits,
      ...(typeof traits.employees === 'number' ? { employees: traits.employees } : {}),
      ...(typeof traits.industry === 'string' ? { industry: traits.industry } : {}),
      ...(typeof traits.name === 'string' ? { name: traits.name } : {}),
    };
  }
  s.segment = segmentOf(map, s.traits);
  if (event.plan) s.plan = event.plan;
  if (event.seats !== null) s.seats = event.seats;
  if (event.mrr_cents !== null) {
    s.mrrCents = event.mrr_cents;
    s.mrrHistory = [...s.mrrHistory, [t, event.mrr_cents] as [number, number]].slice(-MAX_MRR_HISTORY);
  }
  if (event.mrr_change_kind === 'contraction') s.contractions += 1;
  if (event.source === 'tickets' && event.name === 'ticket.created') {
    s.ticketTimes = insertSorted(s.ticketTimes, t, MAX_RECENT);
    if (event.ticket_priority === 'urgent' || event.ticket_priority === 'high')
      s.urgentTicketTimes = insertSorted(s.urgentTicketTimes, t, MAX_RECENT);
  }
  if (event.score_kind === 'nps' && event.score !== null) s.nps = event.score;
  if (event.score_kind === 'csat' && event.score !== null) s.csat = event.score;
  if (event.name === 'invoice.payment_failed')
    s.failedPaymentTimes = insertSorted(s.failedPaymentTimes, t, MAX_RECENT);
  if (event.experiment_id && event.experiment_variant && !s.experiments[event.experiment_id]) {
    s.experiments = { ...s.experiments, [event.experiment_id]: event.experiment_variant };
  }
  if (event.cancel_reason) s.cancelReason = event.cancel_reason;
  return s;
}

function advanceStages(
  prev: AccountState,
  event: JourneyEvent,
  map: JourneyMap,
  effects: JourneyEffect[],
): AccountState {
  let s = prev;
  const churned = signalStage(map, 'billing_churn').id;
  const atRisk = signalStage(map, 'inactivity').id;
  const t = event.event_time;
  if (event.mrr_change_kind === 'churn' || event.name === 'customer.subscription.deleted') {
    return transition(
      { ...s, churnedAt: s.churnedAt === null ? t : Math.min(s.churnedAt, t) },
      churned,
      t,
      event.name,
      effects,
    );
  }
  if (s.stage === churned) {
    if (event.mrr_change_kind === 'new' || event.mrr_change_kind === 'reactivation') {
      s = transition(
        { ...s, churnedAt: null },
        s.activatedAt !== null ? 'engagement' : map.stages[1]!.id,
        t,
        'reactivated',
        effects,
      );
    }
    return s;
  }
  if (s.stage === atRisk) {
    if (!isActivity(event) || t < s.stageEnteredAt) return s;
    const back = map.stages.filter((st) => !st.signal && s.stageEntries[st.id] !== undefined).pop();
    s = transition(s, back?.id ?? map.stages[0]!.id, t, 'reactivated', effects);
  }
  // Forward through the ordered, non-signal stages while the current stage's conversion holds.
  for (;;) {
    const index = stageIndex(map, s.stage);
    const current = map.stages[index];
    const next = map.stages.slice(index + 1).find((st) => !st.signal);
    if (!current || current.signal || !next) return s;
    const converted = current.conversion.find((c) => matchesConversion(c, event, s.activatedAt !== null));
    if (!converted) return s;
    const at = 'activation' in converted ? (s.activatedAt as number) : t;
    s = transition(s, next.id, at, 'activation' in converted ? 'activated' : event.name, effects);
  }
}

export function reduceJourney(
  state: AccountState | undefined,
  event: JourneyEvent,
  map: JourneyMap,
  key: string,
  kind: AccountState['kind'],
): Reduced {
  const effects: JourneyEffect[] = [];
  const base = state ?? newAccountState(key, kind, event.event_time, map.stages[0]!.id, map.version);
  const withFacts = applyFacts({ ...base, mapVersion: map.version }, event, map, effects);
  return { state: advanceStages(withFacts, event, map, effects), effects };
}
