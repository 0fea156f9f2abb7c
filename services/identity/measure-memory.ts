// Measures identity-graph memory per identifier (SPEC §7: <= 400 bytes per identifier).
// Run: node --expose-gc services/identity/measure-memory.ts [identifiers=1000000]
// Inserts the identifiers through resolve() — the real path, with person ids, anchors and account
// memberships — then reports (heapUsed + arrayBuffers) growth after a full GC, for two shapes:
//   known:     persons with user_id, email_hash, anonymous_id and device_id, one account each;
//   anonymous: one anonymous_id per person (the worst case: a person per identifier).

import { createHash } from 'node:crypto';
import { DEFAULT_IDENTITY_CONFIG } from './identity-config.ts';
import { createIdentityGraph, type IdentityGraph } from './identity-graph.ts';
import { journeyEvent } from './journey-event-fixture.ts';
import { resolve } from './resolve-identity.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error('run with node --expose-gc');
  process.exit(2);
}

const total = Number(process.argv[2] ?? 1_000_000);
const hex = (i: number, salt: string): string => createHash('md5').update(`${salt}${i}`).digest('hex');
const uuid = (i: number, salt: string): string => {
  const h = hex(i, salt);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

function used(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function measure(shape: 'known' | 'anonymous'): void {
  const perPerson = shape === 'known' ? 4 : 1;
  const persons = Math.floor(total / perPerson);
  const before = used();
  const g: IdentityGraph = createIdentityGraph();
  const started = performance.now();
  for (let i = 0; i < persons; i++) {
    const ids =
      shape === 'known'
        ? {
            user_id: `user_${i}`,
            email_hash: hex(i, 'email') + hex(i, 'email2'),
            anonymous_id: uuid(i, 'anon'),
            device_id: uuid(i, 'device'),
            account_id: `acct_${i % Math.max(1, Math.floor(persons / 20))}`,
          }
        : { anonymous_id: uuid(i, 'anon') };
    resolve(
      g,
      journeyEvent({ id: `e${i}`, type: 'identify', ids }),
      1_700_000_000_000 + i,
      DEFAULT_IDENTITY_CONFIG,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const after = used();
  const identifiers = g.nodeIndex.size;
  console.log(
    JSON.stringify({
      shape,
      identifiers,
      persons: g.personSlotById.size,
      accounts: g.accountIndex.size,
      bytes_per_identifier: Math.round((after - before) / identifiers),
      mb_per_million_identifiers: Math.round((((after - before) / identifiers) * 1e6) / 1048576),
      inserts_per_second: Math.round(persons / seconds),
    }),
  );
  if (g.nodeIndex.size === 0) throw new Error('unreachable: keeps g alive until after measuring');
}

measure('known');
measure('anonymous');
