import { createServer, type Server, type ServerResponse } from 'node:http';
import { exposition } from '../src/metrics/metrics.service.js';
import { readiness, type Deps } from '../src/runtime.js';

/**
 * A worker process's small HTTP server on WORKER_METRICS_PORT (workers serve no API): `/metrics`
 * (Prometheus), `/healthz` (liveness: the process answers) and `/readyz` (PostgreSQL answers and
 * Redis is connected; 503 with the reason otherwise), for the container's health check.
 */
export function serveWorkerHttp(deps: Deps, port: number): Server {
  const send = (res: ServerResponse, status: number, body: unknown, type = 'application/json'): void => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) }).end(text);
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET') return send(res, 405, { status: 'method not allowed' });
    if (path === '/healthz') return send(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      return void readiness(deps).then((r) =>
        send(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', postgres: r.postgres, redis: r.redis }),
      );
    }
    if (path !== '/metrics') return send(res, 404, { status: 'not found' });
    exposition(deps, false).then(
      (m) => send(res, 200, m.body, m.contentType),
      (err: unknown) => {
        deps.log.warn({ err }, 'metrics scrape failed');
        send(res, 500, { status: 'metrics unavailable' });
      },
    );
  });
  return server.listen(port, deps.config.host);
}
