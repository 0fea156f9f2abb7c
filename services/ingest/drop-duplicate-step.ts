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
  /** Re-fed by replay-dlq: it was dead-lettered, never stored, so it cannot be a duplicate of what
   *  passed — though a warmed window (warm-dedup-windows.ts, which derives ids with today's limits)
   *  may hold its id. It is remembered, so a later copy is still dropped. */
  replayed = false,
): StepResult<NormalisedEvent> {
  const seen = window.checkAndRemember(normalised.event.event_id, now);
  return seen && !replayed ? drop('duplicate') : ok(normalised);
}
