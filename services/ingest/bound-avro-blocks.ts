// Avro arrays and maps arrive in blocks, each headed by its item count, and avsc trusts the count:
// a 116-byte ticket whose tags block claims 100,000,000 items made it loop and allocate until the
// heap ran out — a crash no bulkhead can catch, repeated on every restart because the offset is
// never committed (#14). Every array item and map entry takes at least one byte, so a count
// larger than the bytes left is a lie: the readers below stop there and mark the tap invalid,
// which Type.decode reports as a truncated body (offset -1 -> avro_decode_failed). (An array of a
// zero-byte type, e.g. null, longer than its remaining bytes is refused too; no input has one.)
// avsc types are frozen and have no option for this: the bounded readers are subclasses of its
// ArrayType / MapType, put in by a typeHook when the writer schema is parsed again (once per type).
import avro from 'avsc';
import type { Type } from 'avsc';

/** The part of avsc's internal Tap the readers use (lib/utils.js, avsc 5.7). */
interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  skipLong(): void;
  readString(): string;
}
type Reader = { _read(tap: Tap): unknown };
type TypeConstructor<T> = new (schema: unknown, opts: unknown) => T;

/** The next block's item count (a negative count is followed by the block's byte size). */
function blockCount(tap: Tap): number {
  let n = tap.readLong();
  if (n < 0) {
    n = -n;
    tap.skipLong();
  }
  return n;
}

/** True (and the tap invalidated) when a block claims more items than bytes remain. */
function impossible(tap: Tap, n: number): boolean {
  if (n <= tap.buf.length - tap.pos) return false;
  tap.pos = tap.buf.length + 1;
  return true;
}

class BoundedArrayType extends (avro.types.ArrayType as unknown as TypeConstructor<avro.types.ArrayType>) {
  _read(tap: Tap): unknown[] {
    const items = this.itemsType as unknown as Reader;
    const out: unknown[] = [];
    for (let n = blockCount(tap); n !== 0 && !impossible(tap, n); n = blockCount(tap)) {
      for (let i = 0; i < n; i++) out.push(items._read(tap));
    }
    return out;
  }
}

class BoundedMapType extends (avro.types.MapType as unknown as TypeConstructor<avro.types.MapType>) {
  _read(tap: Tap): Record<string, unknown> {
    const values = this.valuesType as Reader;
    const out: Record<string, unknown> = {};
    for (let n = blockCount(tap); n !== 0 && !impossible(tap, n); n = blockCount(tap)) {
      for (let i = 0; i < n; i++) {
        const key = tap.readString();
        const value = values._read(tap);
        // A "__proto__" key is data, never the map's prototype.
        if (key === '__proto__')
          Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
        else out[key] = value;
      }
    }
    return out;
  }
}

function typeHook(schema: unknown, opts: unknown): Type | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const kind = (schema as { type?: unknown }).type;
  if (kind === 'array') return new BoundedArrayType(schema, opts);
  if (kind === 'map') return new BoundedMapType(schema, opts);
  return undefined;
}

const boundedTypes = new WeakMap<Type, Type>();

/** `type` with every array and map reader bounded by the bytes left (parsed once, then cached). */
export function boundAvroBlockCounts(type: Type): Type {
  let bounded = boundedTypes.get(type);
  if (bounded === undefined) {
    bounded = avro.Type.forSchema(type.schema() as avro.Schema, { typeHook });
    boundedTypes.set(type, bounded);
  }
  return bounded;
}
