// Configuration and result types of the ingest core. The shell builds one IngestConfig at startup
// (validated there) and passes it to every step; nothing here reads env or holds module state.
import type { MrrCurrency } from './convert-mrr.ts';
import type { Identifiers, JourneyEvent } from '../shared/generated/avro-types.ts';

/** Per-message limits (SPEC §1). Exceeding one dead-letters the message with the named reason. */
export interface IngestLimits {
  /** Raw Kafka value size in bytes. -> message_too_large */
  maxMessageBytes: number;
  /** Keys, counted at every depth, in the free-form maps of one message (Segment properties +
   *  traits + context.traits; Stripe metadata + previous_attributes). -> too_many_properties */
  maxPropertyCount: number;
  /** Nesting depth of the whole message; the top-level object is depth 1, each object or array
   *  inside adds one. -> too_deep */
  maxDepth: number;
  /** Length (UTF-16 code units) of any string value anywhere in the message. -> string_too_long */
  maxStringLength: number;
  /** Length of any identifier (user id, anonymous id, email, account id ...). -> identifier_too_long */
  maxIdentifierLength: number;
  /** Event time may be at most this many days before the receive (Kafka) time. -> timestamp_out_of_window */
  maxPastDays: number;
  /** Event time may be at most this many minutes after the receive (Kafka) time. -> timestamp_out_of_window */
  maxFutureMinutes: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = Object.freeze({
  maxMessageBytes: 512 * 1024,
  maxPropertyCount: 500,
  maxDepth: 16,
  maxStringLength: 16 * 1024,
  maxIdentifierLength: 256,
  maxPastDays: 90,
  maxFutureMinutes: 15,
});

export interface PiiConfig {
  /** HMAC-SHA-256 key for email pseudonymisation (from a mounted secret; never logged). */
  emailHmacKey: string;
  /** Keep the raw normalised email in ids.email (JOURNEY_PII_KEEP_RAW). Default false. */
  keepRawPii: boolean;
}

export interface IngestConfig {
  limits: IngestLimits;
  pii: PiiConfig;
  /** Extra junk-identifier pattern on top of the built-in list (services/shared/junk-identifiers.ts). */
  junkIdentifierPattern?: RegExp;
  /** The currency MRR is reported in, and the rates to it (convert-mrr.ts); absent: no conversion. */
  mrrCurrency?: MrrCurrency;
}

/** What the shell knows about the Kafka message besides its value. */
export interface IngestMessageMeta {
  /** Kafka message timestamp (ms since epoch): the pipeline's receive time. */
  receivedTime: number;
}

export type IdentifierField = keyof Identifiers;

/**
 * The ok value of every normaliser: the canonical event plus the identifier fields whose values
 * were junk (e.g. userId "undefined") and were removed from the event. One entry per removed
 * value; the shell adds junkIdentifiers.length to a counter labelled by field.
 */
export interface NormalisedEvent {
  event: JourneyEvent;
  junkIdentifiers: IdentifierField[];
}

/** The four input streams of the ingest stage. */
export type InputSource = 'behavior' | 'tickets' | 'surveys' | 'billing';
