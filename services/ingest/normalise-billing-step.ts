// Stripe-like event envelope (the webhook JSON, or Avro per schemas/billing_event.avsc) ->
// canonical JourneyEvent with plan, seats, MRR and its change, invoice amounts, cancel reason.
//
// MRR change per event type (see compute-mrr.ts for MRR itself):
//   customer.subscription.created  MRR now, delta = MRR, kind new (0 for trials: no kind)
//   customer.subscription.updated  previous = data.object overlaid with data.previous_attributes;
//                                  kind new / expansion / contraction / churn / reactivation
//   customer.subscription.deleted  MRR 0, delta = -MRR it bore (0 if canceled during its trial), churn
// A new subscription for a customer who churned earlier is `new` here: recognising it as a
// reactivation needs the account's history, which the journey-state stage has.
import { previousSubscription } from './previous-subscription.ts';
import { NO_CONVERSION, convertMrr } from './convert-mrr.ts';
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { StepResult } from '../shared/results.ts';
import { ok } from '../shared/results.ts';
import { checkMessageShape, checkPropertyCount } from './check-payload-limits.ts';
import { collectIdentifiers, hasAnyIdentifier } from './collect-identifiers.ts';
import type { MrrChange } from './compute-mrr.ts';
import {
  bearsMrr,
  classifyMrrChange,
  primaryItem,
  readSubscriptionItems,
  subscriptionMrr,
} from './compute-mrr.ts';
import { sourceEventId } from './event-id.ts';
import { checkTimestampWindow } from './event-time.ts';
import type { IngestConfig, IngestMessageMeta, NormalisedEvent } from './ingest-config.ts';
import { newJourneyEvent } from './new-journey-event.ts';
import { PayloadError, runNormaliser } from './payload-error.ts';
import { scrubEmailsInText } from './pseudonymise-email.ts';
import type { PayloadObject } from './read-payload-fields.ts';
import {
  isPayloadObject,
  optBoolean,
  optFreeForm,
  optIdentifier,
  optInteger,
  optObject,
  optString,
  requireValue,
} from './read-payload-fields.ts';

/** Stripe event type -> [canonical type, the data.object kind it carries]. */
const BILLING_TYPES: ReadonlyMap<string, readonly [string, string]> = new Map([
  ['customer.created', ['customer', 'customer']],
  ['customer.updated', ['customer', 'customer']],
  ['customer.subscription.created', ['subscription', 'subscription']],
  ['customer.subscription.updated', ['subscription', 'subscription']],
  ['customer.subscription.deleted', ['subscription', 'subscription']],
  ['invoice.paid', ['invoice', 'invoice']],
  ['invoice.payment_failed', ['invoice', 'invoice']],
]);

function customerIdOf(object: PayloadObject, kind: string): string | undefined {
  if (kind === 'customer') return optIdentifier(object, 'id', 'data.object.id');
  const customer = object['customer'];
  if (isPayloadObject(customer)) return optIdentifier(customer, 'id', 'data.object.customer.id');
  return optIdentifier(object, 'customer', 'data.object.customer');
}

function applySubscription(
  event: JourneyEvent,
  stripeType: string,
  object: PayloadObject,
  previous: PayloadObject | undefined,
  config: IngestConfig,
): Record<string, unknown> {
  const items = readSubscriptionItems(object, 'data.object');
  const status = optString(object, 'status', 'data.object.status');
  const primary = primaryItem(items);
  event.plan = primary?.planKey ?? null;
  event.seats = optInteger(object, 'quantity', 'data.object.quantity') ?? primary?.quantity ?? null;
  event.currency =
    (optString(object, 'currency', 'data.object.currency') ?? primary?.currency)?.toLowerCase() ?? null;

  const mrr = subscriptionMrrChange(stripeType, object, previous, status, event.currency, config);
  if (mrr.change) {
    event.mrr_cents = mrr.change.mrr;
    event.mrr_delta_cents = mrr.change.delta;
    event.mrr_change_kind = mrr.change.kind;
  }
  const details = optObject(object, 'cancellation_details', 'data.object.cancellation_details') ?? {};
  const comment = optString(details, 'comment', 'data.object.cancellation_details.comment');
  const feedback = optString(details, 'feedback', 'data.object.cancellation_details.feedback');
  const words =
    comment !== undefined && comment.trim() !== '' ? scrubEmailsInText(comment, config.pii) : feedback;
  event.cancel_reason = words ?? null;
  return {
    ...subscriptionProperties(object, mrr.previousStatus, primary?.interval, items),
    // MRR left out (null): the currency has no configured rate to MRR_CURRENCY (convert-mrr.ts).
    ...(mrr.change ? {} : { mrr_unconverted_currency: event.currency }),
  };
}

/** The subscription's MRR after the event and its change, in the reporting currency; no change
 *  when the currency cannot be converted (convert-mrr.ts). */
function subscriptionMrrChange(
  stripeType: string,
  object: PayloadObject,
  previous: PayloadObject | undefined,
  status: string | undefined,
  currency: string | null,
  config: IngestConfig,
): { change: MrrChange | null; previousStatus: string | undefined } {
  const target = config.mrrCurrency ?? NO_CONVERSION;
  const itemsMrr = convertMrr(
    subscriptionMrr(readSubscriptionItems(object, 'data.object')),
    currency,
    target,
  );
  if (itemsMrr === null) return { change: null, previousStatus: undefined };
  if (stripeType === 'customer.subscription.created')
    return {
      change: classifyMrrChange(0, undefined, bearsMrr(status) ? itemsMrr : 0),
      previousStatus: undefined,
    };
  if (stripeType === 'customer.subscription.updated') {
    // previous_attributes holds only what changed (previous-subscription.ts).
    const before = previousSubscription(object, previous);
    const previousStatus = optString(before, 'status', 'data.previous_attributes.status');
    const beforeItems = subscriptionMrr(readSubscriptionItems(before, 'data.previous_attributes'));
    const beforeMrr = bearsMrr(previousStatus) ? (convertMrr(beforeItems, currency, target) ?? 0) : 0;
    return {
      change: classifyMrrChange(beforeMrr, previousStatus, bearsMrr(status) ? itemsMrr : 0),
      previousStatus,
    };
  }
  const canceledAt = optInteger(object, 'canceled_at', 'data.object.canceled_at');
  const trialEnd = optInteger(object, 'trial_end', 'data.object.trial_end');
  // A trial that ends unpaid is canceled at trial_end itself (Stripe's missing_payment_method
  // behaviour): that is a lost trial, not churned MRR.
  const canceledInTrial = canceledAt !== undefined && trialEnd !== undefined && canceledAt <= trialEnd;
  const change = classifyMrrChange(canceledInTrial ? 0 : itemsMrr, 'active', 0);
  return { change: { ...change, mrr: 0 }, previousStatus: undefined };
}

function subscriptionProperties(
  object: PayloadObject,
  previousStatus: string | undefined,
  interval: string | undefined,
  items: ReturnType<typeof readSubscriptionItems>,
): Record<string, unknown> {
  const details = optObject(object, 'cancellation_details', 'data.object.cancellation_details') ?? {};
  return {
    subscription_id: optIdentifier(object, 'id', 'data.object.id'),
    status: optString(object, 'status', 'data.object.status'),
    previous_status: previousStatus,
    interval,
    cancel_at_period_end: optBoolean(object, 'cancel_at_period_end', 'data.object.cancel_at_period_end'),
    cancellation_reason: optString(details, 'reason', 'data.object.cancellation_details.reason'),
    cancellation_feedback: optString(details, 'feedback', 'data.object.cancellation_details.feedback'),
    plans: items.map((i) => i.planKey),
  };
}

function applyInvoice(
  event: JourneyEvent,
  stripeType: string,
  object: PayloadObject,
): Record<string, unknown> {
  const amountKey = stripeType === 'invoice.paid' ? 'amount_paid' : 'amount_due';
  event.amount_cents = requireValue(
    optInteger(object, amountKey, `data.object.${amountKey}`),
    `data.object.${amountKey}`,
  );
  event.currency = requireValue(
    optString(object, 'currency', 'data.object.currency'),
    'data.object.currency',
  ).toLowerCase();
  return {
    invoice_id: optIdentifier(object, 'id', 'data.object.id'),
    subscription_id: optIdentifier(object, 'subscription', 'data.object.subscription'),
    status: optString(object, 'status', 'data.object.status'),
    billing_reason: optString(object, 'billing_reason', 'data.object.billing_reason'),
    attempt_count: optInteger(object, 'attempt_count', 'data.object.attempt_count'),
    next_payment_attempt: optInteger(object, 'next_payment_attempt', 'data.object.next_payment_attempt'),
  };
}

function mapBilling(
  payload: unknown,
  meta: IngestMessageMeta,
  config: IngestConfig,
): StepResult<NormalisedEvent> {
  if (!isPayloadObject(payload)) throw new PayloadError('invalid_field', 'message: expected a JSON object');
  const stripeType = requireValue(optString(payload, 'type'), 'type');
  const mapping = BILLING_TYPES.get(stripeType);
  if (mapping === undefined) throw new PayloadError('unsupported_event_type', `type "${stripeType}"`);
  const [type, objectKind] = mapping;
  const data = requireValue(optObject(payload, 'data'), 'data');
  const object = requireValue(optObject(data, 'object', 'data.object'), 'data.object');
  const previous = optFreeForm(data, 'previous_attributes', 'data.previous_attributes');
  const { previous_attributes_json: _json, ...dataRest } = data;
  checkMessageShape({ ...payload, data: { ...dataRest, previous_attributes: previous } }, config.limits);
  const metadata = optObject(object, 'metadata', 'data.object.metadata') ?? {};
  checkPropertyCount([metadata, previous], config.limits);
  const actualKind = requireValue(optString(object, 'object', 'data.object.object'), 'data.object.object');
  if (actualKind !== objectKind) {
    throw new PayloadError('invalid_field', `data.object.object: "${actualKind}" in a ${stripeType} event`);
  }

  const evtId = requireValue(optIdentifier(payload, 'id'), 'id');
  if (evtId.length > config.limits.maxIdentifierLength) {
    throw new PayloadError('identifier_too_long', `id: ${evtId.length} characters`);
  }
  const { ids, junk } = collectIdentifiers(
    {
      billing_customer_id: customerIdOf(object, objectKind),
      email:
        optString(object, 'email', 'data.object.email') ??
        optString(object, 'customer_email', 'data.object.customer_email'),
      account_id: optIdentifier(metadata, 'account_id', 'data.object.metadata.account_id'),
      user_id: optIdentifier(metadata, 'user_id', 'data.object.metadata.user_id'),
      crm_id: optIdentifier(metadata, 'crm_id', 'data.object.metadata.crm_id'),
    },
    config,
  );
  if (!hasAnyIdentifier(ids)) throw new PayloadError('no_identifier', 'the event names no customer');

  const created = requireValue(optInteger(payload, 'created'), 'created');
  const eventTime = created * 1000;
  checkTimestampWindow(eventTime, meta.receivedTime, config.limits);

  const event = newJourneyEvent({
    source: 'billing',
    type,
    name: stripeType,
    event_time: eventTime,
    received_time: meta.receivedTime,
    ids,
  });
  event.event_id = sourceEventId('billing', evtId);
  const properties =
    type === 'subscription'
      ? applySubscription(event, stripeType, object, previous, config)
      : type === 'invoice'
        ? applyInvoice(event, stripeType, object)
        : { livemode: optBoolean(payload, 'livemode') };
  event.properties_json = JSON.stringify(properties);
  return ok({ event, junkIdentifiers: junk });
}

/** Step: a Stripe-like event -> canonical event (id billing:<evt id>). */
export function normaliseBillingStep(
  payload: unknown,
  meta: IngestMessageMeta,
  config: IngestConfig,
): StepResult<NormalisedEvent> {
  return runNormaliser(() => mapBilling(payload, meta, config));
}
