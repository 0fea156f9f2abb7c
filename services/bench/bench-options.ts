// `make bench` flags, parsed and validated once: every problem reported together.
//   --events N          raw messages generated once and drained by every consumer (default 300000)
//   --runs N            repetitions of every measurement; figures are the median with min and max (3)
//   --profile P         workload profile (bench)
//   --seed N            workload seed (42)
//   --latency-seconds S length of each paced phase (latency at 50 %, sustained-rate check) (20)
//   --identities N      identifiers for the identity-graph memory figure (1000000)
//   --state-events N    events for the stage-state memory figure (1000000; ~2.5M reach 1M identifiers)
//   --cpu-prof          write V8 CPU profiles of the ingest, journey (state) and route processes (and a summary)
//   --out DIR           report folder (default .local/bench/<timestamp>)
//   --drain-only        skip the paced phases (sustained, latency, burst): quick design experiments
//   --node-flags "F"    extra Node flags for the stage processes: ingest, journey, route, state (e.g. GC tuning)
//   --keep              keep the benchmark's topics and databases (default: removed at the end)
//   --quick             a smoke run: tiny sizes, one run, short phases (the harness's own test)
//   --partitioned N     also drain with JOURNEY_TOPOLOGY=partitioned: route + 1..N state processes

export interface BenchOptions {
  events: number;
  runs: number;
  profile: string;
  seed: number;
  latencySeconds: number;
  identities: number;
  stateEvents: number;
  cpuProf: boolean;
  out: string | null;
  keep: boolean;
  drainOnly: boolean;
  nodeFlags: string[];
  quick: boolean;
  /** Also drain the partitioned topology with 1..N state processes (0: not). */
  partitioned: number;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  events: 300_000,
  runs: 3,
  profile: 'bench',
  seed: 42,
  latencySeconds: 20,
  identities: 1_000_000,
  stateEvents: 1_000_000,
  cpuProf: false,
  out: null,
  keep: false,
  drainOnly: false,
  nodeFlags: [],
  quick: false,
  partitioned: 0,
};

export const QUICK_OPTIONS: Partial<BenchOptions> = {
  events: 3_000,
  runs: 1,
  latencySeconds: 3,
  identities: 20_000,
  stateEvents: 10_000,
};

const NUMERIC = {
  '--events': 'events',
  '--runs': 'runs',
  '--seed': 'seed',
  '--latency-seconds': 'latencySeconds',
  '--identities': 'identities',
  '--state-events': 'stateEvents',
  '--partitioned': 'partitioned',
} as const;

export type ParsedOptions = { ok: true; options: BenchOptions } | { ok: false; problems: string[] };

export function parseBenchArgs(args: readonly string[]): ParsedOptions {
  const problems: string[] = [];
  const given: Partial<BenchOptions> = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    if (flag === '--quick') given.quick = true;
    else if (flag === '--cpu-prof') given.cpuProf = true;
    else if (flag === '--keep') given.keep = true;
    else if (flag === '--drain-only') given.drainOnly = true;
    else if (flag === '--node-flags') {
      const value = args[++i];
      if (value === undefined) problems.push('--node-flags: a value is required');
      else given.nodeFlags = value.split(/\s+/).filter((f) => f.length > 0);
    } else if (flag === '--profile' || flag === '--out') {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) problems.push(`${flag}: a value is required`);
      else if (flag === '--profile') given.profile = value;
      else given.out = value;
    } else if (flag in NUMERIC) {
      const value = Number(args[++i]);
      const field = NUMERIC[flag as keyof typeof NUMERIC];
      const min = field === 'seed' || field === 'partitioned' ? 0 : 1;
      if (!Number.isInteger(value) || value < min)
        problems.push(`${flag}: an integer >= ${min} is required, got ${String(args[i])}`);
      else given[field] = value;
    } else problems.push(`unknown flag ${flag}`);
  }
  if (problems.length > 0) return { ok: false, problems };
  const options = { ...DEFAULT_OPTIONS, ...(given.quick ? QUICK_OPTIONS : {}), ...given };
  return { ok: true, options };
}
