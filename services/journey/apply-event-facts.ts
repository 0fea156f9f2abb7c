// Folds one resolved event into the account's FACTS. Every update is order-insensitive — min for
// firsts, max for lasts, bounded sets, last-writer-wins by (event time, value) — so any arrival
// order of the same events gives the same facts. No effects here: settle-stage.ts announces them.
import { UNKEYED, accountMrrHistory, addSubscriptionPoint } from './account-mrr.ts';
import type { AccountState, Touch } from './account-state.ts';
import {
  MAX_BILLING_CHANGES,
  MAX_DAY_FIRSTS,
  MAX_EXPERIMENTS,
  MAX_FEATURES,
  MAX_MEMBERS,
  MAX_MRR_HISTORY,
  MAX_NAME_LENGTH,
  MAX_RECENT,
  MAX_TEXT_LENGTH,
  MAX_TOUCHES,
  dayOf,
  minOrNull,
} from './account-state.ts';
import { addKeyAction, activationTime } from './activation-window.ts';
import {
  addWeekActivity,
  insertDayFirst,
  insertNewest,
  insertSmallestStrings,
  memberKey,
  putMaxKeepNewest,
  userBit,
} from './bounded-sets.ts';
import type { JourneyMap } from './journey-map.ts';
import { betterChampion, touchOrder, touchesBeforeSignup, wins } from './fact-order.ts';
import { matchesAny, matchesEvent } from './match-condition.ts';
import type { EventView } from './match-condition.ts';
import { segmentOf } from './segment-account.ts';
import { evidenceKey } from './stage-timeline.ts';

const NOT_ACTIVITY = new Set(['identify', 'group', 'alias']);
export const isActivity = (view: EventView): boolean =>
  view.event.source === 'behavior' && !NOT_ACTIVITY.has(view.event.type);

function applyTouches(s: AccountState, view: EventView, map: JourneyMap): void {
  const e = view.event;
  if (e.channel) {
    const touch: Touch = {
      channel: e.channel,
      source: e.utm?.source ?? '',
      campaign: e.utm?.campaign ?? '',
      at: e.event_time,
    };
    if (!s.firstTouch || touchOrder(touch, s.firstTouch) < 0) s.firstTouch = touch;
    s.touches = [...s.touches, touch];
  }
  s.touches = touchesBeforeSignup(
    s.touches,
    s.signupAt,
    s.maxEventTime,
    map.lateness_minutes * 60_000,
    MAX_TOUCHES,
  );
  s.lastTouchBeforeSignup = s.touches[s.touches.length - 1] ?? null;
}

function applyActivity(s: AccountState, view: EventView): void {
  const t = view.event.event_time;
  const everActive = s.weeks.length > 0;
  s.lastActivityAt = everActive ? Math.max(s.lastActivityAt, t) : t;
  const person = view.event.person_id;
  s.weeks = addWeekActivity(s.weeks, dayOf(t), person ? userBit(person) : 0);
  s.dayFirsts = insertDayFirst(s.dayFirsts, t, MAX_DAY_FIRSTS);
  if (person) s.members = putMaxKeepNewest(s.members, memberKey(person), dayOf(t), MAX_MEMBERS);
}

function applyChampion(s: AccountState, view: EventView, isSignup: boolean, map: JourneyMap): void {
  const e = view.event;
  if (!e.person_id) return;
  const admin = e.type === 'identify' && map.champion_roles.includes(String(view.traits.role ?? ''));
  if (!admin && !isSignup) return;
  const since: [number, boolean] = [e.event_time, admin];
  if (betterChampion(e.person_id, since, s)) [s.champion, s.championSince] = [e.person_id, since];
}

function applyStageFacts(s: AccountState, view: EventView, map: JourneyMap): void {
  const t = view.event.event_time;
  for (const stage of map.stages) {
    if (stage.signal) continue;
    for (const c of stage.conversion) {
      if ('activation' in c || !matchesEvent(c, view)) continue;
      const current = s.conversions[stage.id];
      if (!current || t < current[0] || (t === current[0] && c.event < current[1]))
        s.conversions = { ...s.conversions, [stage.id]: [t, c.event] };
    }
    for (const c of stage.evidence) {
      const id = evidenceKey(stage.id);
      if ('activation' in c || !matchesEvent(c, view)) continue;
      if (s.entryMet[id] === undefined || t < s.entryMet[id]) s.entryMet = { ...s.entryMet, [id]: t };
    }
    stage.entry.forEach((c, i) => {
      const id = `${stage.id}#${i}`;
      if ('activation' in c || !matchesEvent(c, view)) return;
      if (s.entryMet[id] === undefined || t < s.entryMet[id]) s.entryMet = { ...s.entryMet, [id]: t };
    });
  }
  if (matchesAny(map.churned.entry, view)) s.churnTimes = insertNewest(s.churnTimes, t, MAX_BILLING_CHANGES);
  if (matchesAny(map.churned.reactivation, view))
    s.reactivationTimes = insertNewest(s.reactivationTimes, t, MAX_BILLING_CHANGES);
}

function applyAcquisition(s: AccountState, view: EventView, map: JourneyMap): void {
  const e = view.event;
  const t = e.event_time;
  const isSignup = matchesAny(map.signup, view);
  if (isSignup) s.signupAt = minOrNull(s.signupAt, t);
  applyTouches(s, view, map);
  applyChampion(s, view, isSignup, map);
  map.funnel.steps.forEach((step) => {
    const condition = typeof step === 'string' ? { event: step } : step;
    if (!matchesEvent(condition, view)) return;
    const name = condition.event;
    if (s.funnel[name] === undefined || t < s.funnel[name]) s.funnel = { ...s.funnel, [name]: t };
  });
  const rule = map.activation;
  if (!s.emittedActivation && matchesEvent({ event: rule.event, where: rule.where }, view)) {
    s.keyActions = addKeyAction(s.keyActions, t, rule);
    s.activatedAt = minOrNull(s.activatedAt, activationTime(s.keyActions, rule));
  }
  const features = map.features;
  const feature = features && e.name === features.event ? view.properties[features.property] : undefined;
  if (typeof feature === 'string' && feature.length > 0)
    s.features = insertSmallestStrings(s.features, feature.slice(0, MAX_NAME_LENGTH), MAX_FEATURES);
}

function applyTraits(s: AccountState, view: EventView, map: JourneyMap): void {
  const e = view.event;
  const accountTraits = e.type === 'group' || (s.kind === 'person' && e.type === 'identify');
  if (!accountTraits || !e.traits_json) return;
  const wanted = new Set(['employees', 'industry', 'name']);
  for (const rule of map.segments) if ('when' in rule) for (const k of Object.keys(rule.when)) wanted.add(k);
  for (const k of wanted) {
    const v = view.traits[k];
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
    const value = typeof v === 'string' ? v.slice(0, MAX_NAME_LENGTH) : v;
    if (!wins(e.event_time, value, s.traitTimes[k] ?? -Infinity, s.traits[k])) continue;
    s.traits = { ...s.traits, [k]: value };
    s.traitTimes = { ...s.traitTimes, [k]: e.event_time };
  }
}

function applyRevenueVoiceSupport(s: AccountState, view: EventView): void {
  const e = view.event;
  const t = e.event_time;
  if (e.plan !== null && wins(t, e.plan, s.planAt, s.plan)) [s.plan, s.planAt] = [e.plan, t];
  if (e.seats !== null && wins(t, e.seats, s.seatsAt, s.seats)) [s.seats, s.seatsAt] = [e.seats, t];
  if (e.mrr_cents !== null) {
    // Each subscription's own series; the account's MRR is their sum (account-mrr.ts).
    const subscription = view.properties['subscription_id'];
    s.subscriptionMrr = addSubscriptionPoint(
      s.subscriptionMrr,
      typeof subscription === 'string' ? subscription.slice(0, MAX_NAME_LENGTH) : UNKEYED,
      t,
      e.mrr_cents,
    );
    s.mrrHistory = accountMrrHistory(s.subscriptionMrr, MAX_MRR_HISTORY);
    s.mrrCents = s.mrrHistory[s.mrrHistory.length - 1]?.[1] ?? 0;
  }
  if (e.mrr_change_kind === 'contraction')
    s.contractionTimes = insertNewest(s.contractionTimes, t, MAX_RECENT);
  if (e.name === 'invoice.payment_failed') {
    s.failedPaymentTimes = insertNewest(s.failedPaymentTimes, t, MAX_RECENT);
    s.failedPayments += 1;
  }
  const reason = e.cancel_reason?.slice(0, MAX_TEXT_LENGTH);
  if (reason && wins(t, reason, s.cancelReasonAt, s.cancelReason))
    [s.cancelReason, s.cancelReasonAt] = [reason, t];
  if (e.source === 'tickets' && e.name === 'ticket.created') {
    s.ticketTimes = insertNewest(s.ticketTimes, t, MAX_RECENT);
    s.tickets += 1;
    if (e.ticket_priority === 'urgent' || e.ticket_priority === 'high')
      s.urgentTicketTimes = insertNewest(s.urgentTicketTimes, t, MAX_RECENT);
  }
  if (e.score !== null && e.score_kind === 'nps' && wins(t, e.score, s.npsAt, s.nps))
    [s.nps, s.npsAt] = [e.score, t];
  if (e.score !== null && e.score_kind === 'csat' && wins(t, e.score, s.csatAt, s.csat))
    [s.csat, s.csatAt] = [e.score, t];
  if (e.experiment_id && e.experiment_variant)
    applyExposure(
      s,
      e.experiment_id.slice(0, MAX_NAME_LENGTH),
      e.experiment_variant.slice(0, MAX_NAME_LENGTH),
      t,
    );
}

/** Experiments by latest exposure (variant of the latest, ties by name); the newest MAX_EXPERIMENTS. */
function applyExposure(s: AccountState, id: string, variant: string, t: number): void {
  if (!wins(t, variant, s.experimentsAt[id] ?? -Infinity, s.experiments[id])) return;
  const at = putMaxKeepNewest(s.experimentsAt, id, t, MAX_EXPERIMENTS);
  s.experimentsAt = at;
  s.experiments = Object.fromEntries(
    Object.keys(at)
      .sort()
      .map((k) => [k, k === id ? variant : (s.experiments[k] as string)]),
  );
}

export function applyEventFacts(prev: AccountState, view: EventView, map: JourneyMap): AccountState {
  const t = view.event.event_time;
  const s: AccountState = {
    ...prev,
    maxEventTime: Math.max(prev.maxEventTime, t),
    firstSeenAt: Math.min(prev.firstSeenAt, t),
  };
  if (isActivity(view)) applyActivity(s, view);
  else if (s.weeks.length === 0) s.lastActivityAt = s.firstSeenAt;
  applyAcquisition(s, view, map);
  applyStageFacts(s, view, map);
  applyTraits(s, view, map);
  applyRevenueVoiceSupport(s, view);
  s.segment = segmentOf(map, s);
  return s;
}
