// The demo's webhook senders: each vendor's request as the vendor sends it, signed as the vendor
// signs it (Stripe's `Stripe-Signature`, Zendesk's `X-Zendesk-Webhook-Signature` with its
// timestamp, Typeform's `Typeform-Signature`, Delighted's token in the URL). The collector checks
// these in services/collector/verify-signatures.ts; the collector's tests sign independently.
import { createHmac } from 'node:crypto';

export interface WebhookSecrets {
  stripe: string;
  zendesk: string;
  typeform: string;
  delighted: string;
}

export type WebhookVendor = keyof WebhookSecrets;

function signed(vendor: WebhookVendor, body: string, secrets: WebhookSecrets): Record<string, string> {
  const now = new Date();
  switch (vendor) {
    case 'stripe': {
      const t = Math.floor(now.getTime() / 1000);
      return {
        'stripe-signature': `t=${t},v1=${createHmac('sha256', secrets.stripe).update(`${t}.${body}`).digest('hex')}`,
      };
    }
    case 'zendesk': {
      const timestamp = now.toISOString();
      return {
        'x-zendesk-webhook-signature': createHmac('sha256', secrets.zendesk)
          .update(timestamp + body)
          .digest('base64'),
        'x-zendesk-webhook-signature-timestamp': timestamp,
      };
    }
    case 'typeform':
      return {
        'typeform-signature': `sha256=${createHmac('sha256', secrets.typeform).update(body).digest('base64')}`,
      };
    case 'delighted':
      return {};
  }
}

/** POSTs `body` to the collector's webhook path of `vendor`, signed; the HTTP status. */
export async function postWebhook(
  baseUrl: string,
  vendor: WebhookVendor,
  body: string,
  secrets: WebhookSecrets,
): Promise<number> {
  const query = vendor === 'delighted' ? `?token=${encodeURIComponent(secrets.delighted)}` : '';
  const res = await fetch(`${baseUrl}/webhooks/${vendor}${query}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...signed(vendor, body, secrets) },
  });
  await res.arrayBuffer();
  return res.status;
}
