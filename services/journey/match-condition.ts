// Does an event satisfy a journey-map condition? Its name, plus predicates over the event's typed
// fields (plan, seats, amount_cents, mrr_change_kind, score, ticket_priority, ...) or its
// properties. `properties.x` / `traits.x` name the JSON side explicitly.
import type { JourneyEvent } from '../shared/generated/avro-types.ts';
import type { EventCondition, Predicate } from './journey-map.ts';

export function parseJsonObject(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** Evaluates one predicate against a value (undefined = the field is absent). */
export function holds(p: Predicate, value: unknown): boolean {
  const present = value !== undefined && value !== null;
  if (p.exists !== undefined && present !== p.exists) return false;
  if (p.eq !== undefined && value !== p.eq) return false;
  if (p.in !== undefined && !p.in.includes(value as string | number | boolean)) return false;
  if (p.gte !== undefined && !(typeof value === 'number' && value >= p.gte)) return false;
  if (p.lte !== undefined && !(typeof value === 'number' && value <= p.lte)) return false;
  return true;
}

const TYPED_EXCLUDED = new Set(['ids', 'utm', 'properties_json', 'traits_json']);

/** Lazily parsed JSON sides of one event, so a reducer step parses each at most once. */
export class EventView {
  readonly event: JourneyEvent;
  #properties: Record<string, unknown> | null = null;
  #traits: Record<string, unknown> | null = null;
  constructor(event: JourneyEvent) {
    this.event = event;
  }
  get properties(): Record<string, unknown> {
    this.#properties ??= parseJsonObject(this.event.properties_json);
    return this.#properties;
  }
  get traits(): Record<string, unknown> {
    this.#traits ??= parseJsonObject(this.event.traits_json);
    return this.#traits;
  }
  field(name: string): unknown {
    if (name.startsWith('properties.')) return this.properties[name.slice(11)];
    if (name.startsWith('traits.')) return this.traits[name.slice(7)];
    if (name in this.event && !TYPED_EXCLUDED.has(name))
      return (this.event as unknown as Record<string, unknown>)[name];
    return this.properties[name];
  }
}

export function matchesEvent(condition: EventCondition, view: EventView): boolean {
  if (view.event.name !== condition.event) return false;
  if (!condition.where) return true;
  return Object.entries(condition.where).every(([field, p]) => holds(p, view.field(field)));
}

export const matchesAny = (conditions: readonly EventCondition[], view: EventView): boolean =>
  conditions.some((c) => matchesEvent(c, view));
