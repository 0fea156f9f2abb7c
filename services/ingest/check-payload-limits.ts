// Structural limits over a whole message (after Avro *_json fields are expanded, so JSON and Avro
// input are measured the same way). The walk stops descending past maxDepth, so a hostile payload
// cannot exhaust the stack.
import type { IngestLimits } from './ingest-config.ts';
import { PayloadError } from './payload-error.ts';

function walk(value: unknown, depth: number, path: string, limits: IngestLimits): void {
  if (typeof value === 'string') {
    if (value.length > limits.maxStringLength) {
      throw new PayloadError(
        'string_too_long',
        `${path || '(root)'}: ${value.length} characters, limit ${limits.maxStringLength}`,
      );
    }
    return;
  }
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return;
  if (depth > limits.maxDepth) {
    throw new PayloadError('too_deep', `${path || '(root)'}: nesting deeper than ${limits.maxDepth}`);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walk(value[i], depth + 1, `${path}[${i}]`, limits);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if (key.length > limits.maxStringLength) {
      throw new PayloadError('string_too_long', `${path}: a key of ${key.length} characters`);
    }
    walk(child, depth + 1, path === '' ? key : `${path}.${key}`, limits);
  }
}

/** Throws PayloadError(too_deep | string_too_long) when the message breaks a limit. */
export function checkMessageShape(message: unknown, limits: IngestLimits): void {
  walk(message, 1, '', limits);
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
