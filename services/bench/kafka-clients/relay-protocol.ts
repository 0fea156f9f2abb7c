// What a relay worker (relay-kafkajs.ts, relay-platformatic.ts) is given and what it reports: the
// read-process-write loop every stage of the pipeline runs — read a fetch of one input topic with
// read_committed, write its messages to an output topic and commit the input offsets in the same
// Kafka transaction — with nothing else in the process, so its CPU is the client's.

export interface RelayTask {
  brokers: string[];
  input: string;
  output: string;
  groupId: string;
  transactionalId: string;
  /** The worker stops once this many messages were committed. */
  messages: number;
}

export interface RelayFigures {
  client: string;
  /** First message received -> last transaction committed. */
  seconds: number;
  /** The worker's user + system CPU over the same span. */
  cpuSeconds: number;
  messages: number;
  transactions: number;
  /** Group join -> first message (connections, join, first fetch). */
  startSeconds: number;
}

export function taskFromArgv(argv: readonly string[]): RelayTask {
  const raw = argv[2];
  if (!raw) throw new Error('usage: relay-<client>.ts <task json>');
  return JSON.parse(raw) as RelayTask;
}

/** Time and CPU from the first message on; `report` prints the figures as the worker's last line. */
export class RelayClock {
  readonly #client: string;
  readonly #createdAt = performance.now();
  #firstAt = 0;
  #cpuAtFirst: NodeJS.CpuUsage | null = null;
  messages = 0;
  transactions = 0;

  constructor(client: string) {
    this.#client = client;
  }

  firstMessage(): void {
    if (this.#cpuAtFirst) return;
    this.#firstAt = performance.now();
    this.#cpuAtFirst = process.cpuUsage();
  }

  committed(messages: number): void {
    this.messages += messages;
    this.transactions++;
  }

  report(): RelayFigures {
    const cpu = process.cpuUsage(this.#cpuAtFirst ?? undefined);
    const figures: RelayFigures = {
      client: this.#client,
      seconds: (performance.now() - this.#firstAt) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      messages: this.messages,
      transactions: this.transactions,
      startSeconds: (this.#firstAt - this.#createdAt) / 1000,
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return figures;
  }
}

/** A transaction's share of a batch: messages up to `maxBytes` of values (a fetch of one partition
 *  is at most 1 MB; the broker refuses a record batch over its message.max.bytes). */
export function takeUpTo<T extends { value?: Buffer | null }>(pending: T[], maxBytes: number): T[] {
  let bytes = 0;
  let n = 0;
  while (n < pending.length && (n === 0 || bytes + (pending[n]!.value?.length ?? 0) <= maxBytes)) {
    bytes += pending[n]!.value?.length ?? 0;
    n++;
  }
  return pending.splice(0, n);
}

export const TRANSACTION_BYTES = 1_000_000;
