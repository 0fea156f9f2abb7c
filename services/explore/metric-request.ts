// A metric query's parameters from an explorer URL's query string, checked against the types the
// query declares: the values are bound as ClickHouse query parameters (runMetricQuery), never put
// in SQL text, and a name the query does not declare, or a value of the wrong shape, is refused.
import type { MetricParamValue, MetricQuery } from '../sink/metric-queries.ts';

export class BadRequest extends Error {}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?$/;

function valueOf(type: string, raw: string, name: string): string | number {
  if (/^U?Int\d+$|^Float\d+$/.test(type)) {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new BadRequest(`${name}: a number expected`);
    if (type.includes('Int') && !Number.isInteger(n))
      throw new BadRequest(`${name}: a whole number expected`);
    if (type.startsWith('U') && n < 0) throw new BadRequest(`${name}: not negative`);
    return n;
  }
  if (type === 'Date') {
    if (!DATE.test(raw)) throw new BadRequest(`${name}: a date YYYY-MM-DD expected`);
    return raw;
  }
  if (type.startsWith('DateTime64')) {
    if (!DATE_TIME.test(raw)) throw new BadRequest(`${name}: a time YYYY-MM-DD HH:MM[:SS[.mmm]] expected`);
    return raw.replace('T', ' ').replace('Z', '');
  }
  return raw;
}

/** The parameters `search` sets for `query` (arrays as repeated names: `stages=a&stages=b`). */
export function metricParamsFromSearch(
  query: MetricQuery,
  search: URLSearchParams,
): Record<string, MetricParamValue> {
  const declared = new Map(query.params.map((p) => [p.name, p.type]));
  const params: Record<string, MetricParamValue> = {};
  for (const name of new Set(search.keys())) {
    const type = declared.get(name);
    if (type === undefined) throw new BadRequest(`metric ${query.name} has no parameter ${name}`);
    const element = /^Array\((.+)\)$/.exec(type)?.[1];
    if (element) {
      const values = search.getAll(name).filter((v) => v !== '');
      params[name] = values.map((v) => valueOf(element, v, name)) as string[] | number[];
    } else params[name] = valueOf(type, search.get(name)!, name);
  }
  return params;
}
