// The journey stages' wall-clock tick: while the input is idle, `tick` runs every idle period (at
// most every 30 s) so that time advances without events (stalls, at-risk, re-scores). A tick that
// fails is logged and retried at the next one; the timer never keeps the process alive.
import type { Logger } from '../shared/telemetry/logger.ts';

export function startIdleTicker(
  idleMs: number,
  tick: () => Promise<void>,
  log: Logger,
  failure: string,
): { stop(): void } {
  if (idleMs <= 0) return { stop: () => undefined };
  const timer = setInterval(
    () => void tick().catch((err: unknown) => log.error({ err }, failure)),
    Math.min(idleMs, 30_000),
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
