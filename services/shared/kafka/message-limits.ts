// Message size limits shared by the topics' configuration and the stages that write to them.

/** max.message.bytes of the raw topics (and the canonical topic): twice the ingest limit, so an
 *  oversized raw message still arrives and is dead-lettered with its reason instead of being
 *  refused at produce time, and a canonical event within canonicalMessageLimit always fits. */
export const rawTopicMaxBytes = (ingestMaxMessageBytes: number): number => 2 * ingestMaxMessageBytes + 65_536;

/** The largest canonical event the ingest writes: normalisation (pseudonymised emails, added
 *  fields) can make an event larger than its raw message; a larger one is dead-lettered. */
export const canonicalMessageLimit = (ingestMaxMessageBytes: number): number =>
  ingestMaxMessageBytes + 65_536;
