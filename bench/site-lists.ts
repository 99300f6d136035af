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
// minus HTTP), and its list statement (the SQL Prisma sent, captured at the pool) once more under
// EXPLAIN ANALYZE for PostgreSQL's own execution time. Side by side: the same data in a second
// database without the filter indexes, the two timed alternately (run by run) so that load on a
// shared machine falls on both alike.
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
  /** Median EXPLAIN ANALYZE execution time of the list statement. */
  dbMs: number;
  dbNoIndexMs: number;
  /** The plan's index scans (names), or `Seq Scan`. */
  plan: string;
  planNoIndex: string;
}

interface Statement {
  text: string;
  values: unknown[];
}

// Every statement Prisma sends goes through pg.Pool#query (@prisma/adapter-pg); while `capture`
// is set, the ones a list query sends are kept.
let capture: Statement[] | null = null;
const proto = pg.Pool.prototype as unknown as { query: (this: pg.Pool, ...args: unknown[]) => unknown };
const poolQuery = proto.query;
proto.query = function (this: pg.Pool, ...args: unknown[]): unknown {
  const a = args[0] as { text?: string; values?: unknown[] } | string;
  if (capture !== null && typeof a === 'object' && typeof a.text === 'string') capture.push({ text: a.text, values: a.values ?? [] });
  return poolQuery.apply(this, args);
};

/** The list statement a query sends: its last one with an ORDER BY. */
async function listStatement(deps: Deps, q: Query): Promise<Statement> {
  capture = [];
  try {
    await q.run(deps);
    const st = capture.filter((c) => /ORDER BY/i.test(c.text)).at(-1);
    if (!st) throw new Error(`${q.name}: no list statement captured`);
    return st;
  } finally {
    capture = null;
  }
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function scans(n: PlanNode, out: Set<string>): Set<string> {
  if (n['Index Name']) out.add(n['Index Name']);
  else if (n['Node Type'] === 'Seq Scan') out.add('Seq Scan');
  for (const c of n.Plans ?? []) scans(c, out);
  return out;
}

/** Median execution time (ms) of `st` under EXPLAIN ANALYZE over 15 runs, and the scans of its plan. */
async function explain(url: string, st: Statement): Promise<{ ms: number; plan: string }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const ms: number[] = [];
    let plan = '';
    for (let i = 0; i < 15; i++) {
      const { rows } = await c.query<{ 'QUERY PLAN': [{ 'Execution Time': number; Plan: PlanNode }] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${st.text}`,
        st.values,
      );
      const [doc] = rows[0]!['QUERY PLAN'];
      ms.push(doc['Execution Time']);
      plan = [...scans(doc.Plan, new Set())].join(' + ');
    }
    return { ms: quantile(ms, 0.5), plan };
  } finally {
    await c.end();
  }
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
    { name: 'q=SITE-01 (prefix of 1,000 names)', run: page({ q: 'SITE-01' }) },
    { name: 'has_open_fault=true (5%)', run: page({ has_open_fault: true }) },
    { name: 'has_open_fault=false', run: page({ has_open_fault: false }) },
    { name: 'tag=canary&status=offline&version=7.16.2', run: page({ tag: 'canary', status: 'offline', version: '7.16.2' }) },
    { name: 'backups of a site (first page of 2,000)', run: (d) => listBackups(d, ORG, busySite, { limit: 100 }) },
    { name: 'backups of a site (page after 1,500)', run: (d) => listBackups(d, ORG, busySite, { limit: 100, cursor: key(deepBackups) }) },
    { name: 'faults of a site (first page of 5,001)', run: (d) => listFaults(d, ORG, busySite, { limit: 100, status: null }) },
    { name: 'faults of a site (page after 4,000)', run: (d) => listFaults(d, ORG, busySite, { limit: 100, cursor: key(deepFaults), status: null }) },
  ];
}

const quantile = (ms: number[], p: number): number => {
  const sorted = [...ms].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
};

async function timed(deps: Deps, q: Query): Promise<number> {
  const t = performance.now();
  await q.run(deps);
  return performance.now() - t;
}

/** RUNS timings of one query in each database, alternating, after a warm-up (plans cached, pages in memory). */
async function compare(a: { deps: Deps; q: Query }, b: { deps: Deps; q: Query }): Promise<Row> {
  const { items } = await a.q.run(a.deps);
  const { items: itemsB } = await b.q.run(b.deps);
  if (items.length !== itemsB.length) throw new Error(`${a.q.name}: ${items.length} rows with indexes, ${itemsB.length} without`);
  for (let i = 0; i < 5; i++) await Promise.all([a.q.run(a.deps), b.q.run(b.deps)]);
  const with_: number[] = [];
  const without: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    with_.push(await timed(a.deps, a.q));
    without.push(await timed(b.deps, b.q));
  }
  const dbA = await explain(a.deps.config.databaseUrl, await listStatement(a.deps, a.q));
  const dbB = await explain(b.deps.config.databaseUrl, await listStatement(b.deps, b.q));
  return {
    query: a.q.name,
    rows: items.length,
    p50ms: quantile(with_, 0.5),
    p99ms: quantile(with_, 0.99),
    p50NoIndexMs: quantile(without, 0.5),
    p99NoIndexMs: quantile(without, 0.99),
    dbMs: dbA.ms,
    dbNoIndexMs: dbB.ms,
    plan: dbA.plan,
    planNoIndex: dbB.plan,
  };
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
  const indexed = await setup();
  const bare = await setup();
  try {
    const [a, b] = await Promise.all([seed(indexed.deps), seed(bare.deps)]);
    const admin = new pg.Client({ connectionString: bare.deps.config.databaseUrl });
    await admin.connect();
    for (const ix of FILTER_INDEXES) await admin.query(`DROP INDEX "${ix}"`);
    await admin.query('ANALYZE');
    await admin.end();
    const qa = await queries(indexed.deps, a.busySite);
    const qb = await queries(bare.deps, b.busySite);
    const rows: Row[] = [];
    for (const [i, q] of qa.entries()) rows.push(await compare({ deps: indexed.deps, q }, { deps: bare.deps, q: qb[i]! }));
    return rows;
  } finally {
    await indexed.drop();
    await bare.drop();
  }
}

export async function main(): Promise<void> {
  const rows = await siteListsBench();
  printTable(
    `List queries over ${SITES.toLocaleString()} sites (+ ${SITES.toLocaleString()} in another org), limit 100: service call (Prisma + Redis presence, ${RUNS} runs) and PostgreSQL execution (EXPLAIN ANALYZE, median of 15), with and without the filter indexes`,
    rows,
    [
      ['query', (r) => r.query],
      ['rows', (r) => String(r.rows)],
      ['call p50 ms', (r) => r.p50ms.toFixed(1)],
      ['call p99 ms', (r) => r.p99ms.toFixed(1)],
      ['db ms', (r) => r.dbMs.toFixed(2)],
      ['scans', (r) => r.plan],
      ['| no idx: call p50', (r) => r.p50NoIndexMs.toFixed(1)],
      ['call p99', (r) => r.p99NoIndexMs.toFixed(1)],
      ['db ms', (r) => r.dbNoIndexMs.toFixed(2)],
      ['scans', (r) => r.planNoIndex],
    ],
  );
  writeResult('site-lists', { sites: SITES, runs: RUNS, indexesMissingInComparison: FILTER_INDEXES, rows });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
