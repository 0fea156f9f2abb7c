// One account through time: each wake handles the account's earliest due timer (visit, sign-up,
// onboarding step, usage session, teammate join, trial end, invoice, seat change, ticket, survey,
// cancellation) and returns when the account wants to wake next (Infinity: it is done).
import {
  changeSeats,
  churn,
  convertTrial,
  expireTrial,
  invoiceDue,
  snapshotSubscription,
  startTrial,
} from './account-billing.ts';
import type { AccountState, TimerName } from './account-state.ts';
import { DAY_MS, HOUR_MS, newState } from './account-state.ts';
import { answerSurvey, openTicket } from './account-voice.ts';
import { joinSession, stepSession, usageSession } from './product-sessions.ts';
import { signupSession, visitSession } from './prospect-sessions.ts';
import { drawFunnelFate, plantedStepRates } from './funnel-model.ts';
import type { JourneyContext } from './journey-context.ts';
import { person } from './journey-context.ts';
import type { WorkloadProfile } from './workload-profile.ts';
import { FUNNEL_STEPS } from './workload-profile.ts';

/** Usage (and teammates) start after the 7-day activation window, so the founder's step
 *  sessions are the only logins in it: 3 logins on distinct days <=> all steps done. */
const ONBOARDING_WINDOW_MS = 7.5 * DAY_MS;
const WEEK_MS = 7 * DAY_MS;

/** An account that signed up and converted before the history starts. */
export function newEstablished(
  seed: number,
  index: number,
  profile: WorkloadProfile,
  startMs: number,
): AccountState {
  const state = newState(seed, index, profile);
  const rng = state.rng;
  const { userCount } = state.traits;
  state.established = true;
  state.phase = 'paying';
  state.joined = Math.max(1, Math.min(userCount, Math.ceil(userCount * rng.between(0.5, 1))));
  state.fateSteps = FUNNEL_STEPS.length;
  state.reachedSteps = FUNNEL_STEPS.length;
  state.signupMs = startMs - Math.round(rng.between(30, 400) * DAY_MS);
  state.sub = { ...state.sub, status: 'active', seats: state.joined };
  state.nextCycleMs = startMs + Math.round(rng.between(0, 30) * DAY_MS);
  state.timers.invoice = state.nextCycleMs;
  return state;
}

/** First timers of an established account (needs the context for the churn plan). */
export function startEstablished(ctx: JourneyContext, state: AccountState, startMs: number): void {
  state.sub.userId = person(ctx, state, 0).userId;
  if (ctx.profile.subscriptionSnapshots) snapshotSubscription(ctx, state, startMs);
  scheduleRecurring(ctx, state, startMs);
  state.personCache = undefined;
  if (state.rng.chance(ctx.profile.churnShare)) {
    plantChurn(
      ctx,
      state,
      startMs + state.rng.between(0, Math.max(1, ctx.profile.historyDays - 14)) * DAY_MS,
    );
  }
}

function plantChurn(ctx: JourneyContext, state: AccountState, decayStartMs: number): void {
  const { min, max } = ctx.profile.decayWeeks;
  state.decayStartMs = Math.round(decayStartMs);
  state.timers.cancel = state.decayStartMs + Math.round(state.rng.between(min, max) * WEEK_MS);
  ctx.plantChurn(state.traits.accountId, state.decayStartMs, state.timers.cancel);
}

function poisson(state: AccountState, now: number, perWeek: number): number {
  return perWeek <= 0 ? Infinity : now + Math.ceil(state.rng.exp(WEEK_MS / perWeek));
}

function decayAt(state: AccountState, now: number): number {
  if (state.decayStartMs === null || now <= state.decayStartMs) return 1;
  const tau = Math.max(DAY_MS, (state.timers.cancel - state.decayStartMs) / 2.5);
  return Math.exp(-(now - state.decayStartMs) / tau);
}

function scheduleRecurring(ctx: JourneyContext, state: AccountState, from: number): void {
  const p = ctx.profile;
  const a = state.traits.activity;
  state.timers.session = nextSession(ctx, state, from);
  state.timers.ticket = poisson(state, from, p.ticketsPerAccountWeek * a);
  state.timers.survey = poisson(state, from, p.surveysPerAccountWeek * a);
  if (state.phase === 'paying')
    state.timers.seatChange = poisson(state, from, p.seatChangesPerAccountWeek * a);
  if (state.joined < state.traits.userCount)
    state.timers.join = poisson(state, from, p.joinsPerAccountWeek * a);
}

function nextSession(ctx: JourneyContext, state: AccountState, now: number): number {
  const activated = state.reachedSteps === FUNNEL_STEPS.length;
  const perDay =
    state.joined *
    ctx.profile.sessionsPerUserDay *
    state.traits.activity *
    decayAt(state, now) *
    (activated ? 1 : 0.3);
  return perDay <= 0 ? Infinity : now + Math.ceil(state.rng.exp(DAY_MS / perDay));
}

function stepTime(state: AccountState, step: number): number {
  return state.signupMs + (2 * step - 1) * DAY_MS + Math.round(state.rng.between(0, 10) * HOUR_MS);
}

function signUp(ctx: JourneyContext, state: AccountState, at: number): void {
  const { channel, variant } = state.traits;
  state.phase = 'trial';
  state.signupMs = at;
  state.joined = 1;
  state.fateSteps = drawFunnelFate(state.rng, plantedStepRates(ctx.profile.funnel, channel, variant));
  const end = signupSession(ctx, state, at);
  startTrial(ctx, state, end + 5_000);
  if (state.fateSteps > 1) state.timers.step = stepTime(state, 1);
  state.timers.trialEnd = at + ctx.profile.trialDays * DAY_MS;
  scheduleRecurring(ctx, state, at + ONBOARDING_WINDOW_MS);
  if (state.fateSteps < 2) state.timers.join = Infinity;
}

function dueTimer(state: AccountState, now: number): TimerName | undefined {
  for (const [name, at] of Object.entries(state.timers)) if (at === now) return name as TimerName;
  return undefined;
}

export function nextWake(state: AccountState): number {
  let next = Infinity;
  for (const at of Object.values(state.timers)) if (at < next) next = at;
  return next;
}

export function wakeAccount(ctx: JourneyContext, state: AccountState, now: number): number {
  const timer = dueTimer(state, now);
  if (timer === undefined) return nextWake(state);
  const p = ctx.profile;
  const rng = state.rng;
  const a = state.traits.activity;
  const decaying = state.decayStartMs !== null && now >= state.decayStartMs;
  state.timers[timer] = Infinity;
  switch (timer) {
    case 'visit': {
      const end = visitSession(ctx, state, now);
      if (state.visitsDone < state.visitsPlanned) state.timers.visit = end + Math.ceil(rng.exp(2 * DAY_MS));
      else if (state.willSignUp) signUp(ctx, state, end + 60_000);
      else state.phase = 'ended';
      break;
    }
    case 'step':
      stepSession(ctx, state, now);
      if (state.reachedSteps < state.fateSteps) state.timers.step = stepTime(state, state.reachedSteps);
      break;
    case 'session':
      usageSession(ctx, state, now, decayAt(state, now));
      state.timers.session = nextSession(ctx, state, now);
      break;
    case 'join':
      joinSession(ctx, state, now);
      if (state.joined < state.traits.userCount)
        state.timers.join = poisson(state, now, p.joinsPerAccountWeek * a);
      break;
    case 'trialEnd': {
      const activated = state.reachedSteps === FUNNEL_STEPS.length;
      if (!rng.chance(activated ? p.conversionRate.activated : p.conversionRate.notActivated)) {
        expireTrial(ctx, state, now);
        break;
      }
      convertTrial(ctx, state, now);
      state.timers.seatChange = poisson(state, now, p.seatChangesPerAccountWeek * a);
      if (rng.chance(p.churnShare)) plantChurn(ctx, state, now + rng.between(7, 21) * DAY_MS);
      break;
    }
    case 'invoice':
      invoiceDue(ctx, state, now, decaying);
      break;
    case 'seatChange':
      changeSeats(ctx, state, now, decaying);
      state.timers.seatChange = poisson(state, now, p.seatChangesPerAccountWeek * a);
      break;
    case 'ticket':
      openTicket(ctx, state, now, decaying);
      state.timers.ticket = poisson(state, now, p.ticketsPerAccountWeek * a * (decaying ? 2.5 : 1));
      break;
    case 'survey':
      answerSurvey(ctx, state, now, decaying);
      state.timers.survey = poisson(state, now, p.surveysPerAccountWeek * a);
      break;
    case 'cancel':
      churn(ctx, state, now);
      break;
  }
  state.personCache = undefined;
  if (state.phase === 'ended')
    for (const name of Object.keys(state.timers)) state.timers[name as TimerName] = Infinity;
  return nextWake(state);
}
