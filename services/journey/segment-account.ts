// ICP / segment of an account: the first rule of the journey map whose predicates all hold on the
// account's traits (from group calls) or its billing facts (plan, seats, mrr_cents).
import type { AccountState } from './account-state.ts';
import type { JourneyMap } from './journey-map.ts';
import { holds } from './match-condition.ts';

function accountField(state: AccountState, field: string): unknown {
  if (field === 'plan') return state.plan ?? undefined;
  if (field === 'seats') return state.seats ?? undefined;
  if (field === 'mrr_cents') return state.mrrHistory.length > 0 ? state.mrrCents : undefined;
  return state.traits[field];
}

export function segmentOf(map: JourneyMap, state: AccountState): string {
  for (const rule of map.segments) {
    if ('default' in rule) return rule.id;
    if (Object.entries(rule.when).every(([field, p]) => holds(p, accountField(state, field)))) return rule.id;
  }
  return '';
}
