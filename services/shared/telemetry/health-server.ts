// /healthz (the process is alive), /readyz (dependencies reachable and state restored) and
// /metrics (Prometheus text format) for every service.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Registry } from 'prom-client';

export type ReadinessProbe = () => Promise<{ ready: boolean; detail: Record<string, string> }>;

export function startHealthServer(
  port: number,
  registry: Registry,
  readiness: ReadinessProbe,
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      readiness().then(
        ({ ready, detail }) =>
          res
            .writeHead(ready ? 200 : 503, { 'Content-Type': 'application/json' })
            .end(JSON.stringify({ ready, ...detail })),
        (err: unknown) => res.writeHead(503).end(JSON.stringify({ ready: false, error: String(err) })),
      );
    } else if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve(server));
  });
}
