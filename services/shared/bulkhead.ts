// The bulkhead of every stage: an exception raised while processing one message is a defect in
// the handling of that message (a value no step expected), not a reason to stop the stage. The
// message goes to the DLQ with reason `internal_error` and the error's class and message; the
// batch goes on. Infrastructure faults (broker, registry, ClickHouse unreachable) are the
// exception: they are thrown as a TransientFault, the batch is not committed and is retried.
import type { DlqReason } from './results.ts';

/** A fault of the infrastructure, not of the message: never dead-letters, always retried. */
export class TransientFault extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientFault';
  }
}

export const isInfrastructureFault = (err: unknown): boolean => err instanceof TransientFault;

/** The DLQ cause for an exception: its class and message (first line, bounded), never its stack
 *  (which names files of this host) and never the message's content. */
export function internalError(err: unknown): { reason: DlqReason; detail: string } {
  const name = err instanceof Error ? err.constructor.name || err.name : typeof err;
  const text = err instanceof Error ? err.message : String(err);
  return { reason: 'internal_error', detail: `${name}: ${text.split('\n')[0]!.slice(0, 300)}` };
}
