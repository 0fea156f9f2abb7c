// Seeded randomness for the workload generator: a 32-bit mixing hash to derive independent
// streams (one per account, one for the emission-time injections) and sfc32 as the stream.
// Never Math.random: the same seed must give the same bytes on every machine and Node version.

/** murmur3's finaliser over (a, b): a well-mixed 32-bit value. */
export function mix32(a: number, b: number): number {
  let h = (a ^ Math.imul(b | 0, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a seed and a path of integers, e.g. hash32(seed, TAG_ACCOUNT, index). */
export function hash32(seed: number, ...parts: number[]): number {
  let h = mix32(seed >>> 0, 0x6a09e667);
  for (const part of parts) h = mix32(h, part);
  return h;
}

/** Uniform [0, 1) from a 32-bit hash. */
export function unit(h: number): number {
  return h / 4294967296;
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function hex32(h: number): string {
  return (
    (HEX_BYTE[(h >>> 24) & 255] as string) +
    (HEX_BYTE[(h >>> 16) & 255] as string) +
    (HEX_BYTE[(h >>> 8) & 255] as string) +
    (HEX_BYTE[h & 255] as string)
  );
}

/** A UUID v4-shaped string from four derived words (what Segment SDKs use as anonymousId). */
export function uuidFrom(seed: number, ...parts: number[]): string {
  const a = hex32(hash32(seed, ...parts, 1));
  const b = hex32(hash32(seed, ...parts, 2));
  const c = hex32(hash32(seed, ...parts, 3));
  const d = hex32(hash32(seed, ...parts, 4));
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${'89ab'[parseInt(c[0] ?? '0', 16) & 3]}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

/** sfc32 (Chris Doty-Humphrey's small fast counting generator): 128 bits of state, so the
 *  streams of different accounts do not overlap and 128-bit ids drawn from them do not collide
 *  (a 32-bit-state generator such as mulberry32 has only 2^32 distinct ids). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, ...parts: number[]) {
    this.a = hash32(seed, ...parts, 1);
    this.b = hash32(seed, ...parts, 2);
    this.c = hash32(seed, ...parts, 3);
    this.d = hash32(seed, ...parts, 4);
    for (let i = 0; i < 12; i++) this.next32();
  }

  next32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform [0, 1). */
  float(): number {
    return this.next32() / 4294967296;
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  between(lo: number, hi: number): number {
    return lo + this.float() * (hi - lo);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** Index drawn with the given (unnormalised, non-negative) weights. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i] as number;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** A UUID v4-shaped id from this stream (messageIds, response ids). */
  uuid(): string {
    const a = hex32(this.next32());
    const b = hex32(this.next32());
    const c = hex32(this.next32());
    const d = hex32(this.next32());
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${'89ab'[this.next32() & 3]}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }

  /** Exponential with the given mean (gaps of a Poisson process). */
  exp(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }
}
