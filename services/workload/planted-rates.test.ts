// The planted effects are recoverable from the stream itself, read the way the pipeline reads it
// (channel by the ingest stage's own mapping): sign-up rates and funnel step rates per channel,
// the experiment's lift on activation, the journey map's activation rule, churners' decay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SITE } from './acquisition-touch.ts';
import { plantedActivationRate, plantedStepRates } from './funnel-model.ts';
import { generateHistory } from './generate-workload.ts';
import type { RawMessage } from './workload-message.ts';
import type { Channel } from './workload-profile.ts';
import { CHANNELS, FUNNEL_STEPS, PROFILES } from './workload-profile.ts';
import { collect, ingest, T0 } from './workload-test-kit.ts';

type Segment = {
  type: string;
  event?: string;
  userId?: string;
  anonymousId?: string;
  properties?: Record<string, unknown>;
  context: { groupId?: string };
  timestamp: string;
};

interface Observed {
  visitors: Map<Channel, number>;
  /** account -> channel, variant, steps done, Logged In days */
  accounts: Map<
    string,
    { channel: Channel; variant?: string; steps: Set<string>; signupMs: number; loginDays: Set<number> }
  >;
}

async function observe(messages: readonly RawMessage[]): Promise<Observed> {
  const channelOfAnon = new Map<string, Channel>();
  const visitors = new Map<Channel, number>();
  const accounts: Observed['accounts'] = new Map();
  // In event-time order, as the pipeline's event-time state sees them (late events included).
  const byEventTime = [...messages].sort((a, b) => a.eventTimeMs - b.eventTimeMs);
  for (const m of byEventTime) {
    if (m.topic !== 'behavior' || m.malformed || m.duplicate) continue;
    const v = m.value as Segment;
    const onSite = String(v.properties?.['url']).startsWith(SITE);
    if (
      v.type === 'page' &&
      onSite &&
      v.userId === undefined &&
      !channelOfAnon.has(v.anonymousId as string)
    ) {
      const result = await ingest(m);
      assert.equal(result.kind, 'ok');
      const channel = (result.kind === 'ok' ? result.value.event.channel : null) as Channel;
      channelOfAnon.set(v.anonymousId as string, channel);
      visitors.set(channel, (visitors.get(channel) ?? 0) + 1);
    }
    const account = v.context.groupId;
    if (account === undefined || v.type !== 'track') continue;
    if (v.event === 'Signed Up' && v.properties?.['method'] !== 'invite') {
      const channel = channelOfAnon.get(v.anonymousId as string) as Channel;
      accounts.set(account, {
        channel,
        steps: new Set(),
        signupMs: Date.parse(v.timestamp),
        loginDays: new Set(),
      });
    }
    const a = accounts.get(account);
    if (a === undefined) continue;
    if (v.event === 'Experiment Viewed') a.variant = v.properties?.['variant'] as string;
    if (FUNNEL_STEPS.includes(v.event as (typeof FUNNEL_STEPS)[number])) a.steps.add(v.event as string);
    const t = Date.parse(v.timestamp);
    if (v.event === 'Logged In' && t - a.signupMs <= 7 * 86_400_000)
      a.loginDays.add(Math.floor(t / 86_400_000));
  }
  return { visitors, accounts };
}

/** |observed - expected| within 4 binomial standard errors (and 1 pp). */
function assertRate(label: string, hits: number, n: number, expected: number): void {
  assert.ok(n > 0, `${label}: no trials`);
  const se = Math.sqrt((expected * (1 - expected)) / n);
  const observed = hits / n;
  assert.ok(
    Math.abs(observed - expected) <= 4 * se + 0.01,
    `${label}: observed ${observed.toFixed(3)} planted ${expected.toFixed(3)} (n ${n})`,
  );
}

/** The planted rate straight from the profile knobs (independent of funnel-model.ts). */
function planted(channel: Channel, variant: string | undefined, step: number): number {
  const f = PROFILES.demo.funnel;
  const lift = variant === 'treatment' && step === FUNNEL_STEPS.length - 1 ? 1 + f.treatmentLift : 1;
  return Math.min(f.maxStepRate, (f.stepRates[step] as number) * f.channelFactor[channel] * lift);
}

const FUNNEL_RUN = {
  establishedAccounts: 0,
  newAccounts: 4_000,
  sessionsPerUserDay: 0.02,
  ticketsPerAccountWeek: 0,
  surveysPerAccountWeek: 0,
  seatChangesPerAccountWeek: 0,
  malformedShare: 0,
};

test('sign-up and funnel step rates per channel match the planted rates; the truth counts them exactly', async () => {
  const workload = generateHistory('demo', 17, T0, FUNNEL_RUN);
  const { visitors, accounts } = await observe(collect(workload));
  const truth = workload.truth();
  const funnel = PROFILES.demo.funnel;
  for (const channel of CHANNELS) {
    const mine = [...accounts.values()].filter((a) => a.channel === channel);
    const byTruth = truth.funnel.byChannel[channel];
    assert.equal(visitors.get(channel), byTruth.visitors, `${channel} visitors`);
    assert.equal(mine.length, byTruth.signedUp, `${channel} sign-ups`);
    assertRate(`${channel} sign-up`, mine.length, byTruth.visitors, PROFILES.demo.signupRate[channel]);
    let previous = mine;
    FUNNEL_STEPS.forEach((step, i) => {
      const reached = previous.filter((a) => a.steps.has(step));
      assert.equal(reached.length, byTruth.reached[i], `${channel} ${step}`);
      // Step rates hold per variant; only the last step differs between them.
      for (const variant of ['control', 'treatment'] as const) {
        const n = previous.filter((a) => a.variant === variant);
        const expected = planted(channel, variant, i);
        assert.equal(plantedStepRates(funnel, channel, variant)[i], expected);
        assertRate(
          `${channel} ${variant} ${step}`,
          n.filter((a) => a.steps.has(step)).length,
          n.length,
          expected,
        );
      }
      previous = reached;
    });
  }
});

test('the experiment lifts activation by the planted relative lift', async () => {
  const workload = generateHistory('demo', 23, T0, FUNNEL_RUN);
  const { accounts } = await observe(collect(workload));
  const truth = workload.truth().experiment;
  const rate = (variant: string): number => {
    const exposed = [...accounts.values()].filter((a) => a.variant === variant);
    const activated = exposed.filter((a) => a.steps.has('Created Report')).length;
    assert.equal(exposed.length, truth.variants[variant as 'control'].exposed);
    assert.equal(activated, truth.variants[variant as 'control'].activated);
    const planted = truth.variants[variant as 'control'].plantedActivationRate;
    assertRate(`${variant} activation`, activated, exposed.length, planted);
    return activated / exposed.length;
  };
  const control = rate('control');
  const treatment = rate('treatment');
  assert.equal(truth.plantedRelativeLift, 0.2);
  assert.ok(Math.abs(treatment / control - 1 - 0.2) < 0.12, `observed lift ${treatment / control - 1}`);
  assert.ok(
    Math.abs(
      plantedActivationRate(PROFILES.demo.funnel, 'direct', 'treatment') /
        plantedActivationRate(PROFILES.demo.funnel, 'direct', 'control') -
        1.2,
    ) < 1e-9,
  );
});

test("demo: pooled step rates within 5 pp of planted, and the journey map's activation rule finds exactly the activated accounts", async () => {
  const workload = generateHistory('demo', 42, T0);
  const { accounts } = await observe(collect(workload));
  let previous = [...accounts.values()];
  FUNNEL_STEPS.forEach((step, i) => {
    const expected = previous.reduce((sum, a) => sum + planted(a.channel, a.variant, i), 0) / previous.length;
    const reached = previous.filter((a) => a.steps.has(step));
    if (i < 2)
      assert.ok(
        Math.abs(reached.length / previous.length - expected) <= 0.05,
        `${step}: ${reached.length}/${previous.length} vs ${expected}`,
      );
    previous = reached;
  });
  for (const [id, a] of accounts) {
    assert.equal(
      a.loginDays.size >= 3,
      a.steps.has('Created Report'),
      `${id}: ${a.loginDays.size} login days, steps ${[...a.steps]}`,
    );
  }
});

test('planted churners: usage decays for weeks, then they cancel in their own words', () => {
  const workload = generateHistory('demo', 42, T0, { churnShare: 0.4 });
  const messages = collect(workload);
  const truth = workload.truth();
  const voluntary = truth.churners.filter((c) => c.reason === 'voluntary');
  assert.ok(voluntary.length >= 10, `${voluntary.length} churners`);
  const week = 7 * 86_400_000;
  let decayed = 0;
  for (const churner of voluntary) {
    const events = messages.filter(
      (m) => m.topic === 'behavior' && m.key === churner.accountId && !m.duplicate,
    );
    const before = events.filter(
      (m) =>
        m.eventTimeMs < (churner.decayStartMs as number) &&
        m.eventTimeMs >= (churner.decayStartMs as number) - week,
    ).length;
    const last = events.filter(
      (m) => m.eventTimeMs < churner.churnedMs && m.eventTimeMs >= churner.churnedMs - week,
    ).length;
    if (last < 0.5 * before || before === 0) decayed++;
    assert.ok(churner.churnedMs - (churner.decayStartMs as number) >= 2 * week - 1);
    const cancel = messages.find(
      (m) =>
        m.topic === 'billing' &&
        m.key === churner.accountId &&
        (m.value as { type: string }).type === 'customer.subscription.deleted',
    );
    const details = (cancel?.value as { data: { object: { cancellation_details: { comment: string } } } })
      .data.object.cancellation_details;
    assert.equal(details.comment, churner.comment);
  }
  assert.ok(decayed >= 0.8 * voluntary.length, `${decayed} of ${voluntary.length} decayed`);
  const cancelled = new Set(
    messages
      .filter(
        (m) =>
          m.topic === 'billing' && (m.value as { type: string }).type === 'customer.subscription.deleted',
      )
      .map((m) => m.key),
  );
  for (const id of truth.retained) assert.equal(cancelled.has(id), false, `${id} retained but cancelled`);
});
