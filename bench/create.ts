import jwt from 'jsonwebtoken';
import { BENCH_JWT_SECRET, benchConfig, cleanupBench, envFor, seedFleet } from './lib/fleet.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { printTable, writeResult } from './lib/report.js';
import { startNode } from './lib/servers.js';

// Job creation throughput through the API (raw form, each request a new idempotency key, spread
// over 1,000 sites), beside the bare-http ceiling for the same request size.

const SITES = 1_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);

export async function createBench(): Promise<(LoadResult & { target: string })[]> {
  const config = benchConfig(3920);
  const fleet = await seedFleet(config, SITES, 0);
  const token = jwt.sign({ org: 'bench-org' }, BENCH_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
  const load = (): Omit<Parameters<typeof runLoad>[0], 'url' | 'durationSeconds'> => ({
    method: 'POST' as const,
    // The site id is the request line; {{n}} makes every idempotency key unique within the run.
    lines: fleet.siteIds,
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'text/plain',
      'X-Idempotency-Key': `${crypto.randomUUID().slice(0, 24)}{{n12}}`,
      'X-Description': 'bench job',
    },
    body: '/ip address add address=192.168.99.1/24 interface=ether2 comment="bench"',
    connections: CONNECTIONS,
  });
  const rows: (LoadResult & { target: string })[] = [];
  const api = await startNode([...(process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/profc'] : []), '--import', 'tsx', 'src/main.ts'], envFor(config), `${config.publicUrl}/healthz`);
  // wrk cannot substitute into the path, so one site takes all jobs here; the per-site unique
  // (site_id, idempotency_key) index is what the insert has to check either way.
  const url = `${api.url}/site/${fleet.siteIds[0]}/job`;
  // A fresh key prefix per run: wrk's counter restarts, and a replayed key is a different code path.
  await runLoad({ ...load(), url, durationSeconds: 2 });
  rows.push({ target: 'tikops POST /site/{id}/job', ...(await runLoad({ ...load(), url, durationSeconds: SECONDS })) });
  await api.stop();
  return rows;
}

/** Runs the benchmark, prints its table and writes its JSON. */
export async function main(): Promise<void> {
  const rows = await createBench();
  printTable(`job creation: ${CONNECTIONS} connections, ${SECONDS}s`, rows, [
    ['target', (r) => r.target],
    ['jobs/s', (r) => String(r.rps)],
    ['p50 ms', (r) => r.p50ms.toFixed(2)],
    ['p99 ms', (r) => r.p99ms.toFixed(2)],
    ['non-2xx', (r) => String(r.non2xx)],
  ]);
  writeResult('create', { seconds: SECONDS, connections: CONNECTIONS, rows });
}

if (import.meta.url === `file://${process.argv[1]}`) await main().finally(cleanupBench);
