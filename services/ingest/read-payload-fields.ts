// Typed readers over an untyped payload (parsed JSON or an avsc-decoded record). Avro null and a
// missing JSON key mean the same thing: absent (undefined). Wrong types throw PayloadError.
import { PayloadError } from './payload-error.ts';

export type PayloadObject = Record<string, unknown>;

export function isPayloadObject(value: unknown): value is PayloadObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

function invalid(path: string, expected: string): never {
  throw new PayloadError('invalid_field', `${path}: expected ${expected}`);
}

export function requireValue<T>(value: T | undefined, path: string): T {
  if (value === undefined) throw new PayloadError('missing_required_field', `${path} is required`);
  return value;
}

export function optObject(obj: PayloadObject, key: string, path = key): PayloadObject | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  return isPayloadObject(v) ? v : invalid(path, 'an object');
}

export function optString(obj: PayloadObject, key: string, path = key): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : invalid(path, 'a string');
}

/** Identifiers: strings, or finite numbers (Zendesk and many SDKs send numeric ids) as decimal text. */
export function optIdentifier(obj: PayloadObject, key: string, path = key): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return invalid(path, 'a string or number identifier');
}

const NUMERIC_TEXT = /^-?\d+(\.\d+)?$/;

export function optNumber(obj: PayloadObject, key: string, path = key): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && NUMERIC_TEXT.test(v.trim())) return Number(v.trim());
  return invalid(path, 'a number');
}

export function optInteger(obj: PayloadObject, key: string, path = key): number | undefined {
  const v = optNumber(obj, key, path);
  if (v === undefined) return undefined;
  if (Number.isSafeInteger(v)) return v;
  // 1e20 is an integer, just not one a double holds exactly: say so rather than "not an integer".
  if (Number.isInteger(v)) throw new PayloadError('value_out_of_range', `${path}: ${v} is beyond 2^53`);
  return invalid(path, 'an integer');
}

export function optBoolean(obj: PayloadObject, key: string, path = key): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'boolean' ? v : invalid(path, 'a boolean');
}

/** An array of strings, or a space-separated string (what Zendesk's {{ticket.tags}} placeholder gives). */
export function optStringList(obj: PayloadObject, key: string, path = key): string[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return v.split(/\s+/).filter((t) => t.length > 0);
  if (Array.isArray(v) && v.every((t) => typeof t === 'string')) return v;
  return invalid(path, 'an array of strings');
}

/**
 * A free-form map that JSON input carries as an object under `key` and Avro input carries as a
 * JSON-encoded string under `${key}_json` (see schemas/*.avsc). Returns the object, or undefined.
 */
export function optFreeForm(obj: PayloadObject, key: string, path = key): PayloadObject | undefined {
  const direct = optObject(obj, key, path);
  if (direct !== undefined) return direct;
  const encoded = optString(obj, `${key}_json`, `${path}_json`);
  if (encoded === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(encoded);
  } catch {
    return invalid(`${path}_json`, 'a JSON-encoded object');
  }
  if (parsed === null) return undefined;
  return isPayloadObject(parsed) ? parsed : invalid(`${path}_json`, 'a JSON-encoded object');
}
