// Builds the Grafana dashboards in deploy/grafana/dashboards/ (run: node deploy/grafana/build-dashboards.ts;
// --check exits 1 when the committed JSON differs; --map <file.yaml> writes the journey dashboard of
// another journey map). One journey dashboard per shipped journey map (journey-dashboard.ts) and
// the operations dashboard (operations-dashboard.ts). The journey panels are the documented metric
// queries of services/sink/queries translated for Grafana (grafana-model.ts);
// test/deploy/grafana-dashboards.test.ts runs every panel on ClickHouse for both maps and compares
// it with runMetricQuery.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { format } from 'prettier';
import { loadJourneyMap } from '../../services/journey/journey-map.ts';
import { journeyDashboard } from './journey-dashboard.ts';
import { operationsDashboard } from './operations-dashboard.ts';

const DASHBOARDS = new URL('./dashboards/', import.meta.url);
const MAPS = new URL('../../config/journeys/', import.meta.url);
/** The journey maps shipped in config/journeys, each with its dashboard. */
export const SHIPPED_MAPS = ['b2b-saas', 'b2c'] as const;
const mapFile = (name: string): string => new URL(`${name}.yaml`, MAPS).pathname;

export const DASHBOARD_FILES: Record<string, () => object> = {
  ...Object.fromEntries(
    SHIPPED_MAPS.map((name) => [
      `journey-${name}.json`,
      () => journeyDashboard(loadJourneyMap(mapFile(name))),
    ]),
  ),
  'operations.json': operationsDashboard,
};

export async function renderDashboard(build: () => object): Promise<string> {
  return format(JSON.stringify(build()), {
    parser: 'json',
    singleQuote: true,
    printWidth: 110,
    trailingComma: 'all',
  });
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, map: { type: 'string' } } });
  if (values.map) {
    const map = loadJourneyMap(values.map);
    const url = new URL(`journey-${map.name}.json`, DASHBOARDS);
    writeFileSync(url, await renderDashboard(() => journeyDashboard(map)));
    console.log(`wrote ${url.pathname}`);
  } else {
    let stale = 0;
    for (const [file, build] of Object.entries(DASHBOARD_FILES)) {
      const url = new URL(file, DASHBOARDS);
      const text = await renderDashboard(build);
      if (!values.check) writeFileSync(url, text);
      else if (readFileSync(url, 'utf8') !== text) {
        console.error(`${file} is stale: run node deploy/grafana/build-dashboards.ts`);
        stale++;
      }
    }
    process.exitCode = stale ? 1 : 0;
  }
}
