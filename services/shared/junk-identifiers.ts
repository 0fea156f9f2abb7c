// Identifier values that must never become identity-graph nodes (SPEC §2): SDK placeholders,
// stringified nulls and objects, blanks, and all-zero / all-dash / all-x strings.
// Shared by the ingest stage (removes them from events) and the identity stage (never links them).

const BUILT_IN_JUNK = new Set([
  'null',
  'undefined',
  'nil',
  'none',
  'nan',
  'anonymous',
  'anon',
  'guest',
  'unknown',
  'not_authenticated',
  'user',
  'id',
  'distinct_id',
  'email',
  'test',
  '[object object]',
  '{}',
  '[]',
  'true',
  'false',
  '0',
  '-1',
  '00000000-0000-0000-0000-000000000000',
]);

// Blank, or made only of zeros, dashes, dots, underscores or x's (e.g. "0000", "----", "xxxx").
const JUNK_SHAPE = /^[\s0\-._x]*$/i;

export function isJunkIdentifier(value: string, extra?: RegExp): boolean {
  const trimmed = value.trim();
  if (trimmed.length === 0) return true;
  if (BUILT_IN_JUNK.has(trimmed.toLowerCase())) return true;
  if (JUNK_SHAPE.test(trimmed)) return true;
  return extra !== undefined && extra.test(trimmed);
}
