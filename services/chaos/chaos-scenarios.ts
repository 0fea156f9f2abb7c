// The fault schedules of the fault-injection suite, for the full run (`make chaos`) and the
// reduced one inside `make test`. Each resolves when its last fault has ended; the runner then
// waits for the pipeline to drain and measures. The two negative controls break one guarantee on
// purpose (UNSAFE_NEGATIVE_CONTROL) and must fail the same checks.
import { Rng } from '../workload/prng.ts';
import type { Scenario } from './chaos-run.ts';
import { freezeService, startStack, stopService, thawService } from './stack-control.ts';

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Profile {
  name: 'reduced' | 'full';
  events: number;
  ratePerSecond: number;
  killEveryMs: [number, number];
  outageMs: number;
  clickhouseOutages: number;
  brokerRestarts: number;
}

export const PROFILES: Record<Profile['name'], Profile> = {
  reduced: {
    name: 'reduced',
    events: 4_000,
    ratePerSecond: 500,
    killEveryMs: [2_000, 5_000],
    outageMs: 8_000,
    clickhouseOutages: 1,
    brokerRestarts: 1,
  },
  full: {
    name: 'full',
    events: 300_000,
    ratePerSecond: 2_500,
    killEveryMs: [5_000, 20_000],
    outageMs: 60_000,
    clickhouseOutages: 3,
    brokerRestarts: 5,
  },
};

/** kill -9 of one stage at random intervals until the stream is produced (at least twice). */
async function killLoop(
  ctx: Parameters<Scenario['faults']>[0],
  role: 'ingest' | 'journey',
  everyMs: [number, number],
  seed: number,
): Promise<void> {
  const rng = new Rng(seed);
  let done = false;
  void ctx.produced.then(() => (done = true));
  for (let kills = 0; !done || kills < 2; kills++) {
    await wait(rng.int(everyMs[0], everyMs[1]));
    await ctx.processes.kill(role);
  }
}

export function scenarios(profile: Profile): Scenario[] {
  const quarter = Math.round((profile.events / profile.ratePerSecond) * 250);
  return [
    { name: 'undisturbed', faults: async () => undefined },
    {
      name: 'kill9',
      faults: async (ctx) => {
        await Promise.all([
          killLoop(ctx, 'ingest', profile.killEveryMs, 1),
          killLoop(ctx, 'journey', profile.killEveryMs, 2),
        ]);
        ctx.note(`${ctx.processes.kills} kill -9`);
      },
    },
    {
      name: 'clickhouse_down',
      faults: async (ctx) => {
        for (let i = 0; i < profile.clickhouseOutages; i++) {
          await wait(quarter);
          await stopService('clickhouse', 5_000);
          try {
            await wait(profile.outageMs);
          } finally {
            await startStack();
          }
        }
        ctx.note(`${profile.clickhouseOutages} x ClickHouse stopped ${profile.outageMs / 1000} s`);
      },
    },
    {
      name: 'broker_restart',
      faults: async (ctx) => {
        for (let i = 0; i < profile.brokerRestarts; i++) {
          await wait(quarter);
          try {
            await stopService('kafka');
          } finally {
            await startStack();
          }
        }
        ctx.note(`${profile.brokerRestarts} broker restart(s)`);
      },
    },
    {
      name: 'registry_down',
      faults: async (ctx) => {
        await wait(quarter);
        freezeService('registry');
        try {
          // A stage restarted while the registry is unreachable must wait for it, not drop input.
          await wait(1_000);
          await ctx.processes.kill('ingest');
          await wait(profile.outageMs);
        } finally {
          thawService('registry');
        }
        ctx.note(`registry unreachable ${profile.outageMs / 1000} s, ingest restarted meanwhile`);
      },
    },
    {
      name: 'control_dedup_off',
      negativeControl: 'dedup_off',
      duplicates: 0.03,
      faults: async (ctx) => ctx.note('ingest dedup switched off; 3% duplicate deliveries'),
    },
    {
      name: 'control_commit_first',
      negativeControl: 'commit_before_insert',
      faults: async (ctx) => {
        await wait(quarter);
        await stopService('clickhouse', 1_000);
        try {
          // The journey commits each batch, then fails to insert it: its rows are never written.
          await wait(profile.outageMs);
        } finally {
          await startStack();
        }
        ctx.note('offsets committed before the insert, the insert not retried; ClickHouse down');
      },
    },
  ];
}
