// The journey explorer's pages as a person sees them, after `make demo`: every page opened in
// Chromium (Debian's chromium, or CHROMIUM_PATH) over the demo's ClickHouse database, a screenshot
// of each (the first screen) written to .local/screenshots/<page>.png, and the time its metric queries took as the
// browser measured them (the page's /api/metric/ requests: their number, the slowest, and the page's time
// from navigation to rendered). Figures, not assertions: docs/explore.md quotes them.
//   node scripts/explore-pages.ts            (CLICKHOUSE_* from the environment; database journey_demo)
import { existsSync, mkdirSync } from 'node:fs';
import { loadConfig } from '../services/shared/config/config.ts';
import { createClickHouse } from '../services/shared/clickhouse/clickhouse-client.ts';
import { loadJourneyMap } from '../services/journey/journey-map.ts';
import { runMetricQuery } from '../services/sink/metric-queries.ts';
import { startExplorer } from '../services/explore/explore-server.ts';

export const SCREENSHOTS = '.local/screenshots';

export interface PageFigures {
  page: string;
  requests: number;
  slowestMs: number;
  renderedMs: number;
  file: string;
  /** Console errors and uncaught exceptions while the page loaded. */
  errors: string[];
  /** The account keys the at-risk page lists (that page only). */
  accounts?: string[];
}

export async function explorePages(env: NodeJS.ProcessEnv = process.env): Promise<PageFigures[]> {
  const config = loadConfig({ CLICKHOUSE_DATABASE: 'journey_demo', ...env }, undefined, { piiKey: false });
  const chromiumPath = env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath} (set CHROMIUM_PATH)`);
  const { chromium } = await import('playwright-core');
  const client = createClickHouse(config);
  const explorer = await startExplorer({
    client,
    database: config.CLICKHOUSE_DATABASE,
    map: loadJourneyMap(config.JOURNEY_MAP_FILE),
    host: '127.0.0.1',
    port: 0,
  });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  try {
    const [risky] = await runMetricQuery<{ account_key: string }>(
      client,
      'at_risk_accounts',
      { limit: 1 },
      { database: config.CLICKHOUSE_DATABASE },
    );
    const pages = ['flow', 'dropoffs', 'activation', 'experiments', 'at-risk'];
    if (risky) pages.push(`account/${encodeURIComponent(risky.account_key)}`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    const figures: PageFigures[] = [];
    for (const path of pages) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${explorer.url}/${path}`);
      await page.waitForSelector('main[aria-busy="false"]');
      const timing = await page.evaluate(() => {
        const api = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/metric/'));
        return {
          requests: api.length,
          slowest: Math.max(0, ...api.map((e) => e.duration)),
          rendered: performance.now(),
        };
      });
      const name = path.startsWith('account/') ? 'account' : path;
      const file = `${SCREENSHOTS}/${name}.png`;
      await page.screenshot({ path: file });
      const accounts =
        path === 'at-risk'
          ? await page.$$eval('table[data-metric="at_risk_accounts"] td[data-col="account_key"]', (tds) =>
              tds.map((td) => td.textContent ?? ''),
            )
          : undefined;
      figures.push({
        page: `/${path}`,
        errors,
        ...(accounts ? { accounts } : {}),
        requests: timing.requests,
        slowestMs: Math.round(timing.slowest),
        renderedMs: Math.round(timing.rendered),
        file,
      });
      await page.close();
    }
    return figures;
  } finally {
    await browser.close();
    await explorer.close();
    await client.close();
  }
}

if (import.meta.main) {
  const figures = await explorePages();
  console.log('Journey explorer pages (metric queries timed by the browser; screenshots):');
  for (const f of figures)
    console.log(
      `  ${f.page.padEnd(28)} ${String(f.requests).padStart(2)} queries, slowest ${String(f.slowestMs).padStart(4)} ms, rendered in ${String(f.renderedMs).padStart(5)} ms  ${f.file}`,
    );
}
