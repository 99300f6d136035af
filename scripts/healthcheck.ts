// The container health check: `node dist/scripts/healthcheck.js <api|worker> [healthz|readyz]`
// asks this container's own process — the API on PORT, a worker on WORKER_METRICS_PORT (its small
// HTTP server, workers/http.ts) — and exits 0 if it answers 200 within 3 s.

const [role = 'api', probe = 'healthz'] = process.argv.slice(2);
if (!['api', 'worker'].includes(role) || !['healthz', 'readyz'].includes(probe)) {
  console.error('usage: healthcheck.js <api|worker> [healthz|readyz]');
  process.exit(2);
}
const port = role === 'api' ? (process.env.PORT ?? '3000') : (process.env.WORKER_METRICS_PORT ?? '9464');
try {
  const res = await fetch(`http://127.0.0.1:${port}/${probe}`, { signal: AbortSignal.timeout(3_000) });
  if (!res.ok) console.error(`${role} /${probe}: HTTP ${res.status} ${await res.text()}`);
  process.exit(res.ok ? 0 : 1);
} catch (err) {
  console.error(`${role} /${probe} on port ${port}: ${(err as Error).message}`);
  process.exit(1);
}
