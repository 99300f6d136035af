import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { buildHandler } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/lib/logger.js';
import { createKeys, type Keys } from '../../src/redis/keys.js';
import { connect, disconnect, type Deps } from '../../src/runtime.js';
import { createTestDatabase } from './db.js';
import { validateResponse } from './openapi.js';
import { deletePrefix, testRedisEnv } from './redis.js';

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
export const TEST_SIGNING_KEY = 'test-signing-key-0123456789abcdef012345678';

/** A clock tests can move forward; starts at real time. */
export interface TestClock {
  (): number;
  advance(ms: number): void;
}

export function testClock(): TestClock {
  let offset = 0;
  const clock = (() => Date.now() + offset) as TestClock;
  clock.advance = (ms) => {
    offset += ms;
  };
  return clock;
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string | null;
  headers?: Record<string, string>;
  body?: string | object;
  /** Skip OpenAPI response validation (for deliberately undocumented requests). */
  raw?: boolean;
}

export interface TestApp {
  url: string;
  deps: Deps;
  config: Readonly<Config>;
  clock: TestClock;
  dbUrl: string;
  redisPrefix: string;
  /** The app's Redis key names (src/redis/keys.ts). */
  keys: Keys;
  /** An operator JWT for `org` (HS256, expires in an hour unless overridden). */
  token(org: string, claims?: Record<string, unknown>): string;
  request<T = any>(method: string, path: string, opts?: RequestOptions): Promise<Reply<T>>;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Reuse another app's database and Redis prefix (a second API process over the same state). */
  share?: TestApp;
  /** Logger of the app (default: LOG_LEVEL from TEST_LOG_LEVEL, to stdout). */
  log?: Logger;
}

/** Starts the real API on 127.0.0.1 port 0 over a fresh database and Redis key prefix. */
export async function startApp(opts: StartOptions = {}): Promise<TestApp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const db = opts.share ? { url: opts.share.dbUrl, drop: () => Promise.resolve() } : await createTestDatabase();
  const redisPrefix = opts.share?.redisPrefix ?? `tikops-test:${randomBytes(5).toString('hex')}:`;
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '5',
    ...testRedisEnv(),
    REDIS_PREFIX: redisPrefix,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    JWT_SECRET: TEST_JWT_SECRET,
    SIGNING_KEY: TEST_SIGNING_KEY,
    // Every test client is 127.0.0.1 and most use one token for many requests (the fuzz test for
    // hundreds): limits apply in test/http/rate-limit.test.ts, which sets its own.
    RATE_LIMIT_OPERATOR_PER_MINUTE: '0',
    RATE_LIMIT_ADDRESS_PER_MINUTE: '0',
    ...opts.env,
  });
  const clock = testClock();
  const deps = await connect(config, 'api', {
    clock,
    log: opts.log ?? createLogger({ level: config.logLevel, name: 'tikops-test' }),
  });
  server.on('request', buildHandler(deps));
  const url = `http://127.0.0.1:${port}`;

  const app: TestApp = {
    url,
    deps,
    config,
    clock,
    dbUrl: db.url,
    redisPrefix,
    keys: createKeys(redisPrefix),
    token: (org, claims = {}) => jwt.sign({ org, ...claims }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' }),
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let body: string | undefined;
      if (typeof o.body === 'string') body = o.body;
      else if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(url + path, { method, headers, body });
      const text = await res.text();
      const isJson = (res.headers.get('content-type') ?? '').includes('json');
      const parsed: unknown = isJson && text.length > 0 ? JSON.parse(text) : text;
      if (!o.raw) validateResponse(method, path.split('?')[0]!, res.status, parsed, res.headers.get('content-type') ?? undefined);
      return { status: res.status, headers: res.headers, body: parsed as any, text };
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (!opts.share) {
        // Best effort: a test may have taken Redis away on purpose.
        await deletePrefix(deps.redis, redisPrefix).catch(() => undefined);
      }
      await disconnect(deps);
      await db.drop();
    },
  };
  return app;
}
