// ICP / segment of an account from its traits: the first matching rule of the journey map.
import type { AccountState } from './account-state.ts';
import type { JourneyMap } from './journey-map.ts';

export function segmentOf(map: JourneyMap, traits: AccountState['traits']): string {
  for (const rule of map.segments) {
    if ('default' in rule) return rule.id;
    const value = (traits as Record<string, unknown>)[rule.when.trait];
    if (rule.when.gte !== undefined && typeof value === 'number' && value >= rule.when.gte) return rule.id;
    if (rule.when.eq !== undefined && value === rule.when.eq) return rule.id;
  }
  return '';
}
