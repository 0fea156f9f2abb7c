// A token bucket per caller (a Segment write key, or a webhook source): `rate` requests per second
// with bursts of twice that. Pure apart from the clock it is given.
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly rate: number;
  private readonly burst: number;

  /** rate 0: unlimited. */
  constructor(rate: number) {
    this.rate = rate;
    this.burst = rate * 2;
  }

  /** 0 when the request may go now, else the seconds until it may (for Retry-After). */
  take(caller: string, nowMs: number): number {
    if (this.rate <= 0) return 0;
    const bucket = this.buckets.get(caller) ?? { tokens: this.burst, at: nowMs };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * this.rate);
    bucket.at = nowMs;
    this.buckets.set(caller, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.rate));
  }
}
