// Does an event satisfy a stage's conversion? Event name plus predicates over the event's typed
// fields (plan, mrr_change_kind, amount_cents, ...) or, failing that, its properties.
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { Conversion } from './journey-map.ts';

function fieldValue(event: JourneyEvent, properties: Record<string, unknown>, field: string): unknown {
  if (field in event && field !== 'ids' && field !== 'utm')
    return (event as unknown as Record<string, unknown>)[field];
  return properties[field];
}

export function matchesConversion(conversion: Conversion, event: JourneyEvent, activated: boolean): boolean {
  if ('activation' in conversion) return activated;
  if (event.name !== conversion.event) return false;
  if (!conversion.where) return true;
  let properties: Record<string, unknown> = {};
  try {
    properties = JSON.parse(event.properties_json) as Record<string, unknown>;
  } catch {
    properties = {};
  }
  return Object.entries(conversion.where).every(([field, p]) => {
    const value = fieldValue(event, properties, field);
    if (p.exists !== undefined && (value !== undefined && value !== null) !== p.exists) return false;
    if (p.eq !== undefined && value !== p.eq) return false;
    if (p.in !== undefined && !p.in.includes(value as string | number)) return false;
    if (p.gte !== undefined && !(typeof value === 'number' && value >= p.gte)) return false;
    if (p.lte !== undefined && !(typeof value === 'number' && value <= p.lte)) return false;
    return true;
  });
}
