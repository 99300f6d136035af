import { loadavg } from 'node:os';
import jwt from 'jsonwebtoken';
import { BENCH_JWT_SECRET, benchConfig, cleanupBench, envFor, seedFleet } from './lib/fleet.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { machine, printTable, writeResult } from './lib/report.js';
import { cpuMs, LOAD_CPU, SERVER_CPU, startNode, type Server } from './lib/servers.js';

// Job creation (issue 10): tikops' POST /site/{id}/job (raw form, an operator JWT, every request
// a new idempotency key) beside a minimal node:http + pg reference running the same insert
// statement (bench/targets/create-reference.ts), one after the other in the same run, for each
// database pool size in BENCH_POOL_SIZES. Both get the same wrk load (servers and wrk on CPUs of
// their own, bench/lib/servers.ts); the CPU column is the server process's own CPU time (user +
// system, /proc) per created job.

const SITES = 1_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const POOL_SIZES = (process.env.BENCH_POOL_SIZES ?? '10,20,40').split(',').map(Number);
/** Optional: a checkout of another version of tikops (with its node_modules) measured beside this one, e.g. the code before a change. */
const BASELINE = process.env.BENCH_BASELINE;

export interface CreateRow extends LoadResult {
  target: string;
  pool: number;
  cpuUsPerJob: number;
}

type Load = Omit<Parameters<typeof runLoad>[0], 'url' | 'durationSeconds'>;

async function measure(server: Server, target: string, pool: number, load: () => Load, path: string): Promise<CreateRow> {
  const url = `${server.url}${path}`;
  // A warm-up (JIT, prepared statements, pool connections) on its own keys, then the measurement.
  await runLoad({ ...load(), url, durationSeconds: 2 });
  const cpu = cpuMs(server.pid);
  const r = await runLoad({ ...load(), url, durationSeconds: SECONDS });
  const created = r.requests - r.non2xx;
  return { target, pool, ...r, cpuUsPerJob: created > 0 ? Math.round(((cpuMs(server.pid) - cpu) * 1000) / created) : 0 };
}

export async function createBench(): Promise<CreateRow[]> {
  const config = benchConfig(3920);
  const fleet = await seedFleet(config, SITES, 0);
  const token = jwt.sign({ org: 'bench-org' }, BENCH_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
  // A fresh key prefix per load: wrk's counter restarts, and a replayed key is another code path.
  const load = (): Load => ({
    method: 'POST' as const,
    lines: fleet.siteIds,
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'text/plain',
      'X-Idempotency-Key': `${crypto.randomUUID().slice(0, 24)}{{n12}}`,
      'X-Description': 'bench job',
    },
    body: '/ip address add address=192.168.99.1/24 interface=ether2 comment="bench"',
    connections: CONNECTIONS,
    cpu: LOAD_CPU,
  });
  // wrk cannot substitute into the path, so one site takes all jobs; the per-site unique
  // (site_id, idempotency_key) index is what the insert has to check either way.
  const path = `/site/${fleet.siteIds[0]}/job`;
  const rows: CreateRow[] = [];
  for (const pool of POOL_SIZES) {
    // The rate limit stays on (one Redis call per request, as in production), set out of reach.
    const env = envFor(config, { DATABASE_POOL_SIZE: String(pool), RATE_LIMIT_OPERATOR_PER_MINUTE: '1000000' });
    if (BASELINE) {
      const before = await startNode(['--import', 'tsx', 'src/main.ts'], env, `${config.publicUrl}/healthz`, { cwd: BASELINE, cpu: SERVER_CPU });
      try {
        rows.push(await measure(before, `tikops at ${BASELINE}`, pool, load, path));
      } finally {
        await before.stop();
      }
    }
    const api = await startNode(['--import', 'tsx', 'src/main.ts'], env, `${config.publicUrl}/healthz`, { cpu: SERVER_CPU });
    try {
      rows.push(await measure(api, 'tikops POST /site/{id}/job', pool, load, path));
    } finally {
      await api.stop();
    }
    const ref = await startNode(['--import', 'tsx', 'bench/targets/create-reference.ts'], { ...env, PORT: '3921' }, 'http://127.0.0.1:3921/', { cpu: SERVER_CPU });
    try {
      rows.push(await measure(ref, 'node:http + pg, same SQL', pool, load, path));
    } finally {
      await ref.stop();
    }
  }
  return rows;
}

/** Runs the benchmark, prints its table and writes its JSON. */
export async function main(): Promise<void> {
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  const rows = await createBench();
  const m = machine();
  const reference = (pool: number): CreateRow | undefined => rows.find((r) => r.pool === pool && r.target.startsWith('node:http'));
  printTable(`job creation: ${CONNECTIONS} connections, ${SECONDS}s per target; ${m.cpus as number} × ${String(m.cpu)}, node ${String(m.node)}, load average at start ${load}`, rows, [
    ['target', (r) => r.target],
    ['pool', (r) => String(r.pool)],
    ['jobs/s', (r) => String(r.rps)],
    ['vs reference', (r) => `${Math.round((100 * r.rps) / (reference(r.pool)?.rps ?? r.rps))}%`],
    ['p50 ms', (r) => r.p50ms.toFixed(2)],
    ['p99 ms', (r) => r.p99ms.toFixed(2)],
    ['CPU µs/job', (r) => String(r.cpuUsPerJob)],
    ['non-2xx', (r) => String(r.non2xx)],
  ]);
  writeResult('create', { seconds: SECONDS, connections: CONNECTIONS, loadAverageAtStart: load, rows });
}

if (import.meta.url === `file://${process.argv[1]}`) await main().finally(cleanupBench);
