import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { listBackups } from '../src/backups/backups.service.js';
import { loadConfig } from '../src/config.js';
import { ensureDatabase, migrate } from '../src/db/migrate.js';
import { sql } from '../src/db/sql.js';
import { listFaults } from '../src/fleet/health.service.js';
import { decodeKeyset } from '../src/lib/cursor.js';
import { connect, disconnect, type Deps } from '../src/runtime.js';
import { listSites, type SiteListQuery } from '../src/sites/sites.service.js';
import { printTable, writeResult } from './lib/report.js';

// The list queries of issue 9, item 1 against an organisation of 10,000 sites (beside another
// organisation of 10,000, so tenant scoping has to work): GET /site's first and a deep page, each
// filter alone and combined, and a page of one site's backups and faults (first and deep). Each
// query runs through its service (Prisma's query plus the presence read from Redis, i.e. the API
// minus HTTP), RUNS times after a warm-up, first with the migrations' indexes, then, side by side,
// with the filter indexes dropped (the indexes are why the numbers are small).
//
//   npm run bench site-lists        (BENCH_SITES=10000 BENCH_RUNS=50)

const SITES = Number(process.env.BENCH_SITES ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const ORG = 'bench-org';
/** Indexes added for the filters (prisma/migrations/*_site_organise); dropped for the second pass. */
const FILTER_INDEXES = [
  'site_tags_idx', 'site_org_id_software_version_idx', 'site_org_id_model_idx', 'site_org_id_offline_since_idx',
  'site_name_idx', 'site_identity_idx', 'site_fault_site_id_resolved_at_idx',
];

interface Query {
  name: string;
  run: (deps: Deps) => Promise<{ items: unknown[] }>;
}

interface Row {
  query: string;
  rows: number;
  p50ms: number;
  p99ms: number;
  p50NoIndexMs: number;
  p99NoIndexMs: number;
}

/** Two orgs of SITES sites each: tags, versions, models, identities; 5% offline with an open fault. */
async function seed(deps: Deps): Promise<{ busySite: string }> {
  for (const org of [ORG, 'noise-org']) {
    await deps.sql.rows(sql`
      INSERT INTO site (id, org_id, name, identity, model, software_version, serial_number, tags,
                        last_seen_at, offline_since, created_at, updated_at)
      SELECT gen_random_uuid(), ${org}, 'site-' || lpad(i::text, 5, '0'), 'router-' || i,
             (ARRAY['RB5009UG+S+','hAP ax2','hAP ax3','CCR2004-1G-12S+2XS','CHR','RB4011iGS+','hEX S','cAP ax','L009UiGS','CRS326'])[1 + i % 10],
             (ARRAY['7.16.2 (stable)','7.15.3 (stable)','7.14.3 (stable)','6.49.10 (long-term)','7.17 (testing)','7.12.1 (stable)','7.16.1 (stable)','6.48.6 (long-term)'])[1 + i % 8],
             'SN' || i,
             ARRAY['region-' || (i % 20), 'tier-' || (i % 3)] || CASE WHEN i % 100 = 0 THEN ARRAY['canary'] ELSE ARRAY[]::text[] END,
             now() - interval '10 seconds',
             CASE WHEN i % 20 = 0 THEN now() - interval '5 minutes' END,
             now() - make_interval(secs => ${SITES} - i), now()
      FROM generate_series(1, ${SITES}) i`);
  }
  await deps.sql.rows(sql`
    INSERT INTO site_fault (id, site_id, type, created_at)
    SELECT gen_random_uuid(), id, 'site_offline', offline_since FROM site WHERE offline_since IS NOT NULL`);
  await deps.sql.rows(sql`
    INSERT INTO site_fault (id, site_id, type, created_at, resolved_at)
    SELECT gen_random_uuid(), id, 'site_rebooted', now() - interval '1 day', now() - interval '1 day' FROM site`);
  // One busy site: 2,000 backups and 5,000 faults.
  const [busy] = await deps.sql.rows<{ id: string }>(sql`SELECT id::text FROM site WHERE org_id = ${ORG} ORDER BY created_at LIMIT 1`);
  const t0 = Math.floor(Date.now() / 1000) - 10_000;
  await deps.sql.rows(sql`
    INSERT INTO backup (path, site_id, size, sha256, content, created_at)
    SELECT ${busy!.id} || '/' || (${t0} + i) || '.rsc', ${busy!.id}::uuid, 5, repeat('0', 64), '\\x2f6578706f'::bytea, to_timestamp(${t0} + i)
    FROM generate_series(1, 2000) i`);
  await deps.sql.rows(sql`
    INSERT INTO site_fault (id, site_id, type, created_at, resolved_at)
    SELECT gen_random_uuid(), ${busy!.id}::uuid, 'site_rebooted', now() - make_interval(mins => i), now() - make_interval(mins => i)
    FROM generate_series(1, 5000) i`);
  await deps.sql.rows(sql`ANALYZE`);
  return { busySite: busy!.id };
}

/** The cursor after `skip` rows of a list, found by paging through it (not timed). */
async function cursorAfter(run: (cursor?: string) => Promise<{ nextCursor: string | null }>, skip: number, limit: number): Promise<string> {
  let cursor: string | undefined;
  for (let seen = 0; seen < skip; seen += limit) cursor = (await run(cursor)).nextCursor ?? undefined;
  if (cursor === undefined) throw new Error('list ended before the deep page');
  return cursor;
}

async function queries(deps: Deps, busySite: string): Promise<Query[]> {
  const page = (q: Partial<SiteListQuery>): Query['run'] => (d) => listSites(d, ORG, { limit: 100, ...q });
  const key = (c: string): SiteListQuery['cursor'] => decodeKeyset(c)!;
  const deepSites = await cursorAfter(async (c) => listSites(deps, ORG, { limit: 500, cursor: c ? key(c) : undefined }), SITES / 2, 500);
  const deepBackups = await cursorAfter(async (c) => listBackups(deps, ORG, busySite, { limit: 100, cursor: c ? key(c) : undefined }), 1_500, 100);
  const deepFaults = await cursorAfter(async (c) => listFaults(deps, ORG, busySite, { limit: 100, cursor: c ? key(c) : undefined, status: null }), 4_000, 100);
  return [
    { name: 'GET /site (first page)', run: page({}) },
    { name: `GET /site (page after ${SITES / 2})`, run: page({ cursor: key(deepSites) }) },
    { name: 'tag=region-7 (5%)', run: page({ tag: 'region-7' }) },
    { name: 'tag=canary (1%)', run: page({ tag: 'canary' }) },
    { name: 'status=online', run: page({ status: 'online' }) },
    { name: 'status=offline (5%)', run: page({ status: 'offline' }) },
    { name: 'version=6.49.10 (12.5%)', run: page({ version: '6.49.10' }) },
    { name: 'model=CHR (10%)', run: page({ model: 'CHR' }) },
    { name: 'q=site-0999 (name prefix, 10)', run: page({ q: 'site-0999' }) },
    { name: 'q=router-4242 (identity prefix)', run: page({ q: 'router-4242' }) },
    { name: 'q=SITE-1 (broad prefix)', run: page({ q: 'SITE-1' }) },
    { name: 'has_open_fault=true (5%)', run: page({ has_open_fault: true }) },
    { name: 'has_open_fault=false', run: page({ has_open_fault: false }) },
    { name: 'tag=canary&status=online&version=7.16.2', run: page({ tag: 'canary', status: 'online', version: '7.16.2' }) },
    { name: 'backups of a site (first page of 2,000)', run: (d) => listBackups(d, ORG, busySite, { limit: 100 }) },
    { name: 'backups of a site (page after 1,500)', run: (d) => listBackups(d, ORG, busySite, { limit: 100, cursor: key(deepBackups) }) },
    { name: 'faults of a site (first page of 5,001)', run: (d) => listFaults(d, ORG, busySite, { limit: 100, status: null }) },
    { name: 'faults of a site (page after 4,000)', run: (d) => listFaults(d, ORG, busySite, { limit: 100, cursor: key(deepFaults), status: null }) },
  ];
}

async function time(deps: Deps, q: Query): Promise<{ rows: number; p50: number; p99: number }> {
  const { items } = await q.run(deps);
  for (let i = 0; i < 5; i++) await q.run(deps); // warm-up: plans cached, pages in memory
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await q.run(deps);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const at = (p: number): number => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!;
  return { rows: items.length, p50: at(0.5), p99: at(0.99) };
}

async function setup(): Promise<{ deps: Deps; drop: () => Promise<void> }> {
  const url = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/tikops_bench_lists_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(url.toString());
  await migrate(url.toString());
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: url.toString(), REDIS_PREFIX: `tikops-bench-lists:${randomBytes(4).toString('hex')}:` });
  const deps = await connect(config, 'api');
  const drop = async (): Promise<void> => {
    await disconnect(deps);
    const admin = new URL(url);
    admin.pathname = '/postgres';
    const c = new pg.Client({ connectionString: admin.toString() });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${url.pathname.slice(1)}" WITH (FORCE)`);
    await c.end();
  };
  return { deps, drop };
}

export async function siteListsBench(): Promise<Row[]> {
  const { deps, drop } = await setup();
  try {
    const { busySite } = await seed(deps);
    const list = await queries(deps, busySite);
    const indexed = [];
    for (const q of list) indexed.push(await time(deps, q));
    const admin = new pg.Client({ connectionString: deps.config.databaseUrl });
    await admin.connect();
    for (const ix of FILTER_INDEXES) await admin.query(`DROP INDEX "${ix}"`);
    await admin.query('ANALYZE');
    await admin.end();
    const rows: Row[] = [];
    for (const [i, q] of list.entries()) {
      const without = await time(deps, q);
      const w = indexed[i]!;
      rows.push({ query: q.name, rows: w.rows, p50ms: w.p50, p99ms: w.p99, p50NoIndexMs: without.p50, p99NoIndexMs: without.p99 });
    }
    return rows;
  } finally {
    await drop();
  }
}

export async function main(): Promise<void> {
  const rows = await siteListsBench();
  printTable(`List queries over ${SITES.toLocaleString()} sites (+ ${SITES.toLocaleString()} in another org), limit 100, ${RUNS} runs each, service call (Prisma + Redis presence)`, rows, [
    ['query', (r) => r.query],
    ['rows', (r) => String(r.rows)],
    ['p50 ms', (r) => r.p50ms.toFixed(2)],
    ['p99 ms', (r) => r.p99ms.toFixed(2)],
    ['p50 ms, no filter indexes', (r) => r.p50NoIndexMs.toFixed(2)],
    ['p99 ms, no filter indexes', (r) => r.p99NoIndexMs.toFixed(2)],
  ]);
  writeResult('site-lists', { sites: SITES, runs: RUNS, droppedForComparison: FILTER_INDEXES, rows });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
