// Builds the GroundTruth from the messages as they are yielded plus the world knowledge the
// generator hands over (established accounts, planted churners). Memory grows with accounts and
// sampled persons, never with the number of events.
import type { AccountTraits } from './account-traits.ts';
import { deriveAccount, TAG } from './account-traits.ts';
import { plantedActivationRate } from './funnel-model.ts';
import type { ChannelFunnel, GroundTruth, TrueAccount, TrueChurner } from './ground-truth.ts';
import { hash32, unit } from './prng.ts';
import type { PendingMessage, Topic, Variant } from './workload-message.ts';
import type { Channel, WorkloadProfile } from './workload-profile.ts';
import { CHANNELS, FUNNEL_STEPS } from './workload-profile.ts';

interface PersonSets {
  accountId: string;
  anonymousIds: Set<string>;
  emails: Set<string>;
  deviceIds: Set<string>;
}

export class TruthRecorder {
  private readonly profile: WorkloadProfile;
  private readonly seed: number;
  private readonly startMs: number;
  private endMs: number;
  private readonly counts = { total: 0, valid: 0, malformed: 0, duplicates: 0, late: 0 };
  private readonly byTopic: Record<Topic, number> = { behavior: 0, tickets: 0, surveys: 0, billing: 0 };
  private readonly malformedByReason: Record<string, number> = {};
  private readonly malformedMessages: GroundTruth['malformedMessages'] = [];
  private readonly persons = new Map<string, PersonSets>();
  private readonly accounts = new Map<string, TrueAccount & { memberSet: Set<string> }>();
  private readonly funnel: Record<Channel, ChannelFunnel>;
  private readonly variants: GroundTruth['experiment']['variants'];
  private readonly plantedActivationSum: Record<Variant, number> = { control: 0, treatment: 0 };
  private readonly churners: TrueChurner[] = [];
  private readonly planted = new Map<string, { decayStartMs: number; plannedChurnMs: number }>();
  private readonly trialsExpired: string[] = [];
  private readonly paying = new Set<string>();

  constructor(profile: WorkloadProfile, seed: number, startMs: number) {
    this.profile = profile;
    this.seed = seed;
    this.startMs = startMs;
    this.endMs = startMs;
    const funnel = {} as Record<Channel, ChannelFunnel>;
    for (const c of CHANNELS) {
      const planted = FUNNEL_STEPS.map((_, i) =>
        Math.min(
          profile.funnel.maxStepRate,
          (profile.funnel.stepRates[i] ?? 0) * profile.funnel.channelFactor[c],
        ),
      );
      funnel[c] = {
        planted,
        visitors: 0,
        plantedSignupRate: profile.signupRate[c],
        signedUp: 0,
        reached: FUNNEL_STEPS.map(() => 0),
      };
    }
    this.funnel = funnel;
    this.variants = {
      control: { plantedActivationRate: 0, exposed: 0, activated: 0 },
      treatment: { plantedActivationRate: 0, exposed: 0, activated: 0 },
    };
  }

  sampled(accountIndex: number): boolean {
    return (
      this.profile.truthSampleRate >= 1 ||
      unit(hash32(this.seed, TAG.truth, accountIndex)) < this.profile.truthSampleRate
    );
  }

  addAccount(traits: AccountTraits, established: boolean): void {
    if (established) this.paying.add(traits.accountId);
    if (!this.sampled(traits.index) || this.accounts.has(traits.accountId)) return;
    const { plan, employees, industry, hot } = traits;
    this.accounts.set(traits.accountId, {
      members: [],
      memberSet: new Set(),
      channel: established ? null : traits.channel,
      plan,
      employees,
      industry,
      hot,
    });
  }

  plantChurn(accountId: string, decayStartMs: number, plannedChurnMs: number): void {
    this.planted.set(accountId, { decayStartMs, plannedChurnMs });
  }

  record(pending: PendingMessage, index: number): void {
    const m = pending.message;
    this.counts.total++;
    this.endMs = m.sendTimeMs;
    if (m.malformed !== undefined) {
      this.counts.malformed++;
      this.malformedByReason[m.malformed] = (this.malformedByReason[m.malformed] ?? 0) + 1;
      this.malformedMessages.push({
        index,
        topic: m.topic,
        reason: m.malformed,
        kind: pending.malformedKind ?? 'unknown',
      });
      return;
    }
    if (m.duplicate) {
      this.counts.duplicates++;
      return;
    }
    this.counts.valid++;
    this.byTopic[m.topic]++;
    if (m.late) this.counts.late++;
    if (pending.person !== undefined) this.recordPerson(pending.person);
    if (pending.milestone !== undefined) this.recordMilestone(pending);
  }

  private recordPerson(link: NonNullable<PendingMessage['person']>): void {
    if (!this.sampled(link.accountIndex)) return;
    let p = this.persons.get(link.userId);
    if (p === undefined) {
      p = { accountId: link.accountId, anonymousIds: new Set(), emails: new Set(), deviceIds: new Set() };
      this.persons.set(link.userId, p);
    }
    if (link.anonymousId !== undefined) p.anonymousIds.add(link.anonymousId);
    if (link.email !== undefined) p.emails.add(link.email);
    if (link.deviceId !== undefined) p.deviceIds.add(link.deviceId);
    let account = this.accounts.get(link.accountId);
    if (account === undefined) {
      this.addAccount(deriveAccount(this.seed, link.accountIndex, this.profile), false);
      account = this.accounts.get(link.accountId);
    }
    account?.memberSet.add(link.userId);
  }

  private recordMilestone(pending: PendingMessage): void {
    const milestone = pending.milestone;
    if (milestone === undefined) return;
    switch (milestone.kind) {
      case 'visit':
        this.funnel[milestone.channel].visitors++;
        break;
      case 'signup':
        this.funnel[milestone.channel].signedUp++;
        break;
      case 'exposure':
        this.variants[milestone.variant].exposed++;
        this.plantedActivationSum[milestone.variant] += plantedActivationRate(
          this.profile.funnel,
          milestone.channel,
          milestone.variant,
        );
        break;
      case 'step':
        (this.funnel[milestone.channel].reached[milestone.step] as number)++;
        if (milestone.step === FUNNEL_STEPS.length - 1) this.variants[milestone.variant].activated++;
        break;
      case 'converted':
        this.paying.add(milestone.accountId);
        break;
      case 'trial_expired':
        this.trialsExpired.push(milestone.accountId);
        break;
      case 'churned': {
        const { accountId, decayStartMs, reason, feedback, comment } = milestone;
        this.paying.delete(accountId);
        this.churners.push({
          accountId,
          decayStartMs,
          churnedMs: pending.message.eventTimeMs,
          reason,
          feedback,
          comment,
        });
        break;
      }
    }
  }

  snapshot(): GroundTruth {
    const persons: GroundTruth['persons'] = {};
    for (const [userId, p] of this.persons) {
      persons[userId] = {
        accountId: p.accountId,
        anonymousIds: [...p.anonymousIds],
        emails: [...p.emails],
        deviceIds: [...p.deviceIds],
      };
    }
    const accounts: GroundTruth['accounts'] = {};
    for (const [id, { memberSet, ...account }] of this.accounts)
      accounts[id] = { ...account, members: [...memberSet] };
    const variants = structuredClone(this.variants);
    for (const v of ['control', 'treatment'] as const) {
      variants[v].plantedActivationRate =
        variants[v].exposed === 0 ? 0 : this.plantedActivationSum[v] / variants[v].exposed;
    }
    const churned = new Set(this.churners.map((c) => c.accountId));
    const decaying = [...this.planted]
      .filter(([id, p]) => !churned.has(id) && this.paying.has(id) && p.decayStartMs <= this.endMs)
      .map(([accountId, p]) => ({ accountId, ...p }));
    return {
      profile: this.profile.name,
      seed: this.seed,
      startMs: this.startMs,
      endMs: this.endMs,
      messages: { ...this.counts },
      validEventsByTopic: { ...this.byTopic },
      distinctValidEventIds: this.counts.valid,
      malformedByReason: { ...this.malformedByReason },
      malformedMessages: [...this.malformedMessages],
      sampleRate: this.profile.truthSampleRate,
      persons,
      accounts,
      funnel: { steps: [...FUNNEL_STEPS], byChannel: structuredClone(this.funnel) },
      experiment: {
        id: this.profile.funnel.experimentId,
        plantedRelativeLift: this.profile.funnel.treatmentLift,
        variants,
      },
      churners: [...this.churners],
      decaying,
      trialsExpired: [...this.trialsExpired],
      retained: [...this.paying],
    };
  }
}
