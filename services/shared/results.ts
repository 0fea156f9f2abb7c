// Step results: steps return one of these instead of throwing for bad data (house style 3).
// Only infrastructure faults throw; a thrown error is never a reason to dead-letter.

export type DlqReason =
  | 'invalid_json'
  | 'invalid_utf8'
  | 'unknown_magic_byte'
  | 'unknown_schema_id'
  // The registry's writer schema for the id is not a schema avsc can parse (never retried).
  | 'unparseable_writer_schema'
  | 'avro_decode_failed'
  | 'message_too_large'
  | 'too_many_properties'
  | 'too_deep'
  | 'string_too_long'
  | 'identifier_too_long'
  | 'timestamp_out_of_window'
  | 'missing_required_field'
  | 'invalid_field'
  // A number the canonical Avro int/long cannot hold (seats beyond int32, amounts beyond 2^53).
  | 'value_out_of_range'
  | 'unsupported_event_type'
  | 'no_identifier'
  | 'empty_message'
  // An exception while processing the message (a defect): the bulkhead dead-letters it.
  | 'internal_error'
  // A row ClickHouse refused for its values (a value it cannot hold, a CHECK constraint): the row
  // itself is dead-lettered, with its table; the batch's other rows are stored.
  | 'clickhouse_rejected';

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
