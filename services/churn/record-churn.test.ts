import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { updateAlertState } from './churn-alert-state.ts';
import type { ChurnAlertState } from './churn-alert-state.ts';
import { DEFAULT_CHURN_CONFIG } from './churn-config.ts';
import { MAX_REASON_LENGTH, recordChurn } from './record-churn.ts';
import type { ChurnEvent } from './record-churn.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 5, 1);

function stateAfter(scores: [number, number][]): ChurnAlertState {
  let state: ChurnAlertState | null = null;
  for (const [score, at] of scores) {
    state = updateAlertState(
      state,
      { account: 'acme', score, band: 'healthy', reasons: [], scoredAt: at, mrr: 10, mrrAtRisk: 0 },
      at,
      DEFAULT_CHURN_CONFIG,
    ).state;
  }
  return state as ChurnAlertState;
}

const cancel = (at: number, reason: string | null = null): ChurnEvent => ({
  account: 'acme',
  at,
  reason,
  reasonCode: null,
});

describe('recordChurn', () => {
  it('measures from the first warning of the episode to the cancellation, with the customer words', () => {
    const state = stateAfter([
      [10, T0],
      [45, T0 + DAY], // first warning: watch
      [80, T0 + 5 * DAY], // escalates; the first warning stays
    ]);
    const outcome = recordChurn(state, {
      ...cancel(T0 + 22 * DAY + DAY / 2, '  We moved to a cheaper tool.\n'),
      reasonCode: 'too_expensive',
    });
    assert.deepEqual(outcome, {
      account: 'acme',
      churnedAt: T0 + 22.5 * DAY,
      warned: true,
      firstWarningAt: T0 + DAY,
      leadTimeMs: 21.5 * DAY,
      leadTimeDays: 21.5,
      bandAtChurn: 'at_risk',
      scoreAtChurn: 80,
      reason: 'We moved to a cheaper tool.',
      reasonCode: 'too_expensive',
    });
  });

  it('an earlier episode that healed does not count as a warning', () => {
    const state = stateAfter([
      [75, T0],
      [20, T0 + 10 * DAY],
    ]);
    const outcome = recordChurn(state, cancel(T0 + 40 * DAY, '   '));
    assert.deepEqual(
      [outcome.warned, outcome.firstWarningAt, outcome.leadTimeMs, outcome.bandAtChurn, outcome.reason],
      [false, null, null, 'healthy', null],
    );
  });

  it('an account never scored churned unwarned; long reasons are capped', () => {
    const outcome = recordChurn(null, cancel(T0, 'x'.repeat(MAX_REASON_LENGTH + 10)));
    assert.deepEqual(
      [outcome.warned, outcome.scoreAtChurn, outcome.reason?.length],
      [false, null, MAX_REASON_LENGTH],
    );
  });

  it('a warning after the cancellation time is not a warning before it', () => {
    const state = stateAfter([[75, T0 + DAY]]);
    assert.equal(recordChurn(state, cancel(T0)).warned, false);
  });
});
