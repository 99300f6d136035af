import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config.js';
import { ensureDatabase, migrate } from '../src/db/migrate.js';
import { drainSamples } from '../src/fleet/samples.service.js';
import { connect, disconnect, type Deps } from '../src/runtime.js';
import { printTable, writeResult } from './lib/report.js';

// The heartbeat write path: N polls' samples go into the Redis stream through the real poll
// script (pop-next), then the real drain (src/fleet/samples.service.ts) moves them into
// PostgreSQL; we time each phase and report samples per second, for several batch sizes.
// Poll times advance as a fleet polling every 30 s would (each site once per 30 s), so the drain
// refreshes last_seen_at as often as in production (every 5th heartbeat of a site); a warm-up
// round first writes every site's inventory, which production does once per router.
//
//   npx tsx bench/samples-drain.ts                 (BENCH_SAMPLES=100000 BENCH_SITES=10000)
//   BENCH_SAMPLES=200000 BENCH_SITES=100000 npx tsx bench/samples-drain.ts

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100_000);
const SITES = Number(process.env.BENCH_SITES ?? 10_000);
const BATCHES = (process.env.BENCH_BATCHES ?? '500,1000,2000').split(',').map(Number);
/** What the poll path keeps of a typical heartbeat; every router has its own serial number. */
const facts = (site: number): string =>
  JSON.stringify({
    name: `branch-router-${site}`, 'serial-number': `HG409${site}`, model: 'C53UiG+5HPaxD2HPaxD', 'board-name': 'hAP ax3',
    version: '7.16.2 (stable)', 'architecture-name': 'arm64', 'cpu-load': '7', 'free-memory': '850000000',
    'total-memory': '1073741824', 'free-hdd-space': '98000000', uptime: '1d02:15:38',
  });

interface Row {
  batch: number;
  samples: number;
  appendSeconds: number;
  appendPerSecond: number;
  drainSeconds: number;
  samplesPerSecond: number;
}

async function setup(): Promise<{ deps: Deps; sites: string[]; drop: () => Promise<void> }> {
  const url = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tikops');
  url.pathname = `/tikops_bench_drain_${Date.now()}`;
  await ensureDatabase(url.toString());
  await migrate(url.toString());
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: url.toString(), REDIS_PREFIX: `tikops-bench-drain:${randomBytes(4).toString('hex')}:` });
  const deps = await connect(config, 'worker');
  const rows = await deps.db.$queryRaw<{ id: string }[]>`
    INSERT INTO site (id, org_id, name) SELECT gen_random_uuid(), 'bench', 'r' || g FROM generate_series(1, ${SITES}) g RETURNING id::text`;
  const sites = rows.map((r) => r.id);
  for (let i = 0; i < sites.length; i += 1_000) await Promise.all(sites.slice(i, i + 1_000).map((id) => deps.dispatch.registerSite(id, 1, 'bench')));
  const drop = async (): Promise<void> => {
    const keys = await deps.redis.keys(`${config.redisPrefix}*`);
    for (let i = 0; i < keys.length; i += 1_000) await deps.redis.del(...keys.slice(i, i + 1_000));
    await disconnect(deps);
    const admin = new URL(url);
    admin.pathname = '/postgres';
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${url.pathname.slice(1)}" WITH (FORCE)`);
    await client.end();
  };
  return { deps, sites, drop };
}

const STEP_MS = 30_000 / SITES;

/** Appends `count` polls' samples through the poll script, 500 in flight; returns seconds taken. */
async function append(deps: Deps, sites: string[], base: number, count = SAMPLES): Promise<number> {
  const hb = sites.map((_, i) => facts(i));
  const t0 = performance.now();
  for (let i = 0; i < count; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, count - i) }, (_, k) =>
        // Every poll becomes a sample (interval 0): this measures the drain, not the sampling.
        deps.dispatch.popNext(sites[(i + k) % sites.length]!, 1, Math.round(base + (i + k) * STEP_MS), { defaultLeaseSeconds: 120_000, sampleIntervalMs: 0, sampleStreamMax: 100_000_000 }, {
          from: '198.51.100.7',
          uptimeSeconds: 94538 + i + k,
          facts: hb[(i + k) % sites.length]!,
          inventory: '',
          lastJob: null,
        }),
      ),
    );
  }
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const { deps, sites, drop } = await setup();
  const rows: Row[] = [];
  try {
    let base = Date.now();
    await append(deps, sites, base, sites.length);
    await drainSamples(deps, { budgetMs: 3_600_000 });
    base += 30_000;
    for (const batch of BATCHES) {
      const appendSeconds = await append(deps, sites, base);
      base += SAMPLES * STEP_MS;
      const t0 = performance.now();
      const report = await drainSamples(deps, { budgetMs: 3_600_000, batch });
      const drainSeconds = (performance.now() - t0) / 1000;
      if (report.inserted !== SAMPLES) throw new Error(`drained ${report.inserted} of ${SAMPLES} samples`);
      rows.push({ batch, samples: SAMPLES, appendSeconds, appendPerSecond: Math.round(SAMPLES / appendSeconds), drainSeconds, samplesPerSecond: Math.round(SAMPLES / drainSeconds) });
    }
  } finally {
    await drop();
  }
  printTable(`Heartbeat write path: ${SAMPLES} samples over ${SITES} sites (poll script → stream → drain → PostgreSQL)`, rows, [
    ['batch', (r) => String(r.batch)],
    ['samples', (r) => String(r.samples)],
    ['append s', (r) => r.appendSeconds.toFixed(2)],
    ['appends/s', (r) => String(r.appendPerSecond)],
    ['drain s', (r) => r.drainSeconds.toFixed(2)],
    ['samples/s', (r) => String(r.samplesPerSecond)],
  ]);
  writeResult(SITES === 10_000 ? 'samples-drain' : `samples-drain-${SITES}-sites`, { samples: SAMPLES, sites: SITES, rows });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
