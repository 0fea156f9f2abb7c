// Step: advance every account to the watermark — stalls, inactivity at-risk transitions, and a
// re-score (inactivity alone raises churn risk). Runs when the watermark moved past the sweep
// interval, inside a batch, so its outputs share the batch's commit.
import { advanceTime } from './advance-time.ts';
import { putState } from './account-store.ts';
import type { AccountStore } from './account-store.ts';
import { rescore } from './apply-journey-step.ts';
import type { JourneyContext, JourneyStepOutput } from './apply-journey-step.ts';

export function sweepTimersStep(
  store: AccountStore,
  ctx: JourneyContext,
  intervalMs: number,
  out: JourneyStepOutput,
): boolean {
  if (store.watermark - store.lastSweep < intervalMs) return false;
  const now = store.watermark;
  for (const [key, state] of store.states) {
    const advanced = advanceTime(state, now, ctx.map);
    let next = advanced.state;
    out.effects.push(...advanced.effects);
    const churned = next.stage === ctx.map.stages.find((s) => s.signal === 'billing_churn')?.id;
    if (next.kind === 'account' && !churned && next.stage !== ctx.map.stages[0]?.id)
      next = rescore(next, now, ctx, out);
    if (next !== state) putState(store, { ...next, key });
  }
  store.lastSweep = now;
  return true;
}
