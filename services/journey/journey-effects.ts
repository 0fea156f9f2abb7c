// Effects of the journey reducer: data, each with a deterministic id (a hash of the account key,
// the kind, the stage or step and the event time) so a replay gives the same rows and
// ReplacingMergeTree collapses re-deliveries; each records the journey map version.
import { createHash } from 'node:crypto';

interface EffectBase {
  id: string;
  account_key: string;
  at: number;
  map_version: number;
}

export interface TransitionEffect extends EffectBase {
  kind: 'transition';
  from_stage: string;
  to_stage: string;
  /** The conversion event name, activated, billing_churn, inactivity, usage_drop, reactivated, activity_resumed. */
  reason: string;
}

export interface StallEffect extends EffectBase {
  kind: 'stall';
  stage: string;
  stalled_days: number;
}

export interface AtRiskEffect extends EffectBase {
  kind: 'at_risk';
  /** The stage the account was in when the signal fired. */
  stage: string;
  signal: 'inactivity' | 'usage_drop';
}

export interface ActivationEffect extends EffectBase {
  kind: 'activation';
  signup_at: number | null;
}

export interface FunnelStepEffect extends EffectBase {
  kind: 'funnel_step';
  step: string;
  step_index: number;
}

export type JourneyEffect =
  TransitionEffect | StallEffect | AtRiskEffect | ActivationEffect | FunnelStepEffect;

export function effectId(...parts: Array<string | number>): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 20);
}
