// The external probe: while load runs, asks ClickHouse every `intervalMs` which of the sampled
// events still awaited are queryable (`journey_events` by event_id), as a dashboard would see
// them. A sighting is timed at the response, so this latency is an upper bound with the poll
// interval as its resolution.
import type { ClickHouseClient } from '@clickhouse/client';

// The ids travel as a query parameter in the URL: keep it well under the usual 16 KiB header limit.
const MAX_IDS_PER_PROBE = 120;

export class LatencyProbe {
  readonly producedAt = new Map<string, number>();
  readonly seenAt = new Map<string, number>();
  queries = 0;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly client: ClickHouseClient;
  private readonly database: string;
  private readonly intervalMs: number;

  constructor(client: ClickHouseClient, database: string, intervalMs = 250) {
    this.client = client;
    this.database = database;
    this.intervalMs = intervalMs;
  }

  follow(eventId: string, producedAtMs: number): void {
    if (this.producedAt.has(eventId)) return;
    this.producedAt.set(eventId, producedAtMs);
    this.pending.add(eventId);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.inFlight = this.inFlight.then(() => this.poll()).catch(() => undefined);
    }, this.intervalMs);
  }

  get waiting(): number {
    return this.pending.size;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.inFlight;
  }

  private async poll(): Promise<void> {
    if (this.pending.size === 0) return;
    const ids = [...this.pending].slice(0, MAX_IDS_PER_PROBE);
    this.queries++;
    const rows = await (
      await this.client.query({
        query: `SELECT DISTINCT event_id FROM ${this.database}.journey_events WHERE event_id IN {ids:Array(String)}`,
        query_params: { ids },
        format: 'JSONEachRow',
      })
    ).json<{ event_id: string }>();
    const at = Date.now();
    for (const { event_id } of rows) {
      if (this.pending.delete(event_id)) this.seenAt.set(event_id, at);
    }
  }
}
