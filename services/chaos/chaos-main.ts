// `make chaos` (and, reduced, test/chaos/chaos.test.ts): the fault-injection suite against the
// real local stack. Every scenario gets fresh topics and a fresh database, the same deterministic
// stream, and its faults; the figures per fault are printed as a table: events sent, stored,
// duplicated (rows as stored, before any merge), lost, dead-lettered, duplicates in the Kafka
// outputs, accounts whose stage state differs from the undisturbed run, and the recovery time
// (last fault ended -> everything processed). The negative controls must fail the same checks.
//
//   node services/chaos/chaos-main.ts [--profile reduced|full] [--only kill9,clickhouse_down]
//                                     [--topology partitioned|single]  (default partitioned)
import { writeFileSync, mkdirSync } from 'node:fs';
import { passes, runScenario } from './chaos-run.ts';
import type { RunFigures, RunOptions } from './chaos-run.ts';
import { PROFILES, scenarios } from './chaos-scenarios.ts';
import { startStack } from './stack-control.ts';

export interface SuiteResult {
  figures: RunFigures[];
  ok: boolean;
}

const COLUMNS = [
  'fault',
  'sent',
  'stored',
  'duplicated',
  'lost',
  'dead-lettered',
  'topic dups',
  'state diffs',
  'recovery s',
  'verdict',
];

export function formatTable(figures: readonly RunFigures[]): string {
  const rows = figures.map((f) => {
    const control = f.scenario.startsWith('control_');
    const ok = passes(f);
    const verdict = control
      ? ok
        ? 'CONTROL PASSED (checks blind!)'
        : 'fails, as it must'
      : ok
        ? 'ok'
        : 'FAILED';
    return [
      f.scenario,
      f.sent,
      f.stored,
      f.duplicated,
      f.lost,
      f.deadLettered,
      f.topicDuplicates,
      f.stateDiffs,
      f.recoverySeconds.toFixed(1),
      verdict,
    ].map(String);
  });
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const notes = figures.flatMap((f) => f.notes.map((n) => `  ${f.scenario}: ${n}`));
  return [line(COLUMNS), ...rows.map(line), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}

export async function runSuite(
  profileName: 'reduced' | 'full',
  only: string[] | null,
  log: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  topology: RunOptions['topology'] = 'partitioned',
): Promise<SuiteResult> {
  const profile = PROFILES[profileName];
  const runId = Date.now().toString(36);
  const startMs = Date.now() - 25 * 86_400_000;
  const all = scenarios(profile);
  const chosen = all.filter(
    (s) =>
      (s.name === 'undisturbed' || only === null || only.includes(s.name)) &&
      (s.topology === undefined || s.topology === topology),
  );
  const figures: RunFigures[] = [];
  let baseline: Map<string, string> | null = null;
  try {
    for (const scenario of chosen) {
      log(
        `chaos ${profile.name}, ${topology}: ${scenario.name} (${profile.events} events at ${profile.ratePerSecond}/s) ...`,
      );
      const started = Date.now();
      const f = await runScenario(
        scenario,
        { events: profile.events, ratePerSecond: profile.ratePerSecond, seed: 7, runId, startMs, topology },
        baseline,
      );
      if (scenario.name === 'undisturbed') baseline = f.state;
      figures.push(f);
      log(
        `${formatTable([f]).split('\n').slice(1).join('\n')}   (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
  } finally {
    // Whatever happened, the stack is left whole for what runs next.
    await startStack();
  }
  const ok = figures.every((f) => (f.scenario.startsWith('control_') ? !passes(f) : passes(f)));
  return { figures, ok };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const profile = (arg('--profile') ?? 'full') as 'reduced' | 'full';
  const only = arg('--only')?.split(',') ?? null;
  const topology = arg('--topology') ?? 'partitioned';
  if (topology !== 'single' && topology !== 'partitioned')
    throw new Error(`--topology ${topology}: single or partitioned`);
  const result = await runSuite(profile, only, undefined, topology);
  const table = formatTable(result.figures);
  process.stdout.write(
    `\n${table}\n\n${result.ok ? `chaos: every guarantee held; ${result.figures.filter((f) => f.scenario.startsWith('control_')).length} negative control(s) failed the checks, as they must` : 'chaos: FAILED'}\n`,
  );
  mkdirSync('.local/chaos', { recursive: true });
  writeFileSync(`.local/chaos/report-${profile}-${topology}.txt`, `${table}\n`);
  process.exit(result.ok ? 0 : 1);
}
