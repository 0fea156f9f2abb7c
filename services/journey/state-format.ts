// The formats journey state is written in on the changelog, and the migrations between them.
// The changelog is compacted and the canonical topic keeps only 7 days, so a state that cannot
// be read cannot be rebuilt: a build that changes the state's fields must read every earlier
// format and migrate it, and only a truly unknown tag may be dropped. Pure: no Kafka, no clock.
import { createHash } from 'node:crypto';

/** A state's values as written (after their encoding, see `encodings`), keyed by field name. */
export type StateValues = Readonly<Record<string, unknown>>;

/** Fields not written as plain JSON. A change of encoding is a change of format. */
export type FieldEncoding = 'members' | 'time_list';

export interface StateFormat {
  /** Each format is the previous one + 1. */
  version: number;
  /** The first element of a written state. Version 1's tag is the fingerprint of its field list
   * (states were written with it before formats had versions); later tags are the version. */
  tag: string | number;
  /** Written in this order, without key names. */
  fields: readonly string[];
  encodings: Readonly<Record<string, FieldEncoding>>;
  /** Pure: values written in format `version - 1` -> values in this format. Absent on the oldest
   * format. Migrations are chained, so each one only knows the format before it. */
  fromPrevious?: (values: StateValues) => StateValues;
}

export interface StateFormatRegistry {
  /** The format this build writes. */
  current: StateFormat;
  /** undefined = a tag no build we know wrote (or garbage): the state cannot be read. */
  formatOf(tag: unknown): StateFormat | undefined;
  /** Values written in `format`, migrated through every later format to the current one. */
  toCurrent(format: StateFormat, values: StateValues): StateValues;
}

/** How version 1 was tagged: the first 8 hex digits of sha256 of the comma-joined field list. */
export const fingerprintOf = (fields: readonly string[]): string =>
  createHash('sha256').update(fields.join(',')).digest('hex').slice(0, 8);

/** Checks the list once (a gap or a missing migration is a programmer error, so it throws). */
export function stateFormatRegistry(formats: readonly StateFormat[]): StateFormatRegistry {
  if (formats.length === 0) throw new Error('no journey state format');
  formats.forEach((format, i) => {
    const previous = formats[i - 1];
    if (previous !== undefined && format.version !== previous.version + 1)
      throw new Error(`journey state format ${format.version} does not follow ${previous.version}`);
    if ((previous === undefined) !== (format.fromPrevious === undefined))
      throw new Error(`journey state format ${format.version}: only the oldest format has no migration`);
    if (new Set(format.fields).size !== format.fields.length)
      throw new Error(`journey state format ${format.version} lists a field twice`);
  });
  const byTag = new Map(formats.map((format) => [format.tag, format]));
  if (byTag.size !== formats.length) throw new Error('two journey state formats share a tag');
  const current = formats[formats.length - 1]!;

  return {
    current,
    formatOf: (tag) => (typeof tag === 'string' || typeof tag === 'number' ? byTag.get(tag) : undefined),
    toCurrent(format, values) {
      let migrated = values;
      for (const next of formats.slice(formats.indexOf(format) + 1)) migrated = next.fromPrevious!(migrated);
      // A migration that forgets a field is a bug in this build, not bad data: throwing (instead
      // of StateFormatError) stops the restore rather than resetting every account it touches.
      const missing = current.fields.filter((field) => !(field in migrated));
      if (missing.length > 0)
        throw new Error(
          `migrating journey state ${format.version} -> ${current.version} left out ${missing.join(', ')}`,
        );
      return migrated;
    },
  };
}
