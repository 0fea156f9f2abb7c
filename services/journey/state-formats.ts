// Every format journey state was ever written in, oldest first. Entries are never edited or
// removed: states in them may still sit on the compacted changelog. To change the state's fields,
// append a format (version + 1, tag = the version) with its `fromPrevious` migration; see
// docs/journey.md "Changing the state's fields". state-formats.test.ts fails until you do.
import { MAX_POINTS } from './account-mrr.ts';
import { stateFormatRegistry } from './state-format.ts';
import type { StateFormat, StateValues } from './state-format.ts';

/** Before formats had versions: tagged with the fingerprint of the field list. */
const V1: StateFormat = Object.freeze({
  version: 1,
  tag: '84f4ac39',
  fields: Object.freeze([
    'key',
    'kind',
    'mapVersion',
    'stage',
    'stageEnteredAt',
    'stageEntries',
    'stalledStage',
    'churnedAt',
    'emittedActivation',
    'emittedFunnel',
    'reactivatedAt',
    'conversions',
    'entryMet',
    'churnTimes',
    'reactivationTimes',
    'riskSince',
    'riskSignal',
    'lastRiskExitAt',
    'firstSeenAt',
    'lastActivityAt',
    'maxEventTime',
    'weeks',
    'dayFirsts',
    'members',
    'features',
    'firstTouch',
    'touches',
    'signupAt',
    'activatedAt',
    'keyActions',
    'funnel',
    'champion',
    'championSince',
    'segment',
    'traits',
    'traitTimes',
    'plan',
    'planAt',
    'seats',
    'seatsAt',
    'mrrHistory',
    'contractionTimes',
    'failedPaymentTimes',
    'failedPayments',
    'cancelReason',
    'cancelReasonAt',
    'ticketTimes',
    'urgentTicketTimes',
    'tickets',
    'nps',
    'npsAt',
    'csat',
    'csatAt',
    'experiments',
    'experimentsAt',
    'churn',
  ]),
  encodings: Object.freeze({
    members: 'members',
    dayFirsts: 'time_list',
    keyActions: 'time_list',
    ticketTimes: 'time_list',
    urgentTicketTimes: 'time_list',
    failedPaymentTimes: 'time_list',
    contractionTimes: 'time_list',
  }),
});

/** Issue #16: each subscription's own MRR series (account-mrr.ts). A format-1 state's history is
 *  the account's, of unknown subscriptions: it becomes the unkeyed series, replaced by the first
 *  event that names a subscription. */
const V2: StateFormat = Object.freeze({
  version: 2,
  tag: 2,
  // mrrHistory is derived from here on (the sum of the subscriptions' series).
  fields: Object.freeze([...V1.fields.filter((f) => f !== 'mrrHistory'), 'subscriptionMrr']),
  encodings: V1.encodings,
  fromPrevious: (v: StateValues) => {
    const { mrrHistory, ...rest } = v;
    const history = Array.isArray(mrrHistory) ? (mrrHistory as Array<[number, number]>) : [];
    return { ...rest, subscriptionMrr: history.length > 0 ? { '': history.slice(-MAX_POINTS) } : {} };
  },
});

/** A billing, ticket or survey event's re-score waits for the inputs to reach its time
 *  (rescore-account.ts). Written before it: nothing waits. */
const V3: StateFormat = Object.freeze({
  version: 3,
  tag: 3,
  fields: Object.freeze([...V2.fields, 'rescoresDue']),
  encodings: Object.freeze({ ...V2.encodings, rescoresDue: 'time_list' }),
  fromPrevious: (v: StateValues) => ({ ...v, rescoresDue: '' }),
});

export const STATE_FORMATS: readonly StateFormat[] = Object.freeze([V1, V2, V3]);

export const JOURNEY_STATE_FORMATS = stateFormatRegistry(STATE_FORMATS);
