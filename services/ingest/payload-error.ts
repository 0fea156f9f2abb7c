// Bad-data signal inside a normaliser. Field readers throw it deep in the mapping code; the
// normaliser's single catch (runNormaliser) turns it into a dlq result, so the step itself never
// throws for bad data. Any other error is a programmer error and propagates.
import type { DlqReason, StepResult } from '../shared/results.ts';
import { dlq } from '../shared/results.ts';

export class PayloadError extends Error {
  readonly reason: DlqReason;

  constructor(reason: DlqReason, detail: string) {
    super(detail);
    this.name = 'PayloadError';
    this.reason = reason;
  }
}

export function runNormaliser<T>(map: () => StepResult<T>): StepResult<T> {
  try {
    return map();
  } catch (err) {
    if (err instanceof PayloadError) return dlq(err.reason, err.message);
    throw err;
  }
}
