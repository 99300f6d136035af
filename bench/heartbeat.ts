import { readdir, readFile } from 'node:fs/promises';
import pg from 'pg';
import type { RedisClient } from '../src/redis/client.js';
import { connect, disconnect } from '../src/runtime.js';
import { benchConfig, cleanupBench, envFor, seedFleet } from './lib/fleet.js';
import { pollLoad, runLoad, type LoadResult } from './lib/load.js';
import { printTable, writeResult } from './lib/report.js';
import { cpuMs, startNode } from './lib/servers.js';

// The heartbeat pipeline end to end (issue 10): polls at a fixed offered rate for BENCH_SECONDS
// (60) against one API process, with one worker process draining the samples stream into
// PostgreSQL, for each rate in BENCH_RATES. Every poll is made a sample (SAMPLE_INTERVAL_SECONDS=0),
// so the rate is the samples/s the drain must keep up with; production keeps one sample per site
// per 5 minutes, a tenth of its polls at a 30 s interval (README, "Sizing"). A rate is *bounded*
// when the un-drained backlog at its end is under BOUND_SECONDS of polls and no poll deferred its
// sample; its growth over the run's second half is printed beside it. Reported beside each rate:
// PostgreSQL rows written per second and the CPU each process spent, from which the README derives
// routers per worker, per API process and per PostgreSQL core.
//
//   npm run bench heartbeat                       (BENCH_RATES=1000,2000,4000,6000 BENCH_SECONDS=60)
//   BENCH_RATES=3000,5000 BENCH_SECONDS=30 npm run bench heartbeat

const RATES = (process.env.BENCH_RATES ?? '1000,2000,4000,6000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
/** Sites in the fleet: each polls about every SITES / rate seconds. */
const SITES = Number(process.env.BENCH_SITES ?? 100_000);
/** A rate is bounded when the drain ends it at most this many seconds of polls behind. */
const BOUND_SECONDS = 5;

interface Row {
  offered: number;
  polls: LoadResult;
  rowsPerSecond: number;
  backlogEnd: number;
  backlogMax: number;
  /** Backlog growth over the run's second half, entries per second (least squares). */
  growthPerSecond: number;
  deferred: number;
  bounded: boolean;
  /** Seconds the drain needed after the load stopped to empty the stream. */
  tailSeconds: number;
  cpu: { api: number; worker: number; postgres: number; redis: number };
}

/** CPU seconds a process has used; 0 for one that is gone (PostgreSQL backends come and go). */
function cpuSeconds(pid: number): number {
  try {
    return cpuMs(pid) / 1000;
  } catch {
    return 0;
  }
}

async function redisCpu(redis: RedisClient): Promise<number> {
  const info = await redis.info('cpu');
  const v = (k: string): number => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return v('used_cpu_user') + v('used_cpu_sys');
}

/** Least-squares slope of (t, y) pairs. */
function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const num = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

export async function heartbeatBench(): Promise<{ rows: Row[]; sites: number }> {
  const config = benchConfig(3930);
  const fleet = await seedFleet(config, SITES, 0);
  const env = envFor(config, { SAMPLE_INTERVAL_SECONDS: '0', WORKER_METRICS_PORT: '3931' });
  const api = await startNode(['--import', 'tsx', 'src/main.ts'], env, `${config.publicUrl}/healthz`);
  const worker = await startNode(['--import', 'tsx', 'workers/main.ts'], env, 'http://127.0.0.1:3931/healthz');
  const deps = await connect(config, 'worker');
  const db = new pg.Client({ connectionString: config.databaseUrl });
  await db.connect();
  // Every PostgreSQL process (backends come and go with pools; WAL writer and checkpointer count too):
  // on a quiet machine that is this run's database work.
  const pgCpu = async (): Promise<number> => {
    const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
    const comms = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')));
    const pg = pids.filter((_, i) => comms[i]!.trim() === 'postgres').map(Number);
    return pg.map(cpuSeconds).reduce((a, b) => a + b, 0);
  };
  const sampleRows = async (): Promise<number> => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM site_sample')).rows[0]!.n);
  const backlog = async (): Promise<number> => deps.fleet.streamLength();
  const rows: Row[] = [];
  try {
    const load = pollLoad(config.publicUrl, fleet.tokens, CONNECTIONS);
    // Warm-up: JIT, pools, and every site's first (inventory) sample written once, as in production.
    await runLoad({ ...load, durationSeconds: 5 });
    await waitDrained(backlog, 120_000);
    for (const rate of RATES) {
      const before = { rows: await sampleRows(), api: cpuSeconds(api.pid), worker: cpuSeconds(worker.pid), pg: await pgCpu(), redis: await redisCpu(deps.redis) };
      const started = Date.now();
      const trace: [number, number][] = [];
      let watching = true;
      const watch = (async () => {
        while (watching) {
          trace.push([(Date.now() - started) / 1000, await backlog()]);
          await new Promise((r) => setTimeout(r, 500));
        }
      })();
      const polls = await runLoad({ ...load, durationSeconds: SECONDS, ratePerSecond: rate });
      watching = false;
      await watch;
      const elapsed = (Date.now() - started) / 1000;
      const after = { rows: await sampleRows(), api: cpuSeconds(api.pid), worker: cpuSeconds(worker.pid), pg: await pgCpu(), redis: await redisCpu(deps.redis) };
      const backlogEnd = await backlog();
      const deferred = await deps.fleet.deferredCount();
      const tailStart = Date.now();
      await waitDrained(backlog, 300_000);
      const half = trace.filter(([t]) => t >= SECONDS / 2);
      const growthPerSecond = slope(half);
      rows.push({
        offered: rate,
        polls,
        rowsPerSecond: Math.round((after.rows - before.rows) / elapsed),
        backlogEnd,
        backlogMax: Math.max(...trace.map(([, n]) => n)),
        growthPerSecond: Math.round(growthPerSecond),
        deferred,
        // The drain kept within BOUND_SECONDS of the polls, and no poll had to defer its sample.
        bounded: backlogEnd <= polls.rps * BOUND_SECONDS && deferred === 0,
        tailSeconds: Math.round((Date.now() - tailStart) / 100) / 10,
        cpu: {
          api: (after.api - before.api) / elapsed,
          worker: (after.worker - before.worker) / elapsed,
          postgres: (after.pg - before.pg) / elapsed,
          redis: (after.redis - before.redis) / elapsed,
        },
      });
    }
  } finally {
    await db.end();
    await disconnect(deps);
    await worker.stop();
    await api.stop();
  }
  return { rows, sites: SITES };
}

async function waitDrained(backlog: () => Promise<number>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await backlog()) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 250));
}

/** Runs the benchmark, prints its table and writes its JSON. */
export async function main(): Promise<void> {
  const { rows, sites } = await heartbeatBench();
  const pct = (v: number): string => `${Math.round(v * 100)}%`;
  printTable(`heartbeat pipeline: ${sites} sites, every poll a sample, one API process + one worker, ${SECONDS}s per rate, ${CONNECTIONS} connections`, rows, [
    ['offered/s', (r) => String(r.offered)],
    ['polls/s', (r) => String(r.polls.rps)],
    ['p99 ms', (r) => r.polls.p99ms.toFixed(1)],
    ['non-2xx', (r) => String(r.polls.non2xx + r.polls.errors)],
    ['PG rows/s', (r) => String(r.rowsPerSecond)],
    ['backlog max', (r) => String(r.backlogMax)],
    ['growth/s', (r) => String(r.growthPerSecond)],
    ['bounded', (r) => (r.bounded ? 'yes' : 'NO')],
    ['tail s', (r) => String(r.tailSeconds)],
    ['API CPU', (r) => pct(r.cpu.api)],
    ['worker CPU', (r) => pct(r.cpu.worker)],
    ['PostgreSQL CPU', (r) => pct(r.cpu.postgres)],
    ['Redis CPU', (r) => pct(r.cpu.redis)],
  ]);
  const best = rows.filter((r) => r.bounded).sort((a, b) => b.polls.rps - a.polls.rps)[0];
  if (best) {
    // One sample per router per 5 minutes (SAMPLE_INTERVAL_SECONDS=300) is what production keeps.
    const perWorkerCore = (best.rowsPerSecond / Math.max(best.cpu.worker, 0.01)) * 300;
    const perPgCore = (best.rowsPerSecond / Math.max(best.cpu.postgres, 0.01)) * 300;
    const perApiCore = (best.polls.rps / Math.max(best.cpu.api, 0.01)) * 30;
    console.log(
      `highest bounded rate: ${best.polls.rps} samples/s (${best.rowsPerSecond} PostgreSQL rows/s). At one sample per router per 5 min and a poll every 30 s: ` +
        `about ${Math.round(perWorkerCore).toLocaleString('en')} routers per worker core, ${Math.round(perPgCore).toLocaleString('en')} per PostgreSQL core, ` +
        `${Math.round(perApiCore).toLocaleString('en')} per API core (polling with every poll sampled; fewer samples cost the API less).`,
    );
  } else {
    console.log('no rate was bounded: lower BENCH_RATES');
  }
  writeResult('heartbeat', { sites, seconds: SECONDS, connections: CONNECTIONS, rows, highestBounded: best?.polls.rps ?? null });
}

if (import.meta.url === `file://${process.argv[1]}`) await main().finally(cleanupBench);
