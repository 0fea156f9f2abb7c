// `source=number` pairs ("stripe=1048576,zendesk=262144"): the collector's per-source overrides
// of a limit (COLLECTOR_MAX_BODY_BYTES_BY_SOURCE, COLLECTOR_RATE_PER_KEY_BY_SOURCE), validated with
// the rest of the configuration.
import { z } from 'zod';

/** The collector's sources (services/collector/collect-request.ts). */
export const COLLECTOR_SOURCES = ['segment', 'stripe', 'zendesk', 'delighted', 'typeform'] as const;
const SOURCE_PAIR = `(?:${COLLECTOR_SOURCES.join('|')})=\\d+`;
/** `source=number` pairs, comma-separated ("stripe=1048576,zendesk=262144"): per-source overrides. */
export const perSource = z
  .string()
  .regex(
    new RegExp(`^\\s*(?:${SOURCE_PAIR}(?:\\s*,\\s*${SOURCE_PAIR})*)?\\s*$`),
    `source=number pairs separated by commas; sources: ${COLLECTOR_SOURCES.join(', ')}`,
  )
  .transform((text): Partial<Record<(typeof COLLECTOR_SOURCES)[number], number>> =>
    Object.fromEntries(
      text
        .split(',')
        .map((pair) => pair.trim())
        .filter((pair) => pair !== '')
        .map((pair) => [pair.slice(0, pair.indexOf('=')), Number(pair.slice(pair.indexOf('=') + 1))]),
    ),
  );
