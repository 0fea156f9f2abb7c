// Writer-schema lookup for Confluent-framed messages: GET {registry}/schemas/ids/{id}, parsed
// into an avsc Type and cached for the life of the process (ids are immutable). Decided by HTTP
// status, not message text: 404 means the id is unknown (the message is poison → DLQ), and so
// does a schema avsc cannot parse (UnparseableSchemaError, remembered per id); a network
// error, a timeout or a 5xx means the registry is unavailable (transient → retry, never DLQ).
import avro from 'avsc';
import type { Type } from 'avsc';
import { UnknownSchemaError, UnparseableSchemaError } from './decode-message-step.ts';
import type { LookupSchema } from './decode-message-step.ts';

export interface RegistryAccess {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  timeoutMs?: number;
}

export class SchemaRegistryUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SchemaRegistryUnavailableError';
  }
}

export function registryLookup(access: RegistryAccess, fetchImpl: typeof fetch = fetch): LookupSchema {
  const cache = new Map<number, Type>();
  const inFlight = new Map<number, Promise<Type>>();
  const unparseableIds = new Map<number, UnparseableSchemaError>();
  const headers: Record<string, string> = {
    Accept: 'application/vnd.schemaregistry.v1+json, application/json',
  };
  if (access.username) {
    headers.Authorization = `Basic ${Buffer.from(`${access.username}:${access.password ?? ''}`).toString('base64')}`;
  }
  const base = access.url.replace(/\/+$/, '');

  const fetchType = async (schemaId: number): Promise<Type> => {
    let response: Response;
    try {
      response = await fetchImpl(`${base}/schemas/ids/${schemaId}`, {
        headers,
        signal: AbortSignal.timeout(access.timeoutMs ?? 5_000),
      });
    } catch (err) {
      throw new SchemaRegistryUnavailableError(`schema registry unreachable: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (response.status === 404) throw new UnknownSchemaError(schemaId);
    if (!response.ok)
      throw new SchemaRegistryUnavailableError(`schema registry answered HTTP ${response.status}`);
    const body = (await response.json()) as { schema: string; schemaType?: string };
    if (body.schemaType && body.schemaType !== 'AVRO') throw new UnknownSchemaError(schemaId);
    try {
      return avro.Type.forSchema(JSON.parse(body.schema) as avro.Schema);
    } catch (err) {
      throw new UnparseableSchemaError(schemaId, { cause: err });
    }
  };

  return async (schemaId) => {
    const cached = cache.get(schemaId);
    if (cached) return cached;
    const unparseable = unparseableIds.get(schemaId);
    if (unparseable) throw unparseable;
    let pending = inFlight.get(schemaId);
    if (!pending) {
      pending = fetchType(schemaId).finally(() => inFlight.delete(schemaId));
      inFlight.set(schemaId, pending);
    }
    let type: Type;
    try {
      type = await pending;
    } catch (err) {
      // Ids are immutable: an unparseable schema stays so, and every message naming it would
      // otherwise fetch it again.
      if (err instanceof UnparseableSchemaError) unparseableIds.set(schemaId, err);
      throw err;
    }
    cache.set(schemaId, type);
    return type;
  };
}
