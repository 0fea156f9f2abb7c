// Effects of the journey reducer: data, each with a deterministic id so a replay gives the same
// rows (ReplacingMergeTree collapses re-deliveries) and records the journey map version.
import { createHash } from 'node:crypto';

export type JourneyEffect =
  | {
      kind: 'transition';
      id: string;
      account_key: string;
      from_stage: string;
      to_stage: string;
      at: number;
      reason: string;
      map_version: number;
    }
  | {
      kind: 'stall';
      id: string;
      account_key: string;
      stage: string;
      at: number;
      stalled_days: number;
      map_version: number;
    }
  | {
      kind: 'activation';
      id: string;
      account_key: string;
      at: number;
      signup_at: number | null;
      map_version: number;
    }
  | {
      kind: 'funnel_step';
      id: string;
      account_key: string;
      step: string;
      step_index: number;
      at: number;
      map_version: number;
    };

export function effectId(...parts: Array<string | number>): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 20);
}
