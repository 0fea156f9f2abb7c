// Error taxonomy for ClickHouse (house style 8): decided by the numeric server code, or the
// socket error code for network faults — never by message text.
//   retryable  -> back off and retry, then crash without committing
//   permanent  -> a programming or schema error: never retried

// Server codes that mean "try again later".
const RETRYABLE_CODES = new Set([
  3, // UNEXPECTED_END_OF_FILE (connection cut mid-response)
  159, // TIMEOUT_EXCEEDED
  164, // READONLY (replica in read-only mode)
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  236, // ABORTED
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  285, // TOO_FEW_LIVE_REPLICAS
  319, // UNKNOWN_STATUS_OF_INSERT
  425, // SYSTEM_ERROR
  999, // KEEPER_EXCEPTION
  1002, // UNKNOWN_EXCEPTION (server crashed while answering)
]);

const RETRYABLE_NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

export type ClickHouseFault = 'retryable' | 'permanent';

export function classifyClickHouseError(err: unknown): ClickHouseFault {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.code ?? e?.cause?.code;
  if (typeof code === 'string' && /^\d+$/.test(code))
    return RETRYABLE_CODES.has(Number(code)) ? 'retryable' : 'permanent';
  if (typeof code === 'number') return RETRYABLE_CODES.has(code) ? 'retryable' : 'permanent';
  if (typeof code === 'string' && RETRYABLE_NETWORK.has(code)) return 'retryable';
  // A timeout raised by the client itself carries no code.
  if (err instanceof Error && err.name === 'TimeoutError') return 'retryable';
  return 'permanent';
}

export class ClickHouseUnavailableError extends Error {
  constructor(table: string, attempts: number, options?: { cause?: unknown }) {
    super(`ClickHouse unavailable: insert into ${table} failed after ${attempts} attempts`, options);
    this.name = 'ClickHouseUnavailableError';
  }
}
