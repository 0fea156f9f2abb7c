// What the generator yields: one raw input message for the producer shell, plus the truth notes
// the generator attaches internally (never sent) so the ground truth is recorded as it goes.
import type { DlqReason } from '../shared/results.ts';
import type { Channel } from './workload-profile.ts';

export type Topic = 'behavior' | 'tickets' | 'surveys' | 'billing';
export const TOPICS: readonly Topic[] = ['behavior', 'tickets', 'surveys', 'billing'];

export type Variant = 'control' | 'treatment';

export interface RawMessage {
  topic: Topic;
  /** Kafka key: the account id when the message names one, else the user / anonymous id. */
  key: string;
  /** An object the shell encodes (JSON text or Confluent Avro per `encoding`); a Buffer is sent
   *  as it is, whatever `encoding` says (the malformed kinds). */
  value: object | Buffer;
  encoding: 'json' | 'avro';
  /** When it happened (the payload's own time); earlier than sendTimeMs for late events. */
  eventTimeMs: number;
  /** When the producer should send it (Kafka timestamp): non-decreasing along the stream. */
  sendTimeMs: number;
  /** The event id the ingest stage derives (behavior:<messageId>, tickets:<id>:<kind>:<ms> ...). */
  eventId?: string;
  /** Set on malformed messages: the DLQ reason the pipeline must give. */
  malformed?: DlqReason;
  /** A re-send of an earlier message, byte for byte. */
  duplicate?: true;
  late?: true;
}

/** Identifiers one message links (for the true persons and accounts). */
export interface PersonLink {
  accountIndex: number;
  accountId: string;
  userId: string;
  anonymousId?: string;
  email?: string;
  deviceId?: string;
}

export type Milestone =
  | { kind: 'visit'; channel: Channel }
  | { kind: 'signup'; channel: Channel; accountId: string }
  | { kind: 'exposure'; channel: Channel; variant: Variant; accountId: string }
  | { kind: 'step'; channel: Channel; step: number; variant: Variant; accountId: string }
  | { kind: 'converted'; accountId: string }
  | { kind: 'trial_expired'; accountId: string }
  | {
      kind: 'churned';
      accountId: string;
      decayStartMs: number | null;
      reason: 'voluntary' | 'payment_failed';
      feedback: string;
      comment: string | null;
    };

/** A message on its way through the generator's time queue. */
export interface PendingMessage {
  message: RawMessage;
  person?: PersonLink;
  milestone?: Milestone;
  /** Which malformed kind a malformed message is (see malformed-messages.ts). */
  malformedKind?: string;
  /** Sent as it is: no JSON re-encoding, duplicate or malformed copy, and no draw on the noise
   *  stream, so adding such messages leaves the noise of every other message unchanged. */
  noiseless?: true;
}
