// A prospect on the marketing site: anonymous visits (the first one carries the channel touch)
// and the founder's sign-up with identify, (alias), group, the experiment exposure and step 1.
import type { AccountState } from './account-state.ts';
import { innerPage, landingTouch, SITE } from './acquisition-touch.ts';
import type { JourneyContext } from './journey-context.ts';
import { emitBehavior, person } from './journey-context.ts';
import type { PageContext } from './segment-messages.ts';
import { gap, groupTraits, stepEvents } from './session-events.ts';

const SITE_PATHS = ['/pricing', '/features/funnels', '/customers', '/security'];

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
  emitBehavior(
    ctx,
    state,
    { ...common, type: 'group', accountId, traits: groupTraits(state), eventTimeMs: t },
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
