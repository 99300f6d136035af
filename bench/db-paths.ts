import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { ensureDatabase, migrate } from '../src/db/migrate.js';
import { createPrisma } from '../src/db/prisma.js';
import { createPool, createSqlClient } from '../src/db/sql.js';
import { create, createStatement, type JobRow, type NewJob, type SiteGuard } from '../src/jobs/jobs.repo.js';

/** The API's guard for an ordinary job: the site must be the org's and not deleted. */
const GUARD: SiteGuard = { allowDeleted: false, v7Only: false };
import { uuidToBase62 } from '../src/lib/ids.js';
import { printTable, writeResult } from './lib/report.js';

// The job-create statement through each database path, in one process, side by side
// (ARCHITECTURE.md, "Two database paths"): src/db/sql.ts (node-postgres, prepared statement), the
// same SQL through Prisma's $queryRawUnsafe on the same pg adapter, and Prisma's model API (a
// nested create of the job and its `created` event). 64 creates in flight over a pool of 10, each
// variant for SECONDS, twice, interleaved; throughput, latency and Node CPU per create.

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const IN_FLIGHT = 64;
const SITES = 1_000;

type Variant = { name: string; create: (job: NewJob, now: Date) => Promise<unknown> };

interface Row {
  target: string;
  rps: number;
  p50ms: number;
  p99ms: number;
  cpuUsPerOp: number;
}

function newJob(siteId: string): NewJob {
  const id = randomUUID();
  return {
    id,
    siteId,
    orgId: 'bench-org',
    token: uuidToBase62(id),
    idempotencyKey: randomUUID(),
    requestHash: 'bench',
    description: 'bench job',
    script: '/ip address add address=192.168.99.1/24 interface=ether2 comment="bench"',
    expressExecute: false,
    needsAck: true,
    shouldBackup: false,
    notifyUrl: null,
    leaseSeconds: 120,
    timeoutSeconds: 900,
  };
}

async function measure(v: Variant, siteIds: string[]): Promise<Row> {
  const latencies: number[] = [];
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const until = start + SECONDS * 1000;
  let n = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const t = performance.now();
      await v.create(newJob(siteIds[n++ % siteIds.length]!), new Date());
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return {
    target: v.name,
    rps: Math.round(latencies.length / elapsed),
    p50ms: at(0.5),
    p99ms: at(0.99),
    cpuUsPerOp: Math.round((cpu.user + cpu.system) / latencies.length),
  };
}

export async function dbPathsBench(): Promise<Row[]> {
  const url = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/tikops_bench_dbpaths_${randomBytes(4).toString('hex')}`;
  const databaseUrl = url.toString();
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  const pool = createPool({ databaseUrl, databasePoolSize: 10 });
  const db = createPrisma(pool);
  const sqlClient = createSqlClient(pool);
  try {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO site (id, org_id, name) SELECT gen_random_uuid(), 'bench-org', 'site ' || i FROM generate_series(1, $1) i RETURNING id`,
      [SITES],
    );
    const siteIds = rows.map((r) => r.id);
    const variants: Variant[] = [
      { name: 'sql.ts (node-postgres, prepared)', create: (job, now) => create(sqlClient, job, now, GUARD) },
      {
        name: 'Prisma $queryRawUnsafe, same SQL',
        create: (job, now) => {
          const s = createStatement(job, now, GUARD);
          return db.$queryRawUnsafe<JobRow[]>(s.text, ...s.values);
        },
      },
      {
        name: 'Prisma model API (nested create)',
        create: (job, now) => {
          const { siteId, rolloutId: _rolloutId, ...data } = job;
          return db.job.create({
            data: { ...data, createdAt: now, site: { connect: { id: siteId } }, events: { create: { type: 'created', attempt: 0, at: now } } },
          });
        },
      },
    ];
    for (const v of variants) await measure({ ...v }, siteIds).catch((err: unknown) => console.error(v.name, err)); // warm-up
    const results: Row[] = [];
    for (let round = 0; round < 2; round++) for (const v of variants) results.push(await measure(v, siteIds));
    // Best of the two rounds per variant (the machine is shared).
    return variants.map((v) => results.filter((r) => r.target === v.name).sort((a, b) => b.rps - a.rps)[0]!);
  } finally {
    await db.$disconnect();
    await pool.end();
    const admin = new URL(databaseUrl);
    const name = admin.pathname.slice(1);
    admin.pathname = '/postgres';
    const c = new pg.Client({ connectionString: admin.toString() });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  }
}

export async function main(): Promise<void> {
  const rows = await dbPathsBench();
  printTable(`job-create statement by database path: ${IN_FLIGHT} in flight, pool 10, best of 2 × ${SECONDS}s`, rows, [
    ['target', (r) => r.target],
    ['creates/s', (r) => String(r.rps)],
    ['p50 ms', (r) => r.p50ms.toFixed(2)],
    ['p99 ms', (r) => r.p99ms.toFixed(2)],
    ['CPU µs/create', (r) => String(r.cpuUsPerOp)],
  ]);
  writeResult('db-paths', { seconds: SECONDS, inFlight: IN_FLIGHT, rows });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
