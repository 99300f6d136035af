import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase } from '../support/db.js';
import { eventually, redisAnswers } from '../support/worker.js';

// The processes as an operator starts them (node on src/main.ts and workers/main.ts, through tsx):
// what they print and how they exit when something is wrong, and their health endpoints.

// Each case starts one or two Node processes through tsx: slow on a loaded machine.
vi.setConfig({ testTimeout: 120_000 });

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = createRequire(import.meta.url).resolve('tsx');
const API = join(ROOT, 'src/main.ts');
const WORKER = join(ROOT, 'workers/main.ts');

interface Run {
  child: ChildProcess;
  out: string[];
  exited: Promise<number | null>;
}

/** Starts an entry point with exactly `env` (plus PATH), in `cwd`. */
function start(entry: string, env: Record<string, string>, cwd = ROOT): Run {
  const child = spawn(process.execPath, ['--import', TSX, entry], {
    cwd,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  const collect = (b: Buffer): void => void out.push(...b.toString('utf8').split('\n').filter(Boolean));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out, exited };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** Exits non-zero within a few seconds (the process's own timeouts are 5 s) with one problem line. */
async function failsWith(run: Run, line: RegExp): Promise<void> {
  // A generous ceiling for a shared CI machine; the process itself gives up after 5 s.
  const code = await Promise.race([run.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 45_000))]);
  if (code === 'hung') run.child.kill('SIGKILL');
  expect(code).toBe(1);
  expect(run.out).toEqual([expect.stringMatching(line)]);
}

let db: { url: string; drop: () => Promise<void> };
let good: Record<string, string>;
beforeAll(async () => {
  db = await createTestDatabase();
  good = {
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `tikops-test:${randomBytes(5).toString('hex')}:`,
    HOST: '127.0.0.1',
  };
});
afterAll(async () => {
  await db?.drop();
});

describe('start-up failures name the setting and exit non-zero', () => {
  it('PostgreSQL unreachable', async () => {
    const port = await freePort();
    const run = start(API, { ...good, PORT: String(await freePort()), DATABASE_URL: `postgresql://postgres:hunter2@127.0.0.1:${port}/tikops` });
    await failsWith(run, new RegExp(`^tikops: cannot reach PostgreSQL at DATABASE_URL=postgresql://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${port}/tikops: connection refused$`));
  });

  it('Redis unreachable, for the API and for the worker', async () => {
    const port = await freePort();
    const line = new RegExp(`^tikops: cannot reach Redis at REDIS_URL=redis://127\\.0\\.0\\.1:${port}: connection refused$`);
    await failsWith(start(API, { ...good, PORT: String(await freePort()), REDIS_URL: `redis://127.0.0.1:${port}` }), line);
    await failsWith(start(WORKER, { ...good, WORKER_METRICS_PORT: '0', REDIS_URL: `redis://127.0.0.1:${port}` }), line);
  });

  it('the port already in use: one line, no stack trace', async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const { port } = taken.address() as AddressInfo;
    try {
      await failsWith(start(API, { ...good, PORT: String(port) }), new RegExp(`^tikops: port ${port} is already in use \\(PORT=${port}, HOST=127\\.0\\.0\\.1\\)`));
      await failsWith(start(WORKER, { ...good, WORKER_METRICS_PORT: String(port) }), new RegExp(`^tikops: port ${port} is already in use \\(WORKER_METRICS_PORT=${port}\\)`));
    } finally {
      taken.close();
    }
  });

  it('a loopback PUBLIC_URL in production', async () => {
    const secrets = {
      JWT_SECRET: 'j'.repeat(40), SIGNING_KEY: 's'.repeat(40), API_KEY_SECRET: 'k'.repeat(40),
      BACKUP_KEYS: `k:${Buffer.alloc(32, 1).toString('base64')}`, METRICS_TOKEN: 'm'.repeat(20),
    };
    const run = start(API, { ...good, ...secrets, NODE_ENV: 'production', PORT: String(await freePort()), PUBLIC_URL: 'http://localhost:3000' });
    expect(await run.exited).toBe(1);
    expect(run.out.join('\n')).toMatch(/^tikops: invalid configuration:\n {2}PUBLIC_URL: http:\/\/localhost:3000 is a loopback address/);
  });
});

describe('a healthy start', () => {
  it('reads .env, says where it listens and where the dashboard and docs are, and is ready', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'tikops-env-'));
    // The settings come from the file; the environment only says where tsx is.
    writeFileSync(join(dir, '.env'), Object.entries({ ...good, PORT: String(port) }).map(([k, v]) => `${k}=${v}`).join('\n'));
    const run = start(API, {}, dir);
    try {
      const line = await eventually(() => Promise.resolve(run.out.find((l) => l.includes('listening'))), 60_000);
      const msg = (JSON.parse(line) as { msg: string }).msg;
      expect(msg).toBe(
        `tikops API listening on http://127.0.0.1:${port} — dashboard http://127.0.0.1:${port}/ui, API reference http://127.0.0.1:${port}/docs (settings from ${join(dir, '.env')})`,
      );
      expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()).toEqual({ status: 'ready', postgres: 'ok', redis: 'ok' });
    } finally {
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the worker', () => {
  it('serves /healthz and /readyz, reports not ready while Redis is down, and ready again when it is back', async () => {
    const redisPort = await freePort();
    const startRedis = (): ChildProcess => spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    let redis = startRedis();
    const httpPort = await freePort();
    const base = `http://127.0.0.1:${httpPort}`;
    const get = async (path: string): Promise<{ status: number; body: any }> => {
      const res = await fetch(base + path);
      return { status: res.status, body: await res.json() };
    };
    let run: Run | null = null;
    try {
      await redisAnswers(redisPort); // redis-server itself is up, not "after a while"
      run = start(WORKER, { ...good, REDIS_URL: `redis://127.0.0.1:${redisPort}`, WORKER_METRICS_PORT: String(httpPort), WORKERS: 'maintenance' });
      const r = run;
      await eventually(() => Promise.resolve(r.out.some((l) => l.includes('workers running'))), 60_000);
      expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
      expect(await get('/readyz')).toEqual({ status: 200, body: { status: 'ready', postgres: 'ok', redis: 'ok' } });

      const killedAt = Date.now();
      redis.kill('SIGKILL');
      await new Promise((r) => redis.once('exit', r));
      const down = await eventually(async () => {
        const res = await get('/readyz');
        return res.status === 503 && res;
      }, 30_000);
      // Either ioredis has noticed (connection closed/reconnecting) or the PING is still waiting for it.
      expect(down.body).toMatchObject({ status: 'not ready', postgres: 'ok', redis: expect.stringMatching(/^(connection \w+|timed out after 2000 ms)$/) });
      expect((await get('/healthz')).status).toBe(200);

      redis = startRedis();
      await eventually(async () => (await get('/readyz')).status === 200, 30_000);
      const w = run.out.filter((l) => l.includes('redis unavailable')).map((l) => JSON.parse(l) as { level: number; err: string });
      // One line per 30 s of outage (src/runtime.ts OUTAGE_LOG_INTERVAL_MS), not one per reconnect attempt.
      expect(w.length).toBeGreaterThanOrEqual(1);
      expect(w.length).toBeLessThanOrEqual(1 + Math.floor((Date.now() - killedAt) / 30_000));
      // The reason ioredis saw first varies with timing (refused, reset, closed): any, in words.
      expect(w[0]).toMatchObject({ level: 40, err: expect.any(String) });
      expect(run.out.some((l) => l.includes('redis connection restored'))).toBe(true);
    } finally {
      run?.child.kill('SIGTERM');
      await run?.exited;
      redis.kill('SIGKILL');
    }
  });
});
