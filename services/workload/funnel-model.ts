// The planted onboarding funnel: conditional step rates per channel and experiment variant.
// The treatment lifts the last step's rate, so it lifts activation by exactly the same factor.
import type { Rng } from './prng.ts';
import type { Variant } from './workload-message.ts';
import type { Channel, FunnelKnobs } from './workload-profile.ts';
import { FUNNEL_STEPS } from './workload-profile.ts';

export function plantedStepRates(funnel: FunnelKnobs, channel: Channel, variant: Variant): number[] {
  return FUNNEL_STEPS.map((_, step) => {
    let rate = (funnel.stepRates[step] ?? 0) * funnel.channelFactor[channel];
    if (variant === 'treatment' && step === FUNNEL_STEPS.length - 1) rate *= 1 + funnel.treatmentLift;
    return Math.min(funnel.maxStepRate, rate);
  });
}

/** Planted probability that an account from `channel` in `variant` completes every step. */
export function plantedActivationRate(funnel: FunnelKnobs, channel: Channel, variant: Variant): number {
  return plantedStepRates(funnel, channel, variant).reduce((p, r) => p * r, 1);
}

/** How many consecutive steps one account will complete. */
export function drawFunnelFate(rng: Rng, rates: readonly number[]): number {
  let steps = 0;
  while (steps < rates.length && rng.chance(rates[steps] as number)) steps++;
  return steps;
}
