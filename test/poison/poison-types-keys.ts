// Poison in what a field holds: the wrong JSON type in every kind of field, prototype keys
// (`__proto__`, `constructor`, `prototype`) at the top and nested, lone UTF-16 surrogates as JSON
// escapes and as raw bytes that are not UTF-8.
import type { Json, PoisonMessage, PoisonSource } from './poison-message.ts';
import {
  behaviorBase,
  commandBase,
  invoiceBase,
  jsonBytes,
  mutate,
  rawJson,
  slot,
  subscriptionBase,
  surveyBase,
  ticketBase,
} from './poison-message.ts';

type Row = [PoisonSource, Json, string, string];

function wrongTypeRows(): Row[] {
  const b = (field: string, v: unknown): Json => ({ ...behaviorBase(`type-${field}`), [field]: v });
  const t = (field: string, v: unknown): Json => ({ ...ticketBase(`type-${field}`), [field]: v });
  const s = (field: string, v: unknown): Json => ({ ...surveyBase(`type-${field}`), [field]: v });
  const i = (path: Array<string | number>, v: unknown): Json =>
    mutate(invoiceBase(`type-${path.join('.')}`), path, v);
  const c = (field: string, v: unknown): Json => ({ ...commandBase(`type-${field}`), [field]: v });
  return [
    ['behavior', b('type', ['track']), 'invalid_field', 'type: an array'],
    ['behavior', b('userId', {}), 'invalid_field', 'userId: an object'],
    ['behavior', b('anonymousId', true), 'invalid_field', 'anonymousId: a boolean'],
    ['behavior', b('event', 42), 'invalid_field', 'event: a number'],
    ['behavior', b('properties', 'title=x'), 'invalid_field', 'properties: a string'],
    ['behavior', b('context', []), 'invalid_field', 'context: an array'],
    ['behavior', b('timestamp', true), 'invalid_field', 'timestamp: a boolean'],
    ['behavior', b('messageId', ['m1']), 'invalid_field', 'messageId: an array'],
    ['tickets', t('tags', [1, 2]), 'invalid_field', 'tags: numbers'],
    ['tickets', t('requester', 'jane'), 'invalid_field', 'requester: a string'],
    ['tickets', t('event_kind', 5), 'invalid_field', 'event_kind: a number'],
    ['tickets', t('ticket_id', { id: 1 }), 'invalid_field', 'ticket_id: an object'],
    ['surveys', s('score', 'ten'), 'invalid_field', 'score: a word'],
    ['surveys', s('score', true), 'invalid_field', 'score: a boolean'],
    ['surveys', s('respondent', []), 'invalid_field', 'respondent: an array'],
    ['surveys', s('answered_at', {}), 'invalid_field', 'answered_at: an object'],
    ['billing', i(['data'], []), 'invalid_field', 'data: an array'],
    ['billing', i(['type'], { name: 'invoice.paid' }), 'invalid_field', 'type: an object'],
    ['billing', i(['created'], 'yesterday'), 'invalid_field', 'created: a word'],
    ['billing', i(['data', 'object', 'currency'], 840), 'invalid_field', 'currency: a number'],
    ['billing', i(['data', 'object', 'metadata'], 'acct_1'), 'invalid_field', 'metadata: a string'],
    ['commands', c('command_id', 5), 'missing_required_field', 'command_id: a number'],
    ['commands', c('person_id', { id: 'p-1' }), 'invalid_field', 'person_id: an object'],
    ['commands', c('command', ['force-merge']), 'invalid_field', 'command: an array'],
  ];
}

const PROTO = '"__proto__"';

function prototypeKeyMessages(): PoisonMessage[] {
  const polluted = '{"polluted":true,"type":"identify","userId":"admin"}';
  const entry = (
    source: PoisonSource,
    value: Buffer,
    note: string,
    expectedReason?: string,
  ): PoisonMessage => ({
    class: 'prototype_keys',
    source,
    value,
    ...(expectedReason === undefined ? { accepted: true as const } : { expectedReason }),
    note,
  });
  return [
    entry(
      'behavior',
      rawJson(
        { [slot('proto')]: slot('polluted'), ...behaviorBase('proto-top') },
        { proto: PROTO, polluted },
      ),
      'top-level "__proto__": an own key, not the prototype',
    ),
    entry(
      'behavior',
      rawJson(
        {
          ...behaviorBase('proto-nested'),
          properties: {
            [slot('proto')]: slot('polluted'),
            constructor: { prototype: { polluted: true } },
            prototype: 1,
            title: 'x',
          },
        },
        { proto: PROTO, polluted },
      ),
      'properties.__proto__ / constructor.prototype / prototype: kept as data in properties_json',
    ),
    entry(
      'behavior',
      rawJson(
        { ...behaviorBase('proto-context'), context: { [slot('proto')]: slot('page') } },
        { proto: PROTO, page: '{"page":{"url":"https://evil.example/?utm_source=x"}}' },
      ),
      'context.__proto__ with a page',
    ),
    entry(
      'tickets',
      jsonBytes(mutate(ticketBase('proto-rating'), ['satisfaction_rating', 'score'], 'constructor')),
      'rating "constructor": found Object.prototype.constructor in the CSAT table',
    ),
    entry(
      'tickets',
      jsonBytes(mutate(ticketBase('proto-rating2'), ['satisfaction_rating', 'score'], '__proto__')),
      'rating "__proto__"',
    ),
    entry(
      'surveys',
      jsonBytes({ ...surveyBase('proto-kind'), survey_kind: 'constructor' }),
      'survey_kind "constructor"',
      'unsupported_event_type',
    ),
    entry(
      'billing',
      jsonBytes({ ...invoiceBase('proto-type'), type: '__proto__' }),
      'type "__proto__"',
      'unsupported_event_type',
    ),
    entry(
      'billing',
      jsonBytes(
        mutate(
          subscriptionBase('proto-interval'),
          ['data', 'object', 'items', 'data', 0, 'price', 'recurring', 'interval'],
          'constructor',
        ),
      ),
      'recurring.interval "constructor": was Object as the periods per year (NaN MRR)',
      'invalid_field',
    ),
    entry(
      'billing',
      rawJson(
        mutate(invoiceBase('proto-meta'), ['data', 'object', 'metadata'], { [slot('proto')]: slot('meta') }),
        { proto: PROTO, meta: '{"account_id":"acct_evil"}' },
      ),
      'metadata.__proto__.account_id must not become the account',
    ),
    entry(
      'commands',
      rawJson(
        { command: 'delete', command_id: 'cmd-proto', [slot('proto')]: slot('person') },
        { proto: PROTO, person: '{"person_id":"p-1"}' },
      ),
      'person_id only under __proto__',
      'invalid_field',
    ),
    entry(
      'commands',
      jsonBytes({ command: 'split', command_id: 'cmd-ctor', identifier_type: 'constructor', value: 'x' }),
      'identifier_type "constructor"',
      'invalid_field',
    ),
  ];
}

function surrogateMessages(): PoisonMessage[] {
  const m = (source: PoisonSource, value: Buffer, note: string, expectedReason?: string): PoisonMessage => ({
    class: expectedReason === 'invalid_utf8' ? 'lone_surrogate_bytes' : 'lone_surrogate_escape',
    source,
    value,
    ...(expectedReason === undefined ? { accepted: true as const } : { expectedReason }),
    note,
  });
  // ED A0 80 is U+D800 written as if it were UTF-8 (CESU-8): not valid UTF-8.
  const cesu = Buffer.from([0xed, 0xa0, 0x80]);
  return [
    m(
      'behavior',
      rawJson({ ...behaviorBase('sur-id'), userId: slot('s') }, { s: '"u\\ud800"' }),
      'userId "u\\ud800": U+FFFD after UTF-8, one person with "u\\udbff"',
      'invalid_field',
    ),
    m(
      'tickets',
      rawJson(mutate(ticketBase('sur-req'), ['requester', 'external_id'], slot('s')), { s: '"\\udc00"' }),
      'requester.external_id a lone low surrogate',
      'invalid_field',
    ),
    m(
      'surveys',
      rawJson({ ...surveyBase('sur-text'), comment: slot('s') }, { s: '"great \\ud83d product"' }),
      'free text: half an emoji is only text',
    ),
    m(
      'behavior',
      rawJson(
        { ...behaviorBase('sur-bytes'), properties: { title: slot('s') } },
        { s: Buffer.concat([Buffer.from('"x'), cesu, Buffer.from('"')]) },
      ),
      'raw CESU-8 surrogate bytes',
      'invalid_utf8',
    ),
    m(
      'billing',
      rawJson(
        { ...invoiceBase('sur-bytes'), id: slot('s') },
        { s: Buffer.concat([Buffer.from('"evt_'), cesu, Buffer.from('"')]) },
      ),
      'raw surrogate bytes in the event id',
      'invalid_utf8',
    ),
    m(
      'commands',
      rawJson({ ...commandBase('sur'), person_id: slot('s') }, { s: '"p-\\ud800"' }),
      'a command naming a person with a lone surrogate: the parser accepts it (no such person)',
    ),
  ];
}

export function typeKeyPoison(): PoisonMessage[] {
  return [
    ...wrongTypeRows().map(([source, payload, expectedReason, note]): PoisonMessage => ({
      class: 'wrong_types',
      source,
      value: jsonBytes(payload),
      expectedReason,
      note,
    })),
    ...prototypeKeyMessages(),
    ...surrogateMessages(),
  ];
}
