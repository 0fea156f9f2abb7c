// Step results: steps return one of these instead of throwing for bad data (house style 3).
// Only infrastructure faults throw; a thrown error is never a reason to dead-letter.

export type DlqReason =
  | 'invalid_json'
  | 'invalid_utf8'
  | 'unknown_magic_byte'
  | 'unknown_schema_id'
  | 'avro_decode_failed'
  | 'message_too_large'
  | 'too_many_properties'
  | 'too_deep'
  | 'string_too_long'
  | 'identifier_too_long'
  | 'timestamp_out_of_window'
  | 'missing_required_field'
  | 'invalid_field'
  | 'unsupported_event_type'
  | 'no_identifier'
  | 'empty_message';

export type StepResult<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'dlq'; reason: DlqReason; detail: string }
  | { kind: 'drop'; reason: string }
  | { kind: 'retry'; reason: string; cause?: unknown };

export const ok = <T>(value: T): StepResult<T> => ({ kind: 'ok', value });
export const dlq = <T = never>(reason: DlqReason, detail: string): StepResult<T> => ({
  kind: 'dlq',
  reason,
  detail,
});
export const drop = <T = never>(reason: string): StepResult<T> => ({ kind: 'drop', reason });
export const retry = <T = never>(reason: string, cause?: unknown): StepResult<T> => ({
  kind: 'retry',
  reason,
  cause,
});
