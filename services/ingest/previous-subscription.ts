// The subscription as it was before a customer.subscription.updated event. Stripe's
// previous_attributes holds only what changed, and as partially as the change: an `items` list
// whose entries carry just the changed `quantity` (no `price`), or only the top-level `quantity`.
// A field missing there is unchanged: each previous item is completed from the current item with
// the same id, and the previous subscription from the current one. Pure.
import type { PayloadObject } from './read-payload-fields.ts';
import { isPayloadObject } from './read-payload-fields.ts';

export function previousSubscription(
  current: PayloadObject,
  previous: PayloadObject | undefined,
): PayloadObject {
  if (!previous) return current;
  const before: PayloadObject = { ...current, ...previous };
  const previousItems = isPayloadObject(previous['items']) ? previous['items']['data'] : undefined;
  const currentItems = isPayloadObject(current['items']) ? current['items']['data'] : undefined;
  if (!Array.isArray(previousItems) || !Array.isArray(currentItems)) return before;
  const currentById = new Map<unknown, PayloadObject>();
  for (const item of currentItems) if (isPayloadObject(item)) currentById.set(item['id'], item);
  const data = previousItems.map((item) => {
    if (!isPayloadObject(item)) return item;
    const same = currentById.get(item['id']);
    return same ? { ...same, ...item } : item;
  });
  return {
    ...before,
    items: { ...(current['items'] as PayloadObject), ...(previous['items'] as PayloadObject), data },
  };
}
