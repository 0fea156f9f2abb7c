// The messages between the benchmark's main process and the process under measurement (one
// child process per consumer: B0, B1, B2, a hop of B3 / B4, the ingest stage, the journey stage),
// over Node IPC.

export type WorkerRole =
  'consume' | 'passthrough' | 'clickhouse' | 'relay' | 'ingest' | 'journey' | 'route' | 'state';

export interface WorkerArgs {
  role: WorkerRole;
  /** Messages (rows, for B2) after which the worker reports it is done; 0 = never (journey). */
  expected: number;
  /** Follow 1 / sampleEvery of the events for insert-acknowledgement latency (journey); 0 = off. */
  sampleEvery: number;
  /** B2: rows per pre-serialised insert body (B1's mean, so the ceiling uses the same insert size). */
  rowsPerInsert: number;
  /** B3 / B4 (role relay): this process's hop (1-based) of `hops`. */
  hop?: number;
  hops?: number;
}

export interface InsertStats {
  inserts: number;
  rows: number;
  seconds: number;
}

export interface StateStats {
  identifiers: number;
  persons: number;
  accounts: number;
  personStates: number;
  /** Serialised account state (serializeState), bytes. */
  stateBytesMean: number;
  stateBytesP99: number;
  stateBytesMax: number;
}

export interface BatchStats {
  count: number;
  meanMessages: number;
  meanMs: number;
  p99Ms: number;
}

export interface WorkerStats {
  role: WorkerRole;
  pid: number;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  /** Of the CPU above, what the process spent before it was ready (connect, its first group
   *  join): a fixed cost per process, apart from the cost per message. The restores after the join
   *  are not in it. */
  cpuToReadySeconds: number;
  rssBytes: number;
  heapUsedBytes: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  processed: number;
  firstAtMs: number | null;
  doneAtMs: number | null;
  inserts: Record<string, InsertStats>;
  state: StateStats | null;
  /** Consumed batches, from kafkajs's batch events (the stages only). */
  batches: BatchStats | null;
}

export type ToWorker = { type: 'stop' };

export type FromWorker =
  | { type: 'ready' }
  | {
      type: 'progress';
      processed: number;
      firstAtMs: number | null;
      doneAtMs: number | null;
      /** Last offset processed per "topic:partition" (journey: how far it read the canonical topic). */
      positions: Record<string, string>;
      acks: Array<[string, number]>;
    }
  | { type: 'final'; stats: WorkerStats }
  | { type: 'failed'; message: string };
