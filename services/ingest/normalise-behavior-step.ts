// Segment-spec behavior message (JSON, or Avro-decoded per schemas/behavior_event.avsc) ->
// canonical JourneyEvent. Both representations are first expanded to the Segment JSON shape
// (properties/traits objects), so limits, ids and hashes do not depend on the wire format.
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { StepResult } from '../shared/results.ts';
import { isJunkIdentifier } from '../shared/junk-identifiers.ts';
import { ok } from '../shared/results.ts';
import { collectIdentifiers, hasAnyIdentifier } from './collect-identifiers.ts';
import { checkMessageShape, checkPropertyCount } from './check-payload-limits.ts';
import { deriveChannel, deriveUtm } from './derive-channel.ts';
import { contentEventId, sourceEventId } from './event-id.ts';
import { checkTimestampWindow, correctClockSkew, optTime } from './event-time.ts';
import type { IngestConfig, IngestMessageMeta, NormalisedEvent } from './ingest-config.ts';
import { toMinorUnits } from './minor-units.ts';
import { newJourneyEvent } from './new-journey-event.ts';
import { PayloadError, runNormaliser } from './payload-error.ts';
import { scrubEmails } from './pseudonymise-email.ts';
import type { PayloadObject } from './read-payload-fields.ts';
import {
  isPayloadObject,
  optFreeForm,
  optIdentifier,
  optNumber,
  optObject,
  optString,
  requireValue,
} from './read-payload-fields.ts';

const BEHAVIOR_TYPES = new Set(['track', 'page', 'screen', 'identify', 'group', 'alias']);
const EXPERIMENT_VIEWED = /^experiment[ _]viewed$/i;

export interface BehaviorMessage {
  /** The whole message in the Segment JSON shape (Avro *_json strings expanded). */
  message: PayloadObject;
  properties: PayloadObject;
  traits: PayloadObject;
  context: PayloadObject;
  contextTraits: PayloadObject;
}

/** Avro-decoded or JSON message -> the Segment JSON shape. Throws PayloadError on wrong types. */
export function expandBehaviorMessage(payload: PayloadObject): BehaviorMessage {
  const { properties_json: _p, traits_json: _t, ...rest } = payload;
  const properties = optFreeForm(payload, 'properties') ?? {};
  const traits = optFreeForm(payload, 'traits') ?? {};
  const rawContext = optObject(payload, 'context') ?? {};
  const contextTraits = optFreeForm(rawContext, 'traits', 'context.traits') ?? {};
  const { traits_json: _ct, ...contextRest } = rawContext;
  const context = { ...contextRest, traits: contextTraits };
  return { message: { ...rest, properties, traits, context }, properties, traits, context, contextTraits };
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Removes `keys` from `props` and returns the first present one as a string id. */
function takeIdentifier(props: PayloadObject, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = optIdentifier(props, key, `properties.${key}`);
    if (value !== undefined) {
      delete props[key];
      return value;
    }
  }
  return undefined;
}

function applyExperiment(event: JourneyEvent, props: PayloadObject): void {
  event.experiment_id = takeIdentifier(props, ['experiment_id', 'experiment_name']) ?? null;
  event.experiment_variant = takeIdentifier(props, ['variation_id', 'variant', 'variation_name']) ?? null;
}

function applyRevenue(event: JourneyEvent, props: PayloadObject): void {
  const key = props['revenue'] != null ? 'revenue' : props['total'] != null ? 'total' : undefined;
  if (key === undefined) return;
  const amount = requireValue(optNumber(props, key, `properties.${key}`), `properties.${key}`);
  const currency = (optString(props, 'currency', 'properties.currency') ?? 'usd').toLowerCase();
  event.amount_cents = toMinorUnits(amount, currency);
  event.currency = currency;
  delete props[key];
  delete props['currency'];
}

function mapBehavior(
  payload: unknown,
  meta: IngestMessageMeta,
  config: IngestConfig,
): StepResult<NormalisedEvent> {
  if (!isPayloadObject(payload)) throw new PayloadError('invalid_field', 'message: expected a JSON object');
  const { message, properties, traits, context, contextTraits } = expandBehaviorMessage(payload);
  checkMessageShape(message, config.limits);
  checkPropertyCount([properties, traits, contextTraits], config.limits);

  const type = requireValue(optString(message, 'type'), 'type');
  if (!BEHAVIOR_TYPES.has(type)) throw new PayloadError('unsupported_event_type', `type "${type}"`);
  const userId = optIdentifier(message, 'userId');
  const anonymousId = optIdentifier(message, 'anonymousId');
  if (userId === undefined && anonymousId === undefined) {
    throw new PayloadError('missing_required_field', 'userId or anonymousId is required');
  }
  const event = type === 'track' ? requireValue(optString(message, 'event'), 'event') : undefined;
  const groupId = type === 'group' ? requireValue(optIdentifier(message, 'groupId'), 'groupId') : undefined;
  const previousId =
    type === 'alias' ? requireValue(optIdentifier(message, 'previousId'), 'previousId') : undefined;
  if (type === 'alias') requireValue(userId, 'userId');

  const page = optObject(context, 'page', 'context.page');
  const device = optObject(context, 'device', 'context.device');
  const referrer = optObject(context, 'referrer', 'context.referrer');
  const campaign = optObject(context, 'campaign', 'context.campaign');
  const personEmail =
    type === 'identify'
      ? (stringOf(traits['email']) ?? stringOf(contextTraits['email']))
      : (stringOf(contextTraits['email']) ?? stringOf(properties['email']));

  const { ids, junk } = collectIdentifiers(
    {
      user_id: userId,
      anonymous_id: anonymousId,
      previous_id: previousId ?? optIdentifier(message, 'previousId'),
      account_id:
        groupId ?? optIdentifier(message, 'groupId') ?? optIdentifier(context, 'groupId', 'context.groupId'),
      device_id: device === undefined ? undefined : optIdentifier(device, 'id', 'context.device.id'),
      email: personEmail,
    },
    config,
  );
  if (!hasAnyIdentifier(ids)) throw new PayloadError('no_identifier', 'every identifier is junk');

  const eventTime = correctClockSkew(
    {
      timestamp: optTime(message, 'timestamp'),
      originalTimestamp: optTime(message, 'originalTimestamp'),
      sentAt: optTime(message, 'sentAt'),
      receivedAt: optTime(message, 'receivedAt'),
    },
    meta.receivedTime,
  );
  checkTimestampWindow(eventTime, meta.receivedTime, config.limits);

  const name =
    event ??
    (type === 'page' || type === 'screen'
      ? (optString(message, 'name') ?? stringOf(properties['name']) ?? type)
      : type);
  const out = newJourneyEvent({
    source: 'behavior',
    type,
    name,
    event_time: eventTime,
    received_time: meta.receivedTime,
    ids,
  });

  const pageFields = page ?? (type === 'page' ? properties : {});
  const pageSearch = stringOf(pageFields['search']);
  const pageUrl = stringOf(pageFields['url']);
  out.utm = deriveUtm(
    campaign === undefined
      ? undefined
      : {
          name: optString(campaign, 'name', 'context.campaign.name'),
          source: optString(campaign, 'source', 'context.campaign.source'),
          medium: optString(campaign, 'medium', 'context.campaign.medium'),
          term: optString(campaign, 'term', 'context.campaign.term'),
          content: optString(campaign, 'content', 'context.campaign.content'),
        },
    pageSearch,
    pageUrl,
  );
  out.channel = deriveChannel({
    utm: out.utm,
    pageSearch,
    pageUrl,
    referrer:
      stringOf(pageFields['referrer']) ?? (referrer === undefined ? undefined : stringOf(referrer['url'])),
    onPage: type === 'page' || type === 'screen' || page !== undefined,
  });

  const props: PayloadObject = { ...properties };
  if (type === 'track' && EXPERIMENT_VIEWED.test(name)) applyExperiment(out, props);
  if (type === 'track') applyRevenue(out, props);
  if (type === 'identify' || type === 'group') {
    out.plan = stringOf(traits['plan']) ?? null;
    out.traits_json = JSON.stringify(scrubEmails(traits, config.pii));
  } else if (Object.keys(contextTraits).length > 0) {
    out.traits_json = JSON.stringify(scrubEmails(contextTraits, config.pii));
  }
  out.properties_json = JSON.stringify(scrubEmails(props, config.pii));

  const messageId = optIdentifier(message, 'messageId');
  const ownId = messageId !== undefined && !isJunkIdentifier(messageId) ? messageId : undefined;
  if (ownId !== undefined && ownId.length > config.limits.maxIdentifierLength) {
    throw new PayloadError('identifier_too_long', `messageId: ${ownId.length} characters`);
  }
  out.event_id = ownId === undefined ? contentEventId(out) : sourceEventId('behavior', ownId);
  return ok({ event: out, junkIdentifiers: junk });
}

/** Step: a Segment/RudderStack message (parsed JSON or Avro-decoded) -> canonical event. */
export function normaliseBehaviorStep(
  payload: unknown,
  meta: IngestMessageMeta,
  config: IngestConfig,
): StepResult<NormalisedEvent> {
  return runNormaliser(() => mapBehavior(payload, meta, config));
}
