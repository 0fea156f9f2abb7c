// `journey identity lookup --email E | --user-id U | --anonymous-id A`: the person an identifier
// belongs to, as ClickHouse holds it (identity_map, person_overrides), with every identifier of
// that person and the accounts it acted in. A GDPR request names an email; `identity delete`
// needs the person id. Emails are pseudonymised with the configured PII_HMAC_KEY exactly as the
// ingest does, so the lookup finds the same key; no raw email is stored or printed.
import type { ClickHouseClient } from '@clickhouse/client';
import { hashEmail, normaliseEmail } from '../ingest/pseudonymise-email.ts';
import { identifierKey, IDENTIFIER_TYPES, typeCodeOfKey } from '../identity/identifier-keys.ts';
import type { IdentifierType } from '../identity/identifier-keys.ts';

export interface LookupQuery {
  type: 'email' | IdentifierType;
  value: string;
}

export interface LookupResult {
  /** The key looked up (an email as `e:<hmac>`). */
  key: string;
  personId: string;
  /** Set when the identifier was stored under a person merged into `personId` since. */
  mergedFrom: string | null;
  identifiers: Array<{ type: IdentifierType; value: string }>;
  accounts: string[];
  events: number;
  lastSeen: string | null;
}

export function lookupKey(query: LookupQuery, hmacKey: string): string {
  if (query.type !== 'email') return identifierKey(query.type, query.value);
  const email = normaliseEmail(query.value);
  if (!email) throw new Error(`not an email address: ${JSON.stringify(query.value)}`);
  return identifierKey('email_hash', hashEmail(email, { emailHmacKey: hmacKey, keepRawPii: false }));
}

export async function lookupIdentity(
  client: ClickHouseClient,
  database: string,
  hmacKey: string,
  query: LookupQuery,
): Promise<LookupResult | null> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new Error(`invalid database ${database}`);
  const key = lookupKey(query, hmacKey);
  const rows = async <T>(sql: string, params: Record<string, unknown>): Promise<T[]> =>
    (await client.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<T>();
  const [stored] = await rows<{ person_id: string }>(
    `SELECT person_id FROM ${database}.identity_map FINAL WHERE identifier_key = {key:String} AND is_deleted = 0`,
    { key },
  );
  if (!stored) return null;
  const [override] = await rows<{ person_id: string }>(
    `SELECT argMax(person_id, version) AS person_id FROM ${database}.person_overrides
     WHERE old_person_id = {person:String} GROUP BY old_person_id HAVING argMax(is_deleted, version) = 0`,
    { person: stored.person_id },
  );
  const personId = override?.person_id || stored.person_id;
  const keys = await rows<{ identifier_key: string }>(
    `SELECT identifier_key FROM ${database}.identity_map FINAL
     WHERE is_deleted = 0 AND (person_id = {person:String} OR person_id IN (
       SELECT old_person_id FROM ${database}.person_overrides FINAL WHERE person_id = {person:String} AND is_deleted = 0))
     ORDER BY identifier_key`,
    { person: personId },
  );
  const [activity] = await rows<{ accounts: string[]; events: string; last_seen: string | null }>(
    `SELECT groupUniqArrayIf(20)(account_id, account_id != '') AS accounts, count() AS events,
            if(count() = 0, NULL, toString(max(event_time))) AS last_seen
     FROM ${database}.journey_events_resolved WHERE resolved_person_id = {person:String}`,
    { person: personId },
  );
  return {
    key,
    personId,
    mergedFrom: override?.person_id ? stored.person_id : null,
    identifiers: keys.map(({ identifier_key: k }) => ({
      type: IDENTIFIER_TYPES[typeCodeOfKey(k)] ?? 'user_id',
      value: k.slice(2),
    })),
    accounts: [...(activity?.accounts ?? [])].sort(),
    events: Number(activity?.events ?? 0),
    lastSeen: activity?.last_seen ?? null,
  };
}

/** What the command prints. */
export function formatLookup(result: LookupResult | null, query: LookupQuery): string {
  if (!result)
    return `no person has ${query.type} ${query.type === 'email' ? '(pseudonymised)' : query.value}`;
  return [
    `person ${result.personId}${result.mergedFrom ? ` (stored as ${result.mergedFrom}, merged since)` : ''}`,
    `  identifiers: ${result.identifiers.map((i) => `${i.type}=${i.value}`).join(', ')}`,
    `  accounts: ${result.accounts.join(', ') || '(none)'}`,
    `  events: ${result.events}${result.lastSeen ? `, last at ${result.lastSeen}` : ''}`,
    `  to erase (GDPR): journey identity delete ${result.personId}`,
  ].join('\n');
}
