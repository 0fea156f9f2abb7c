// Sessions in the product: the founder's later onboarding steps, everyday usage by any joined
// user on any of their devices, and a teammate accepting an invite. Each starts with "Logged In"
// except the invite acceptance, which is a sign-up.
import type { AccountState } from './account-state.ts';
import { APP, innerPage } from './acquisition-touch.ts';
import type { JourneyContext } from './journey-context.ts';
import { emitBehavior, person } from './journey-context.ts';
import { featureEvents, gap, groupTraits, loginEvents, stepEvents } from './session-events.ts';

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
    { ...common, type: 'group', accountId, traits: groupTraits(state), eventTimeMs: t },
    link,
  );
  state.joined++;
  return t;
}
