// The frozen list of formats guards the changelog: a build whose state fields differ from the
// current format's would write states its own tag misdescribes, and every earlier format must
// stay readable because states written in it cannot be rebuilt (the canonical topic keeps 7 days).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS } from './account-state.ts';
import { T0 } from '../../test/support/journey-test-events.ts';
import { STATE_FIELDS, deserializeState } from './serialize-state.ts';
import { fingerprintOf } from './state-format.ts';
import { JOURNEY_STATE_FORMATS, STATE_FORMATS } from './state-formats.ts';

/** Written by the build before versioned formats (tag = format 1's fingerprint): one account
 * that signed up, had two active persons on two days and an urgent ticket. Never edit it. */
const WRITTEN_IN_FORMAT_1 =
  '["84f4ac39","acc_1","account",3,"activation",1767612240000,{"acquisition":1767612240000,' +
  '"activation":1767612240000},null,null,false,1,null,{"acquisition":[1767612240000,"Signed Up"]},' +
  '{},[],[],null,null,null,1767612240000,1767690000000,1767776400000,[[2923,3,67239936]],' +
  '"mk12otc0,mk2czhc0","a04ed67afsa,70942ab1fsb",[],null,[],1767612240000,null,"mk2czhc0",' +
  '{"Signed Up":1767612240000},"p1",[1767612240000,false],"smb",{},{},null,0,null,0,[],"","",0,' +
  'null,0,"mk3sfc00","mk3sfc00",1,null,0,null,0,{},{},null]';

test('the current format lists exactly the fields the account state persists', () => {
  assert.deepEqual(
    JOURNEY_STATE_FORMATS.current.fields,
    STATE_FIELDS,
    'the field list changed: add a format version and a migration (docs/journey.md)',
  );
});

test('format 1 is still the field list whose fingerprint tagged the states written before versions', () => {
  const [v1] = STATE_FORMATS;
  assert.equal(v1?.version, 1);
  assert.equal(v1.tag, fingerprintOf(v1.fields), 'format 1 was edited: past formats are kept as they were');
});

test('every format is frozen', () => {
  for (const format of STATE_FORMATS) {
    assert.ok(Object.isFrozen(format), `format ${format.version}`);
    assert.ok(Object.isFrozen(format.fields), `format ${format.version} fields`);
    assert.ok(Object.isFrozen(format.encodings), `format ${format.version} encodings`);
  }
});

test('a state written in format 1 still restores, encodings included', () => {
  const state = deserializeState(WRITTEN_IN_FORMAT_1);
  assert.equal(state.key, 'acc_1');
  assert.equal(state.stage, 'activation');
  assert.equal(state.signupAt, T0 + 0.1 * DAY_MS);
  // The base-36 encodings: a changed codec would misread these without changing any field.
  assert.deepEqual(state.dayFirsts, [T0 + 0.1 * DAY_MS, T0 + DAY_MS]);
  assert.deepEqual(state.keyActions, [T0 + DAY_MS]);
  assert.deepEqual(state.urgentTicketTimes, [T0 + 2 * DAY_MS]);
  const firstDay = Math.floor(T0 / DAY_MS);
  assert.deepEqual(state.members, { a04ed67a: firstDay, '70942ab1': firstDay + 1 });
  // Derived fields are recomputed, not read.
  assert.equal(state.lastTouchBeforeSignup, null);
  assert.equal(state.mrrCents, 0);
});
