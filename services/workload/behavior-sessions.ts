// Behavior sessions of one account: marketing-site visits, the sign-up, the onboarding step
// sessions, a teammate accepting an invite, and everyday product usage. Every session after
// sign-up starts with "Logged In" (the journey map counts them for activation).
import type { AccountState } from './account-state.ts';
import { APP, innerPage, landingTouch, SITE } from './acquisition-touch.ts';
import type { JourneyContext } from './journey-context.ts';
import type { PageContext } from './segment-messages.ts';
import { emitBehavior, person } from './journey-context.ts';
import { FUNNEL_STEPS } from './workload-profile.ts';

export const FEATURES = [
  'dashboards',
  'funnels',
  'retention',
  'exports',
  'alerts',
  'sql_editor',
  'integrations',
  'reports',
];
const APP_PATHS = ['/home', '/dashboards', '/funnels', '/reports', '/settings'];
const SITE_PATHS = ['/pricing', '/features/funnels', '/customers', '/security'];
const GAP_MS = 45_000;

function gap(state: AccountState): number {
  return 1_000 + Math.ceil(state.rng.exp(GAP_MS));
}

/** A marketing-site visit of a prospect (anonymous); the first one carries the channel touch.
 *  Returns the time after its last page. */
export function visitSession(ctx: JourneyContext, state: AccountState, now: number): number {
  const rng = state.rng;
  const anonymousId = person(ctx, state, 0).anonymousIds[0] as string;
  const first = state.visitsDone === 0;
  let t = now;
  let from: string | null = null;
  const pages = rng.int(1, 3);
  for (let i = 0; i < pages; i++) {
    const touch = i === 0 && first ? landingTouch(state.traits.channel, rng) : undefined;
    const page: PageContext = touch?.page ?? innerPage(SITE, rng.pick(SITE_PATHS), from);
    emitBehavior(
      ctx,
      state,
      {
        type: 'page',
        anonymousId,
        name: page.path,
        properties: { ...page },
        page,
        campaign: touch?.campaign,
        userIndex: 0,
        device: 0,
        eventTimeMs: t,
      },
      undefined,
      touch === undefined ? undefined : { kind: 'visit', channel: state.traits.channel },
    );
    from = page.url;
    t += gap(state);
  }
  state.visitsDone++;
  return t;
}

/** The founder signs up: Signed Up, identify, (alias), group with the ICP traits, the experiment
 *  exposure and, if the founder gets that far, the first funnel step. Returns the end time. */
export function signupSession(ctx: JourneyContext, state: AccountState, start: number): number {
  const rng = state.rng;
  const founder = person(ctx, state, 0);
  const anonymousId = founder.anonymousIds[0] as string;
  const deviceId = founder.deviceIds[0] as string;
  const { accountId, channel, variant } = state.traits;
  const common = { anonymousId, userId: founder.userId, deviceId, userIndex: 0, device: 0 };
  const link = { userId: founder.userId, anonymousId, deviceId };
  let t = start;
  const signupPage = innerPage(SITE, '/signup', `${SITE}/pricing`);
  emitBehavior(ctx, state, {
    type: 'page',
    anonymousId,
    deviceId,
    name: '/signup',
    properties: { ...signupPage },
    page: signupPage,
    userIndex: 0,
    device: 0,
    eventTimeMs: t,
  });
  t += gap(state);
  emitBehavior(
    ctx,
    state,
    {
      ...common,
      type: 'track',
      event: 'Signed Up',
      accountId,
      properties: {
        method: rng.pick(['email', 'google']),
        plan: state.sub.plan,
        trial_days: ctx.profile.trialDays,
      },
      eventTimeMs: t,
    },
    link,
    { kind: 'signup', channel, accountId },
  );
  t += 500;
  const email = founder.emails[0] as string;
  emitBehavior(
    ctx,
    state,
    {
      ...common,
      type: 'identify',
      traits: { email, name: founder.name, title: 'Founder', created_at: new Date(t).toISOString() },
      eventTimeMs: t,
    },
    { ...link, email },
  );
  if (rng.chance(0.25)) {
    t += 200;
    emitBehavior(ctx, state, { ...common, type: 'alias', previousId: anonymousId, eventTimeMs: t }, link);
  }
  t += 500;
  const { name, industry, employees, domain } = state.traits;
  emitBehavior(
    ctx,
    state,
    {
      ...common,
      type: 'group',
      accountId,
      traits: { name, industry, employees, plan: state.sub.plan, website: `https://${domain}` },
      eventTimeMs: t,
    },
    link,
  );
  t += gap(state);
  const experiment = {
    experiment_id: ctx.profile.funnel.experimentId,
    experiment_name: 'Onboarding checklist v2',
    variant,
  };
  emitBehavior(
    ctx,
    state,
    {
      ...common,
      type: 'track',
      event: 'Experiment Viewed',
      accountId,
      properties: experiment,
      eventTimeMs: t,
    },
    link,
    { kind: 'exposure', channel, variant, accountId },
  );
  if (state.fateSteps > 0) t = stepEvents(ctx, state, t + gap(state), 0, 0);
  return t;
}

function stepEvents(
  ctx: JourneyContext,
  state: AccountState,
  start: number,
  userIndex: number,
  device: number,
): number {
  const founder = person(ctx, state, userIndex);
  const step = state.reachedSteps;
  const { accountId, channel, variant } = state.traits;
  const anonymousId = founder.anonymousIds[device] as string;
  const deviceId = founder.deviceIds[device] as string;
  emitBehavior(
    ctx,
    state,
    {
      type: 'track',
      event: FUNNEL_STEPS[step] as string,
      anonymousId,
      userId: founder.userId,
      deviceId,
      accountId,
      properties: { step: step + 1 },
      userIndex,
      device,
      eventTimeMs: start,
    },
    { userId: founder.userId, anonymousId, deviceId },
    { kind: 'step', channel, step, variant, accountId },
  );
  state.reachedSteps++;
  return start;
}

/** A later onboarding session of the founder: log in, do the next step, use a feature or two. */
export function stepSession(ctx: JourneyContext, state: AccountState, now: number): number {
  const device = state.rng.int(0, person(ctx, state, 0).anonymousIds.length - 1);
  let t = loginEvents(ctx, state, now, 0, device, true);
  t = stepEvents(ctx, state, t + gap(state), 0, device);
  return featureEvents(ctx, state, t + gap(state), 0, device, state.rng.int(1, 2));
}

/** Everyday usage by one joined user on one of their devices. */
export function usageSession(ctx: JourneyContext, state: AccountState, now: number, decay: number): number {
  const rng = state.rng;
  const userIndex = rng.int(0, Math.max(0, state.joined - 1));
  const devices = person(ctx, state, userIndex).anonymousIds.length;
  const device = rng.chance(0.5) ? 0 : rng.int(0, devices - 1);
  const t = loginEvents(ctx, state, now, userIndex, device, rng.chance(ctx.profile.identifyPerSession));
  const { min, max } = ctx.profile.eventsPerSession;
  const count = Math.max(decay < 0.5 ? 0 : 1, Math.round(rng.int(min, max) * decay));
  return featureEvents(ctx, state, t + gap(state), userIndex, device, count);
}

/** Teammate `joined` accepts the founder's invite on their first device. */
export function joinSession(ctx: JourneyContext, state: AccountState, now: number): number {
  const userIndex = state.joined;
  const mate = person(ctx, state, userIndex);
  const anonymousId = mate.anonymousIds[0] as string;
  const deviceId = mate.deviceIds[0] as string;
  const accountId = state.traits.accountId;
  const page = innerPage(APP, '/invite/accept', null);
  emitBehavior(ctx, state, {
    type: 'page',
    anonymousId,
    deviceId,
    name: page.path,
    properties: { ...page },
    page,
    userIndex,
    device: 0,
    eventTimeMs: now,
  });
  const common = { anonymousId, userId: mate.userId, deviceId, userIndex, device: 0 };
  const link = { userId: mate.userId, anonymousId, deviceId };
  let t = now + gap(state);
  emitBehavior(
    ctx,
    state,
    {
      ...common,
      type: 'track',
      event: 'Signed Up',
      accountId,
      properties: { method: 'invite', invited: true },
      eventTimeMs: t,
    },
    link,
  );
  t += 500;
  const email = mate.emails[0] as string;
  emitBehavior(
    ctx,
    state,
    { ...common, type: 'identify', traits: { email, name: mate.name }, eventTimeMs: t },
    { ...link, email },
  );
  t += 500;
  emitBehavior(
    ctx,
    state,
    { ...common, type: 'group', accountId, traits: { name: state.traits.name }, eventTimeMs: t },
    link,
  );
  state.joined++;
  return t;
}

function loginEvents(
  ctx: JourneyContext,
  state: AccountState,
  start: number,
  userIndex: number,
  device: number,
  identify: boolean,
): number {
  const rng = state.rng;
  const user = person(ctx, state, userIndex);
  const anonymousId = user.anonymousIds[device] as string;
  const deviceId = user.deviceIds[device] as string;
  const accountId = state.traits.accountId;
  const common = { anonymousId, userId: user.userId, deviceId, userIndex, device };
  const link = { userId: user.userId, anonymousId, deviceId };
  const page = innerPage(APP, rng.pick(APP_PATHS), null);
  emitBehavior(
    ctx,
    state,
    {
      ...common,
      type: 'page',
      accountId,
      name: page.path,
      properties: { ...page },
      page,
      eventTimeMs: start,
    },
    link,
  );
  let t = start + 300;
  if (identify) {
    const email = rng.chance(0.8) ? (user.emails[0] as string) : rng.pick(user.emails);
    emitBehavior(
      ctx,
      state,
      { ...common, type: 'identify', traits: { email, name: user.name }, eventTimeMs: t },
      { ...link, email },
    );
    t += 300;
  }
  emitBehavior(
    ctx,
    state,
    { ...common, type: 'track', event: 'Logged In', accountId, properties: {}, eventTimeMs: t },
    link,
  );
  return t;
}

function featureEvents(
  ctx: JourneyContext,
  state: AccountState,
  start: number,
  userIndex: number,
  device: number,
  count: number,
): number {
  const rng = state.rng;
  const user = person(ctx, state, userIndex);
  const anonymousId = user.anonymousIds[device] as string;
  const deviceId = user.deviceIds[device] as string;
  let t = start;
  for (let i = 0; i < count; i++) {
    const feature = FEATURES[Math.min(FEATURES.length - 1, Math.floor(rng.exp(2.5)))] as string;
    emitBehavior(
      ctx,
      state,
      {
        type: 'track',
        event: 'Feature Used',
        anonymousId,
        userId: user.userId,
        deviceId,
        accountId: state.traits.accountId,
        properties: { feature },
        userIndex,
        device,
        eventTimeMs: t,
      },
      { userId: user.userId, anonymousId, deviceId },
    );
    t += gap(state);
  }
  return t;
}
