// The numbers of a canonical event against what schemas/journey_event.avsc can carry. avsc throws
// while encoding a value its type cannot hold (an int beyond 32 bits, a long beyond ±(2^53 - 2)),
// and a throw in encodeCanonicalStep is no reason for a message: every such number is bounded
// here, at normalisation, as a dlq reason (value_out_of_range) that names the field.
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import { PayloadError } from './payload-error.ts';

/** Avro int: 32-bit signed. */
export const AVRO_INT_MIN = -(2 ** 31);
export const AVRO_INT_MAX = 2 ** 31 - 1;
/** avsc's own bound for a long held in a JS number (its isSafeLong: ±9007199254740990, one
 *  inside Number.MAX_SAFE_INTEGER). */
export const AVRO_LONG_MAX = 9_007_199_254_740_990;

const LONG_FIELDS = ['event_time', 'received_time', 'amount_cents', 'mrr_cents', 'mrr_delta_cents'] as const;
const INT_FIELDS = ['seats'] as const;
const DOUBLE_FIELDS = ['score'] as const;

function outOfRange(field: string, value: unknown, range: string): never {
  throw new PayloadError('value_out_of_range', `${field}: ${String(value)} does not fit ${range}`);
}

/** Throws PayloadError(value_out_of_range) for the first number the canonical schema cannot hold. */
export function checkCanonicalRanges(event: JourneyEvent): void {
  for (const field of LONG_FIELDS) {
    const v = event[field];
    if (v === null) continue;
    if (!Number.isInteger(v) || v < -AVRO_LONG_MAX || v > AVRO_LONG_MAX)
      outOfRange(field, v, `an Avro long (±${AVRO_LONG_MAX})`);
  }
  for (const field of INT_FIELDS) {
    const v = event[field];
    if (v === null) continue;
    if (!Number.isInteger(v) || v < AVRO_INT_MIN || v > AVRO_INT_MAX)
      outOfRange(field, v, 'an Avro int (32 bits)');
  }
  for (const field of DOUBLE_FIELDS) {
    const v = event[field];
    if (v !== null && !Number.isFinite(v)) outOfRange(field, v, 'a finite double');
  }
}
