// Structural limits over a whole message (after Avro *_json fields are expanded, so JSON and Avro
// input are measured the same way). The walk stops descending past maxDepth, so a hostile payload
// cannot exhaust the stack.
import type { IngestLimits } from './ingest-config.ts';
import { PayloadError } from './payload-error.ts';
import type { PayloadObject } from './read-payload-fields.ts';
import { isPayloadObject, optStringList } from './read-payload-fields.ts';

// The path of a value is only spelled out when a limit is broken: building it for every node was
// the ingest core's largest single cost.
type PathStep = { parent: PathStep | null; key: string | number };

function pathOf(step: PathStep | null): string {
  const keys: Array<string | number> = [];
  for (let s = step; s !== null; s = s.parent) keys.push(s.key);
  let path = '';
  for (const key of keys.reverse())
    path = typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
  return path;
}

function walk(value: unknown, depth: number, at: PathStep | null, limits: IngestLimits): void {
  if (typeof value === 'string') {
    if (value.length > limits.maxStringLength) {
      throw new PayloadError(
        'string_too_long',
        `${pathOf(at) || '(root)'}: ${value.length} characters, limit ${limits.maxStringLength}`,
      );
    }
    return;
  }
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return;
  if (depth > limits.maxDepth) {
    throw new PayloadError('too_deep', `${pathOf(at) || '(root)'}: nesting deeper than ${limits.maxDepth}`);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' || typeof item === 'string')
        walk(item, depth + 1, { parent: at, key: i }, limits);
    }
    return;
  }
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (key.length > limits.maxStringLength) {
      throw new PayloadError('string_too_long', `${pathOf(at)}: a key of ${key.length} characters`);
    }
    const child: unknown = (value as Record<string, unknown>)[key];
    if (typeof child === 'object' || typeof child === 'string')
      walk(child, depth + 1, { parent: at, key }, limits);
  }
}

/** Throws PayloadError(too_deep | string_too_long) when the message breaks a limit. */
export function checkMessageShape(message: unknown, limits: IngestLimits): void {
  walk(message, 1, null, limits);
}

/** Throws PayloadError(invalid_field) when the message is not a JSON object, else checkMessageShape. */
export function checkMessageObject(payload: unknown, limits: IngestLimits): asserts payload is PayloadObject {
  if (!isPayloadObject(payload)) throw new PayloadError('invalid_field', 'message: expected a JSON object');
  checkMessageShape(payload, limits);
}

function countKeys(value: unknown, budget: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  if (!Array.isArray(value)) count += children.length;
  for (const child of children) {
    if (count > budget) break;
    count += countKeys(child, budget - count);
  }
  return count;
}

/** Throws PayloadError(too_many_properties) when the free-form maps together hold too many keys. */
export function checkPropertyCount(freeForm: ReadonlyArray<unknown>, limits: IngestLimits): void {
  let total = 0;
  for (const map of freeForm) {
    total += countKeys(map, limits.maxPropertyCount - total);
    if (total > limits.maxPropertyCount) {
      throw new PayloadError('too_many_properties', `more than ${limits.maxPropertyCount} properties`);
    }
  }
}

/** Throws PayloadError(identifier_too_long) when a source's own id (a ticket, response or event id)
 *  is longer than maxIdentifierLength. */
export function checkIdentifierLength(id: string, path: string, limits: IngestLimits): void {
  if (id.length > limits.maxIdentifierLength) {
    throw new PayloadError('identifier_too_long', `${path}: ${id.length} characters`);
  }
}

/** A ticket's tags: the string list at obj[key] (optStringList), PayloadError(too_many_properties)
 *  past maxPropertyCount items, since checkPropertyCount counts object keys, not array items. */
export function optTagList(obj: PayloadObject, key: string, path: string, limits: IngestLimits): string[] {
  const tags = optStringList(obj, key, path);
  if (tags.length > limits.maxPropertyCount) {
    throw new PayloadError(
      'too_many_properties',
      `${path}: ${tags.length}, limit ${limits.maxPropertyCount}`,
    );
  }
  return tags;
}
