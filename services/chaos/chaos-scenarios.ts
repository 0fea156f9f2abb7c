// The fault schedules of the fault-injection suite, for the full run (`make chaos`) and the
// reduced one inside `make test`. Each resolves when its last fault has ended; the runner then
// waits for the pipeline to drain and measures. The two negative controls break one guarantee on
// purpose (UNSAFE_NEGATIVE_CONTROL) and must fail the same checks.
import { createClickHouse } from '../shared/clickhouse/clickhouse-client.ts';
import { createKafka } from '../shared/kafka/kafka-client.ts';
import { storedEvents } from './chaos-oracle.ts';
import { Rng } from '../workload/prng.ts';
import { partitionOwners } from './partition-owner.ts';
import type { Role } from './pipeline-processes.ts';
import type { Scenario } from './chaos-run.ts';
import { freezeService, startStack, stopService, thawService } from './stack-control.ts';

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` gives a value (a condition, never a fixed delay); throws after `timeoutMs`. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`chaos: timed out waiting for ${what}`);
    await wait(250);
  }
}

type Ctx = Parameters<Scenario['faults']>[0];

/** The instances that own the stage's input partitions (the ingest: the behavior partition). */
const owners =
  (ctx: Ctx, role: Role = 'journey') =>
  async (): Promise<number[] | undefined> =>
    (await partitionOwners(
      createKafka(ctx.config, 'chaos-probe'),
      {
        journey: ctx.config.JOURNEY_GROUP_ID,
        route: ctx.config.ROUTE_GROUP_ID,
        ingest: ctx.config.INGEST_GROUP_ID,
      }[role],
      role,
      role === 'ingest' ? ctx.config.TOPIC_BEHAVIOR : undefined,
    )) ?? undefined;

/** One instance that owns input partitions of the stage. */
const owner =
  (ctx: Ctx, role: Role = 'journey') =>
  async (): Promise<number | undefined> =>
    (await owners(ctx, role)())?.[0];

/** The owner of the stage's input is stalled (SIGSTOP, not dead) until its session expires and the
 *  others own its partitions, then resumes in the middle of whatever it was doing — a fetch, a
 *  batch, an insert, a transaction — as a zombie. */
async function stallOwner(ctx: Ctx, role: Role, afterMs: number): Promise<void> {
  await wait(afterMs);
  const stalled = await until(`a ${role} owner`, owner(ctx, role));
  const pid = ctx.processes.pid(role, stalled)!;
  process.kill(pid, 'SIGSTOP');
  let standby: number[];
  try {
    standby = await until('the others to take over', async () => {
      const now = await owners(ctx, role)();
      return now !== undefined && now.length > 0 && !now.includes(stalled) ? now : undefined;
    });
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  ctx.note(
    `${role} ${stalled} stalled past the session timeout, ${role} ${standby.join(', ')} took over, the zombie resumed`,
  );
}

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
    events: 3_000,
    ratePerSecond: 500,
    killEveryMs: [2_000, 5_000],
    outageMs: 6_000,
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
  role: Role,
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
          // Partitioned: the route stage between them too.
          ...(ctx.config.JOURNEY_TOPOLOGY === 'partitioned'
            ? [killLoop(ctx, 'route', profile.killEveryMs, 3)]
            : []),
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
    { name: 'zombie_journey', journeys: 2, faults: (ctx) => stallOwner(ctx, 'journey', quarter) },
    { name: 'zombie_ingest', ingests: 2, faults: (ctx) => stallOwner(ctx, 'ingest', quarter) },
    {
      name: 'zombie_route',
      topology: 'partitioned',
      routes: 2,
      faults: (ctx) => stallOwner(ctx, 'route', quarter),
    },
    {
      name: 'journeys_join_leave',
      faults: async (ctx) => {
        await wait(quarter);
        ctx.processes.start('journey', 1);
        await wait(quarter);
        ctx.processes.start('journey', 2);
        await wait(quarter);
        // The owner leaves (SIGTERM), then another one: one instance is left.
        const first = await until('a journey owner', owner(ctx));
        await ctx.processes.terminate('journey', first);
        const second = await until('a new journey owner', async () => {
          const now = await owner(ctx)();
          return now !== undefined && now !== first ? now : undefined;
        });
        await ctx.processes.terminate('journey', second);
        ctx.note(`3 journey instances; the owner (${first}) left, then the next owner (${second})`);
      },
    },
    {
      name: 'control_dedup_off',
      negativeControl: 'dedup_off',
      duplicates: 0.03,
      faults: async (ctx) => ctx.note('ingest dedup switched off; 3% duplicate deliveries'),
    },
    {
      // The ingest as it was: one transactional id per instance, so the standby that takes the
      // partition over does not fence the zombie, which then commits its last batch a second time.
      name: 'control_zombie_unfenced',
      negativeControl: 'fence_by_instance',
      ingests: 2,
      faults: async (ctx) => {
        await stallOwner(ctx, 'ingest', quarter);
        ctx.note('ingest fenced by instance, not by partition');
      },
    },
    {
      name: 'control_commit_first',
      negativeControl: 'commit_before_insert',
      faults: async (ctx) => {
        await wait(quarter);
        // Only once the journey stored events: before its first batch, its restore filter asks
        // ClickHouse (and fails) first, so the naive writer would not be reached during the outage.
        const clickhouse = createClickHouse(ctx.config);
        try {
          await until('the first events stored', async () =>
            (await storedEvents(clickhouse)).events > 0 ? true : undefined,
          );
        } finally {
          await clickhouse.close();
        }
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
