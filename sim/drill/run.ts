import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ensureDatabase, migrate } from '../../src/db/migrate.js';
import { startFleet, prng } from '../fleet/fleet.js';
import { createOperator, type JobFlags } from '../fleet/operator.js';
import { startBalancer } from './balancer.js';
import { startLocalCluster, waitUntil } from '../redis-cluster.js';
import { startProc, startRedis, type Proc } from './processes.js';
import { startReceiver } from './receiver.js';

// The fault drill (issue 5): 3 API processes behind a balancer, 2 worker processes, simulated
// routers adopted through a runbook and running the real agent and wrappers, jobs with mixed flags
// and a notify_url receiver that fails a share of deliveries. Mid-run it SIGKILLs an API process,
// SIGKILLs a worker and restarts Redis empty. Afterwards: no job lost, none run twice, every job
// settled (or legitimately still queued), every webhook event delivered at least once.
// Sizes are environment-tunable; CI runs the defaults below within a few minutes.

const ROUTERS = Number(process.env.DRILL_ROUTERS ?? 1_000);
const JOBS_PER_ROUTER = Number(process.env.DRILL_JOBS_PER_ROUTER ?? 10);
const DEADLINE_MS = Number(process.env.DRILL_DEADLINE_S ?? 900) * 1000;
const BASE = Number(process.env.DRILL_PORT ?? 3940);
const REDIS_PORT = BASE + 451; // 4391 by default
const JWT_SECRET = 'drill-jwt-secret-0123456789abcdef0123456789';
/** A loaded machine (CI beside other work) can take a while to start an API process from source. */
const START_TIMEOUT_MS = 90_000;
const TERMINAL = new Set(['completed', 'failed', 'timed_out', 'cancelled']);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (msg: string): void => console.log(`[drill ${new Date().toISOString().slice(11, 19)}] ${msg}`);

const USAGE = `npm run drill [-- --cluster] [-- --help]

The fault drill: 3 API processes behind a balancer, 2 workers, simulated routers, jobs with mixed
flags and a webhook receiver; mid-run it kills an API process and a worker and restarts Redis empty,
then checks that no job was lost or run twice and every webhook event was delivered. Exits 0 if so.

Needs PostgreSQL (DATABASE_URL's server; a database of its own is created and dropped per run) and
redis-server on PATH (started on its own port; with --cluster, or DRILL_REDIS=cluster, a local
3-master Redis Cluster instead, all of whose nodes are killed and wiped where one Redis restarts).
Tuned by environment variables:
  DRILL_ROUTERS          simulated routers (default 1000)
  DRILL_JOBS_PER_ROUTER  jobs queued per router (default 10)
  DRILL_DEADLINE_S       seconds for every job to settle and every webhook event to arrive (default 900)
  DRILL_PORT             first of the ports it uses: balancer, APIs +1..+3, receiver +9, Redis +451 (default 3940)`;

// Unique per run: several drills (or a drill and the test suite) can share one server, and a run
// only ever drops the database it created.
const RUN = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const DB_NAME = `tikops_drill_${RUN}`;

const dbUrl = (() => {
  const u = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tikops');
  u.pathname = `/${DB_NAME}`;
  return u.toString();
})();

const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: 'development',
  LOG_LEVEL: 'error',
  DATABASE_URL: dbUrl,
  DATABASE_POOL_SIZE: '8',
  REDIS_PREFIX: `drill:${RUN}:`,
  PUBLIC_URL: `http://127.0.0.1:${BASE}`,
  JWT_SECRET,
  SIGNING_KEY: 'drill-signing-key-0123456789abcdef012345678',
  OUTBOUND_ALLOWLIST: '127.0.0.1/32',
  // Every simulated router adopts from 127.0.0.1 and one operator queues every job: a load drill, not a client to limit.
  RATE_LIMIT_ADDRESS_PER_MINUTE: '0',
  RATE_LIMIT_OPERATOR_PER_MINUTE: '0',
  JOB_LEASE_SECONDS: '8',
  JOB_TIMEOUT_SECONDS: '30',
  RECONCILE_INTERVAL_MS: '2000',
  TIMEOUT_SWEEP_INTERVAL_MS: '1000',
  WEBHOOK_BACKOFF_BASE_MS: '300',
  WORKER_METRICS_PORT: '0',
  HOST: '127.0.0.1',
};

/** The drill's private Redis: started, restarted empty mid-run, stopped. */
interface DrillRedis {
  url: string;
  restartEmpty(): Promise<void>;
  stop(): Promise<void>;
}

async function startDrillRedis(cluster: boolean): Promise<DrillRedis> {
  if (cluster) {
    const c = await startLocalCluster();
    log(`Redis Cluster of 3 masters on ports ${c.ports.join(', ')}`);
    return { url: c.url, restartEmpty: () => c.restartEmpty(), stop: () => c.stop() };
  }
  let redis = startRedis(REDIS_PORT);
  await sleep(300);
  return {
    url: `redis://127.0.0.1:${REDIS_PORT}`,
    async restartEmpty() {
      await redis.kill('SIGKILL');
      await sleep(1_000);
      redis = startRedis(REDIS_PORT);
    },
    // Its own redis-server, without persistence: the keys go with it.
    stop: () => redis.kill('SIGKILL'),
  };
}

async function freshDatabase(): Promise<void> {
  await ensureDatabase(dbUrl);
  await migrate(dbUrl);
}

/** Drops this run's own database (never a fixed name someone else may use). */
async function dropDatabase(): Promise<void> {
  const admin = new URL(dbUrl);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}

const api = (i: number, redisUrl: string): Proc =>
  startProc(`api${i}`, process.execPath, ['--import', 'tsx', 'src/main.ts'], { ...env, REDIS_URL: redisUrl, PORT: String(BASE + 1 + i) });
const worker = (i: number, redisUrl: string): Proc =>
  startProc(`worker${i}`, process.execPath, ['--import', 'tsx', 'workers/main.ts'], { ...env, REDIS_URL: redisUrl });
const up = (port: number) => async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;

function flagsFor(n: number, notifyUrl: string, random: () => number): JobFlags {
  const r = random();
  return {
    needsAck: r > 0.2,
    express: random() < 0.1,
    notifyUrl: random() < 0.3 ? notifyUrl : undefined,
  };
}

async function drill(cluster: boolean): Promise<boolean> {
  const random = prng(7);
  await freshDatabase();
  const redis = await startDrillRedis(cluster);
  const apis = [api(0, redis.url), api(1, redis.url), api(2, redis.url)];
  const workers = [worker(0, redis.url), worker(1, redis.url)];
  const closers: (() => Promise<void>)[] = [];
  try {
    for (let i = 0; i < 3; i++) await waitUntil(up(BASE + 1 + i), `api${i}`, START_TIMEOUT_MS);
    const balancer = await startBalancer(BASE, [BASE + 1, BASE + 2, BASE + 3]);
    closers.push(() => balancer.close());
    const receiver = await startReceiver(BASE + 9, 0.1, prng(11));
    closers.push(() => receiver.close());
    const operator = createOperator(balancer.url, JWT_SECRET, 'drill-org');
    const started = Date.now();
    const runbook = await operator.createRunbook('drill');
    const fleet = await startFleet({
      url: balancer.url,
      runbookToken: runbook.token,
      routers: ROUTERS,
      intervalMs: 5_000,
      seed: 3,
      faults: { dropRate: 0.02, rebootRate: 0.01, hangRate: 0.005 },
      idle: true,
    });
    log(`adopted ${ROUTERS} routers in ${((Date.now() - started) / 1000).toFixed(1)}s`);

    const sites = await operator.siteIds();
    if (sites.length !== ROUTERS) throw new Error(`expected ${ROUTERS} sites, the API lists ${sites.length}`);
    const created: { id: string; token: string; tag: string; needsAck: boolean }[] = [];
    const work = sites.flatMap((siteId) => Array.from({ length: JOBS_PER_ROUTER }, (_, i) => ({ siteId, i })));
    // The routers start working once the jobs are queued; the faults hit while they work.
    const faults = async (): Promise<void> => {
      await sleep(4_000);
      log('SIGKILL api0');
      await apis[0]!.kill('SIGKILL');
      balancer.setUpstreams([BASE + 2, BASE + 3]);
      await sleep(4_000);
      log('SIGKILL worker0');
      await workers[0]!.kill('SIGKILL');
      await sleep(4_000);
      log(cluster ? 'killing every Redis Cluster node and starting the cluster again empty' : 'restarting Redis empty');
      await redis.restartEmpty();
      await sleep(5_000);
      log('api0 and worker0 back');
      apis[0] = api(0, redis.url);
      workers[0] = worker(0, redis.url);
      await waitUntil(up(BASE + 1), 'api0 again', START_TIMEOUT_MS);
      balancer.setUpstreams([BASE + 1, BASE + 2, BASE + 3]);
    };
    for (let i = 0; i < work.length; i += 50) {
      const batch = await Promise.all(
        work.slice(i, i + 50).map(async ({ siteId, i: n }) => {
          const tag = `${siteId}-${n}-${randomUUID().slice(0, 8)}`;
          const flags = flagsFor(n, receiver.url, random);
          for (let tries = 0; ; tries++) {
            try {
              const job = await operator.createJob(siteId, tag, flags);
              return { id: job.id, token: job.token, tag, needsAck: flags.needsAck !== false };
            } catch (err) {
              // A 503 while Redis restarts or a connection cut by the killed API: retry with the same intent.
              if (tries > 20) throw err;
              await sleep(500);
            }
          }
        }),
      );
      created.push(...batch);
    }
    log(`created ${created.length} jobs in ${((Date.now() - started) / 1000).toFixed(1)}s; routers start`);
    fleet.start();
    await faults();

    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    let states = new Map<string, string>();
    for (;;) {
      const { rows } = await db.query<{ id: string; state: string }>('SELECT id, state::text FROM job');
      states = new Map(rows.map((r) => [r.id, r.state]));
      const open = created.filter((j) => !TERMINAL.has(states.get(j.id) ?? '')).length;
      const { rows: pend } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
      log(`open jobs ${open}, outbox ${pend[0]!.n}, webhooks accepted ${receiver.accepted.size}`);
      if ((open === 0 && pend[0]!.n === 0) || Date.now() - started > DEADLINE_MS) break;
      // Every job settled: the routers have nothing left to do, and their interpreters share this
      // process's CPU with the webhook receiver still taking the last events.
      if (open === 0) await fleet.stop();
      await sleep(3_000);
    }
    await fleet.stop();

    const { rows: events } = await db.query<{ id: string; job_id: string }>(
      `SELECT e.id::text, e.job_id FROM job_event e JOIN job j ON j.id = e.job_id
       WHERE j.notify_url IS NOT NULL AND e.type::text IN ('delivered','started','completed','failed','cancelled','timed_out')`,
    );
    const stuck = created.filter((j) => !TERMINAL.has(states.get(j.id) ?? '')).slice(0, 10);
    if (stuck.length > 0) {
      // What an unsettled job looked like at the end, to tell a slow drain from a lost dispatch.
      const { rows: detail } = await db.query(
        `SELECT j.id, j.site_id, j.state::text, j.attempt, j.created_at, j.delivered_at, s.last_seen_at, s.offline_since, s.identity
         FROM job j JOIN site s ON s.id = j.site_id WHERE j.id = ANY($1::uuid[])`,
        [stuck.map((j) => j.id)],
      );
      console.table(detail);
      // The stuck routers' own script log: why they stopped reaching tikops, as they saw it.
      for (const identity of new Set(detail.map((d: { identity: string | null }) => d.identity))) {
        const router = fleet.routers.find((r) => r.state.identity === identity);
        console.log(`log of ${String(identity)}:`, router?.state.log.slice(-12).map((l) => `${l.topic}: ${l.message}`) ?? 'not found');
      }
    }
    await db.end();
    const missingWebhooks = events.filter((e) => !receiver.accepted.has(`evt_${e.id}`));
    const lost = created.filter((j) => !states.has(j.id));
    const unsettled = created.filter((j) => !TERMINAL.has(states.get(j.id) ?? ''));
    const execByTag = new Map(created.map((j) => [j.tag, fleet.ledger.jobs.get(j.tag)?.executions ?? 0]));
    const ranTwice = created.filter((j) => (execByTag.get(j.tag) ?? 0) > 1);
    const completedNotRun = created.filter((j) => j.needsAck && states.get(j.id) === 'completed' && execByTag.get(j.tag) !== 1);
    const byState: Record<string, number> = {};
    for (const j of created) byState[states.get(j.id) ?? 'lost'] = (byState[states.get(j.id) ?? 'lost'] ?? 0) + 1;
    console.table({ ...fleet.ledger.summary(), jobs: created.length, webhookEvents: events.length, webhooksAccepted: receiver.accepted.size, seconds: Math.round((Date.now() - started) / 1000) });
    console.table(byState);
    const failures = [
      [lost.length, 'jobs lost'],
      [ranTwice.length, 'jobs run twice on a router'],
      [unsettled.length, 'jobs not settled by the deadline'],
      [completedNotRun.length, 'acknowledged jobs completed without exactly one run'],
      [missingWebhooks.length, 'webhook events never delivered'],
    ].filter(([n]) => (n as number) > 0);
    for (const [n, what] of failures) console.error(`DRILL FAILED: ${String(n)} ${String(what)}`);
    if (failures.length === 0) console.log('drill passed: nothing lost, nothing run twice, every event delivered');
    return failures.length === 0;
  } finally {
    await Promise.all([...apis, ...workers].map((p) => p.kill('SIGTERM')));
    for (const close of closers) await close();
    await redis.stop();
  }
}

/** The drill over a database of its own, dropped afterwards whatever happened. */
export async function runDrill(opts: { cluster?: boolean } = {}): Promise<boolean> {
  try {
    return await drill(opts.cluster ?? false);
  } finally {
    await dropDatabase().catch((err: unknown) => console.error(`could not drop ${DB_NAME}:`, err));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { help: { type: 'boolean', short: 'h' }, cluster: { type: 'boolean' } } });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const ok = await runDrill({ cluster: values.cluster === true || process.env.DRILL_REDIS === 'cluster' });
  process.exit(ok ? 0 : 1);
}
