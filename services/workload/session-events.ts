// Building blocks of the behavior sessions after sign-up: "Logged In" (with the identify the SDK
// sends on login), onboarding step events and "Feature Used" events of one user on one device.
import type { AccountState } from './account-state.ts';
import { APP, innerPage } from './acquisition-touch.ts';
import type { JourneyContext } from './journey-context.ts';
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
const GAP_MS = 45_000;
/** Share of sessions whose page load re-sends the group call (so established accounts show
 *  their ICP traits too). */
const GROUP_PER_SESSION = 0.05;
/** The account's traits as B2B apps send them with every group call (ICP: employees, industry). */
export function groupTraits(state: AccountState): Record<string, unknown> {
  const { name, industry, employees, domain } = state.traits;
  return { name, industry, employees, plan: state.sub.plan, website: `https://${domain}` };
}

export function gap(state: AccountState): number {
  return 1_000 + Math.ceil(state.rng.exp(GAP_MS));
}

/** A marketing-site visit of a prospect (anonymous); the first one carries the channel touch.
 *  Returns the time after its last page. */
export function stepEvents(
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
export function loginEvents(
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
  if (rng.chance(GROUP_PER_SESSION)) {
    const traits = groupTraits(state);
    emitBehavior(ctx, state, { ...common, type: 'group', accountId, traits, eventTimeMs: t }, link);
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

export function featureEvents(
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
