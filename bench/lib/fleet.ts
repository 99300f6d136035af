import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.js';
import { ensureDatabase, migrate } from '../../src/db/migrate.js';
import { createKeys } from '../../src/redis/keys.js';
import { createDeviceTokens } from '../../src/tokens/device-token.js';

// Seeds a benchmark fleet straight into PostgreSQL and Redis (the API would take minutes to
// create 100,000 sites one by one), in exactly the shape the API itself writes.

export const BENCH_SIGNING_KEY = 'bench-signing-key-0123456789abcdef0123456789';
export const BENCH_JWT_SECRET = 'bench-jwt-secret-0123456789abcdef0123456789ab';

/**
 * This run's database name and Redis prefix: unique, so benchmarks can share a server with other
 * runs and the test suite, and a run only ever drops what it created (cleanupBench).
 */
const RUN = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const used = new Map<string, Readonly<Config>>();

/** The configuration of this run's bench database and Redis prefix, with the API on `port`. */
export function benchConfig(port: number): Readonly<Config> {
  const url = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tikops');
  url.pathname = `/tikops_bench_${RUN}`;
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: url.toString(),
    REDIS_PREFIX: `tikops-bench:${RUN}:`,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    JWT_SECRET: BENCH_JWT_SECRET,
    SIGNING_KEY: BENCH_SIGNING_KEY,
  });
  used.set(config.databaseUrl, config);
  return config;
}

/** Drops this run's database and deletes its Redis keys (call once the benchmarks are done). */
export async function cleanupBench(): Promise<void> {
  for (const config of used.values()) {
    const admin = new URL(config.databaseUrl);
    const dbName = admin.pathname.slice(1);
    admin.pathname = '/postgres';
    const a = new pg.Client({ connectionString: admin.toString() });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).finally(() => a.end());
    const redis = new Redis(config.redisUrl);
    const keys = await redis.keys(`${config.redisPrefix}*`);
    for (let i = 0; i < keys.length; i += 10_000) await redis.del(...keys.slice(i, i + 10_000));
    await redis.quit();
  }
  used.clear();
}

/** Env for a child process running with `config`. */
export function envFor(config: Readonly<Config>, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: config.databaseUrl,
    REDIS_PREFIX: config.redisPrefix,
    REDIS_URL: config.redisUrl,
    PORT: String(config.port),
    HOST: config.host,
    PUBLIC_URL: config.publicUrl,
    JWT_SECRET: BENCH_JWT_SECRET,
    SIGNING_KEY: BENCH_SIGNING_KEY,
    ...extra,
  };
}

export interface Fleet {
  siteIds: string[];
  tokens: string[];
  pendingSites: number;
}

/** Drops and recreates this run's bench database and Redis keys, then seeds `sites` sites with jobs for `pendingShare` of them. */
export async function seedFleet(config: Readonly<Config>, sites: number, pendingShare: number): Promise<Fleet> {
  const admin = new URL(config.databaseUrl);
  const dbName = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const a = new pg.Client({ connectionString: admin.toString() });
  await a.connect();
  await a.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await a.end();
  await ensureDatabase(config.databaseUrl);
  await migrate(config.databaseUrl);

  const db = new pg.Client({ connectionString: config.databaseUrl });
  await db.connect();
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO site (id, org_id, name) SELECT gen_random_uuid(), 'bench-org', 'site ' || i
     FROM generate_series(1, $1) i RETURNING id`,
    [sites],
  );
  const siteIds = rows.map((r) => r.id);
  const pending = siteIds.slice(0, Math.round(sites * pendingShare));
  const jobs = await db.query<{ id: string; site_id: string }>(
    `INSERT INTO job (id, site_id, org_id, token, idempotency_key, request_hash, description, script,
                      express_execute, needs_acknowledgement, should_backup)
     SELECT gen_random_uuid(), s, 'bench-org', substr(md5(s::text), 1, 22), gen_random_uuid(), 'bench', 'bench job',
            '/ip address add address=192.168.99.1/24 interface=ether2', false, true, false
     FROM unnest($1::uuid[]) s RETURNING id, site_id`,
    [pending],
  );
  await db.end();

  const redis = new Redis(config.redisUrl);
  const old = await redis.keys(`${config.redisPrefix}*`);
  for (let i = 0; i < old.length; i += 10_000) await redis.del(...old.slice(i, i + 10_000));
  const keys = createKeys(config.redisPrefix);
  for (let i = 0; i < siteIds.length; i += 10_000) {
    const pipe = redis.pipeline();
    for (const id of siteIds.slice(i, i + 10_000)) pipe.hset(keys.site(id), 'tv', 1, 'org', 'bench-org');
    await pipe.exec();
  }
  const pipe = redis.pipeline();
  // Queue entries as src/redis/dispatch.ts writes them: `<job id>/<lease seconds>` (acknowledged jobs).
  for (const j of jobs.rows) pipe.rpush(keys.queue(j.site_id), `${j.id}/120`);
  await pipe.exec();
  await redis.quit();

  const issuer = createDeviceTokens(BENCH_SIGNING_KEY);
  return { siteIds, tokens: siteIds.map((siteId) => issuer.issue({ siteId, tokenVersion: 1 })), pendingSites: pending.length };
}
