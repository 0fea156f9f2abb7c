// The Avro shape of each raw input: the writer schemas in schemas/*.avsc, and the reshaping of a
// JSON payload (Segment / Zendesk / Stripe as their docs show it) into that schema (free-form maps
// as *_json strings, numeric ids as strings). Used by producers (the workload generator) and tests.
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import type { InputSource } from './ingest-config.ts';

export const INPUT_SCHEMA_FILES: Record<InputSource, string> = {
  behavior: 'behavior_event.avsc',
  tickets: 'support_ticket.avsc',
  surveys: 'survey_response.avsc',
  billing: 'billing_event.avsc',
};

export function inputSchemaText(source: InputSource): string {
  return readFileSync(new URL(`../../schemas/${INPUT_SCHEMA_FILES[source]}`, import.meta.url), 'utf8');
}

export function inputAvroType(source: InputSource): avro.Type {
  return avro.Type.forSchema(JSON.parse(inputSchemaText(source)) as avro.Schema);
}

type Json = Record<string, unknown>;

function encodeJsonField(obj: Json, key: string): Json {
  const { [key]: value, ...rest } = obj;
  return value === undefined || value === null ? rest : { ...rest, [`${key}_json`]: JSON.stringify(value) };
}

function stringifyIds(obj: unknown, keys: string[]): unknown {
  if (typeof obj !== 'object' || obj === null) return obj;
  const out: Json = { ...(obj as Json) };
  for (const k of keys) if (typeof out[k] === 'number') out[k] = String(out[k]);
  return out;
}

/** A JSON fixture reshaped to its Avro input schema (free-form maps as *_json strings ...). */
export function toAvroShape(source: InputSource, json: Json): Json {
  if (source === 'behavior') {
    let out = encodeJsonField(encodeJsonField(json, 'properties'), 'traits');
    if (typeof out['context'] === 'object' && out['context'] !== null) {
      out = { ...out, context: encodeJsonField(out['context'] as Json, 'traits') };
    }
    return out;
  }
  if (source === 'billing') {
    return { ...json, data: encodeJsonField(json['data'] as Json, 'previous_attributes') };
  }
  if (source === 'tickets') {
    const tags = json['tags'];
    return {
      ...(stringifyIds(json, ['ticket_id']) as Json),
      requester: stringifyIds(json['requester'], ['id']),
      organization: stringifyIds(json['organization'], ['id']),
      tags: typeof tags === 'string' ? tags.split(' ') : tags,
    };
  }
  return json;
}
