// Error taxonomy for ClickHouse (house style 8): decided by the numeric server code, or the
// socket error code for network faults — never by message text.
//   retryable  -> back off and retry, then ClickHouseUnavailableError (crash without committing)
//   permanent  -> a programming, schema or data error: ClickHouseRejectedError, never retried
// Codes checked against the server's own names with errorCodeToName() on ClickHouse 26.7.

/** Server codes that mean "try again later". */
export const RETRYABLE_CODES: ReadonlyMap<number, string> = new Map([
  [3, 'UNEXPECTED_END_OF_FILE'], // connection cut mid-response
  [159, 'TIMEOUT_EXCEEDED'],
  [202, 'TOO_MANY_SIMULTANEOUS_QUERIES'],
  [203, 'NO_FREE_CONNECTION'],
  [209, 'SOCKET_TIMEOUT'],
  [210, 'NETWORK_ERROR'],
  [236, 'ABORTED'],
  [241, 'MEMORY_LIMIT_EXCEEDED'],
  [242, 'TABLE_IS_READ_ONLY'], // replica lost its Keeper session
  [252, 'TOO_MANY_PARTS'],
  [285, 'TOO_FEW_LIVE_REPLICAS'],
  [319, 'UNKNOWN_STATUS_OF_INSERT'], // safe to retry: the dedup token makes the retry idempotent
  [425, 'SYSTEM_ERROR'],
  [439, 'CANNOT_SCHEDULE_TASK'],
  [999, 'KEEPER_EXCEPTION'],
  [1002, 'UNKNOWN_EXCEPTION'], // server crashed while answering
]);
// Deliberately permanent: 164 READONLY is the user's `readonly` setting (a deployment error, not a
// transient replica state — that one is 242), 27/6/72 parse errors, 53 TYPE_MISMATCH, 60
// UNKNOWN_TABLE, 62 SYNTAX_ERROR, 81 UNKNOWN_DATABASE, 497 ACCESS_DENIED, 516 AUTHENTICATION_FAILED.

const RETRYABLE_NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

export type ClickHouseFault = 'retryable' | 'permanent';

/** The numeric server code or the socket code of an error (or its cause), if any. */
export function clickHouseErrorCode(err: unknown): number | string | null {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.code ?? e?.cause?.code;
  if (typeof code === 'number') return code;
  if (typeof code === 'string') return /^\d+$/.test(code) ? Number(code) : code;
  return null;
}

export function classifyClickHouseError(err: unknown): ClickHouseFault {
  const code = clickHouseErrorCode(err);
  if (typeof code === 'number') return RETRYABLE_CODES.has(code) ? 'retryable' : 'permanent';
  if (typeof code === 'string' && RETRYABLE_NETWORK.has(code)) return 'retryable';
  // A timeout raised by the client itself carries no code.
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'retryable';
  return 'permanent';
}

/** The retry budget is spent: the caller must not commit offsets (the process crashes and resumes). */
export class ClickHouseUnavailableError extends Error {
  readonly table: string;
  readonly attempts: number;
  constructor(table: string, attempts: number, options?: { cause?: unknown }) {
    super(`ClickHouse unavailable: insert into ${table} failed after ${attempts} attempts`, options);
    this.name = 'ClickHouseUnavailableError';
    this.table = table;
    this.attempts = attempts;
  }
}

/** The server refused the insert for a reason a retry cannot fix (schema, syntax, data, access). */
export class ClickHouseRejectedError extends Error {
  readonly table: string;
  readonly code: number | string | null;
  constructor(table: string, cause: unknown) {
    const code = clickHouseErrorCode(cause);
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`ClickHouse rejected the insert into ${table} (code ${code ?? 'none'}): ${detail}`, { cause });
    this.name = 'ClickHouseRejectedError';
    this.table = table;
    this.code = code;
  }
}

/** Permanent codes that name a value in the rows, not the table, the query or the deployment: one
 *  row the table refuses (a value it cannot parse or hold, a CHECK constraint). Only these are
 *  isolated row by row and dead-lettered; any other permanent code (unknown table or column,
 *  access denied, syntax) stops the stage for an operator, since every row would fail alike. */
export const ROW_DATA_CODES: ReadonlyMap<number, string> = new Map([
  [6, 'CANNOT_PARSE_TEXT'],
  [26, 'CANNOT_PARSE_QUOTED_STRING'],
  [27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
  [38, 'CANNOT_PARSE_DATE'],
  [41, 'CANNOT_PARSE_DATETIME'],
  [53, 'TYPE_MISMATCH'],
  [69, 'ARGUMENT_OUT_OF_BOUND'],
  [70, 'CANNOT_CONVERT_TYPE'],
  [72, 'CANNOT_PARSE_NUMBER'],
  [117, 'INCORRECT_DATA'],
  [131, 'TOO_LARGE_STRING_SIZE'],
  [190, 'SIZES_OF_ARRAYS_DONT_MATCH'],
  [321, 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE'],
  [349, 'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN'],
  [469, 'VIOLATED_CONSTRAINT'],
]);

export const isRowDataError = (err: ClickHouseRejectedError): boolean =>
  typeof err.code === 'number' && ROW_DATA_CODES.has(err.code);
