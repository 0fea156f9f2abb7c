// Step: a delivery whose event id is in the dedup window is dropped (reason `duplicate`, counted
// by the shell); the first delivery passes through.
import type { StepResult } from '../shared/results.ts';
import { drop, ok } from '../shared/results.ts';
import type { DedupWindow } from './dedup-window.ts';
import type { NormalisedEvent } from './ingest-config.ts';

export function dropDuplicateStep(
  window: DedupWindow,
  normalised: NormalisedEvent,
  now: number,
): StepResult<NormalisedEvent> {
  return window.checkAndRemember(normalised.event.event_id, now) ? drop('duplicate') : ok(normalised);
}
