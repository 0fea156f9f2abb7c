// How each vendor proves a request is its own, checked over the raw body exactly as received
// (before any parsing). Every check accepts several secrets, so a secret can be rotated without a
// window of refused deliveries, and compares in constant time. Pure.
//   Stripe     Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>[,v1=...]
//              (stripe.com/docs/webhooks#verify-manually); older than the tolerance is refused.
//   Zendesk    X-Zendesk-Webhook-Signature: base64 HMAC-SHA256(secret, timestamp + body), with
//              X-Zendesk-Webhook-Signature-Timestamp (developer.zendesk.com, "Verifying webhook
//              authenticity").
//   Typeform   Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, body)> (typeform.com
//              developers, "Secure your webhooks").
//   Segment    HTTP basic auth, the write key as user and an empty password (the tracking API), or
//              `writeKey` in the body.
//   Delighted  does not sign its webhooks: the URL configured in Delighted carries a token.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Verdict = { ok: true } | { ok: false; reason: string };

const OK: Verdict = { ok: true };
const refuse = (reason: string): Verdict => ({ ok: false, reason });

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when `candidate` equals one of `accepted`, in time independent of where they differ. */
export function oneOf(candidate: string, accepted: readonly string[]): boolean {
  const given = Buffer.from(candidate);
  let found = false;
  for (const secret of accepted) if (sameBytes(given, Buffer.from(secret))) found = true;
  return found;
}

const hmac = (secret: string, ...parts: Array<string | Buffer>): Buffer => {
  const h = createHmac('sha256', secret);
  for (const part of parts) h.update(part);
  return h.digest();
};

/** Comma-separated secrets from a configuration value (blank entries ignored). */
export function secretList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function verifyStripe(
  header: string | undefined,
  body: Buffer,
  secrets: readonly string[],
  nowSeconds: number,
  toleranceSeconds: number,
): Verdict {
  if (secrets.length === 0) return refuse('not_configured');
  if (!header) return refuse('signature_missing');
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    const [key, value] = [item.slice(0, eq).trim(), item.slice(eq + 1).trim()];
    if (key === 't') timestamp = value;
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0)
    return refuse('signature_malformed');
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return refuse('signature_expired');
  const matches = secrets.some((secret) => {
    const expected = hmac(secret, `${timestamp}.`, body);
    return signatures.some((given) => sameBytes(given, expected));
  });
  return matches ? OK : refuse('signature_mismatch');
}

export function verifyZendesk(
  signature: string | undefined,
  timestamp: string | undefined,
  body: Buffer,
  secrets: readonly string[],
): Verdict {
  if (secrets.length === 0) return refuse('not_configured');
  if (!signature || !timestamp) return refuse('signature_missing');
  const given = Buffer.from(signature.trim(), 'base64');
  const matches = secrets.some((secret) => sameBytes(given, hmac(secret, timestamp, body)));
  return matches ? OK : refuse('signature_mismatch');
}

export function verifyTypeform(
  header: string | undefined,
  body: Buffer,
  secrets: readonly string[],
): Verdict {
  if (secrets.length === 0) return refuse('not_configured');
  if (!header) return refuse('signature_missing');
  const match = /^sha256=(.+)$/.exec(header.trim());
  if (!match) return refuse('signature_malformed');
  const given = Buffer.from(match[1]!, 'base64');
  const matches = secrets.some((secret) => sameBytes(given, hmac(secret, body)));
  return matches ? OK : refuse('signature_mismatch');
}

/** User and password of `Authorization: Basic base64(user:password)`, or null. */
export function basicAuth(header: string | undefined): { user: string; password: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0
    ? { user: decoded, password: '' }
    : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The write key of `Authorization: Basic base64(writeKey:)`, or null. */
export const basicAuthUser = (header: string | undefined): string | null => basicAuth(header)?.user ?? null;

export function verifyToken(token: string | null | undefined, tokens: readonly string[]): Verdict {
  if (tokens.length === 0) return refuse('not_configured');
  if (!token) return refuse('token_missing');
  return oneOf(token, tokens) ? OK : refuse('token_mismatch');
}
