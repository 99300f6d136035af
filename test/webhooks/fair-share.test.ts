import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createRedis, type RedisClient } from '../../src/redis/client.js';
import { createFairShare, waitMs, type FairShare, type Gate } from '../../src/redis/fair-share.js';
import { createKeys } from '../../src/redis/keys.js';
import { deletePrefix, testRedisEnv } from '../support/redis.js';

// The shares and circuit breaker of outbound work (src/redis/fair-share.ts) against real Redis,
// with time passed in explicitly: fair-acquire-3.lua and fair-release-3.lua decide everything.

const prefix = `tikops-test:${randomBytes(5).toString('hex')}:`;
let redis: RedisClient;
let fair: FairShare;
const T0 = 1_700_000_000_000;
const HOLD = 10_000;
const OPEN_MS = 1_000;

beforeAll(async () => {
  // REDIS_URL: one Redis, or the test cluster (vitest.config.ts).
  redis = createRedis(loadConfig({ ...process.env, ...testRedisEnv() }), 'worker');
  await redis.connect();
  fair = createFairShare(redis, createKeys(prefix), {
    webhook: { orgConcurrency: 2, destinationConcurrency: 3 },
    express: { orgConcurrency: 1, destinationConcurrency: 1 },
    connectTimeoutMs: 1_000,
    circuitFailures: 3,
    circuitOpenMs: OPEN_MS,
  });
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

const lease = (g: Gate): string => {
  if (!g.go) throw new Error(`expected a slot, got ${g.reason}`);
  return g.lease;
};

describe('shares', () => {
  it("holds an org to its share, whatever the destination, and leaves other orgs' slots alone", async () => {
    const a1 = lease(await fair.acquire('webhook', 'org-a', 'one.example:443', T0, HOLD));
    lease(await fair.acquire('webhook', 'org-a', 'two.example:443', T0, HOLD));
    expect(await fair.acquire('webhook', 'org-a', 'three.example:443', T0, HOLD)).toEqual({ go: false, reason: 'org_busy', retryAtMs: null });
    lease(await fair.acquire('webhook', 'org-b', 'three.example:443', T0, HOLD));
    // The express lane has its own shares.
    lease(await fair.acquire('express', 'org-a', 'one.example:443', T0, HOLD));
    await fair.release('webhook', 'org-a', 'one.example:443', a1, T0, 'ok');
    lease(await fair.acquire('webhook', 'org-a', 'three.example:443', T0, HOLD));
  });

  it('holds a destination to its share across orgs', async () => {
    const dest = 'shared.example:443';
    for (const org of ['d1', 'd2', 'd3']) lease(await fair.acquire('webhook', org, dest, T0, HOLD));
    expect(await fair.acquire('webhook', 'd4', dest, T0, HOLD)).toMatchObject({ go: false, reason: 'destination_busy' });
  });

  it('gives back the slots of a worker that died once their lease ends', async () => {
    lease(await fair.acquire('webhook', 'org-crash', 'crash.example:443', T0, HOLD));
    lease(await fair.acquire('webhook', 'org-crash', 'crash.example:443', T0, HOLD));
    expect(await fair.acquire('webhook', 'org-crash', 'crash.example:443', T0 + HOLD - 1, HOLD)).toMatchObject({ reason: 'org_busy' });
    lease(await fair.acquire('webhook', 'org-crash', 'crash.example:443', T0 + HOLD, HOLD));
  });
});

describe('circuit breaker', () => {
  const dest = 'flaky.example:443';
  const attempt = async (now: number, verdict: 'ok' | 'fail'): Promise<ReturnType<FairShare['release']>> => {
    const l = lease(await fair.acquire('webhook', `org-${now}`, dest, now, HOLD));
    return fair.release('webhook', `org-${now}`, dest, l, now, verdict);
  };

  it('opens after failures in a row, lets one probe through once open time passed, reopens for twice as long, then closes', async () => {
    expect(await attempt(T0, 'fail')).toBeNull();
    expect(await attempt(T0 + 1, 'fail')).toBeNull();
    // A success in between would start the count again; three in a row open it.
    expect(await attempt(T0 + 2, 'fail')).toEqual({ opened: T0 + 2 + OPEN_MS });
    expect(await fair.circuit('webhook', dest, T0 + 3)).toEqual({ state: 'open', untilMs: T0 + 2 + OPEN_MS, failures: 0 });
    expect(await fair.acquire('webhook', 'org-x', dest, T0 + 3, HOLD)).toEqual({ go: false, reason: 'circuit_open', retryAtMs: T0 + 2 + OPEN_MS });

    // Half-open: one probe at a time.
    const t1 = T0 + 2 + OPEN_MS;
    const probe = await fair.acquire('webhook', 'org-x', dest, t1, HOLD);
    expect(probe).toMatchObject({ go: true, probe: true });
    expect(await fair.acquire('webhook', 'org-y', dest, t1, HOLD)).toEqual({ go: false, reason: 'probe_in_flight', retryAtMs: t1 + HOLD });
    // The probe fails: open again, for twice as long.
    expect(await fair.release('webhook', 'org-x', dest, lease(probe), t1 + 5, 'fail')).toEqual({ opened: t1 + 5 + 2 * OPEN_MS });

    const t2 = t1 + 5 + 2 * OPEN_MS;
    expect(await fair.acquire('webhook', 'org-x', dest, t2 - 1, HOLD)).toMatchObject({ reason: 'circuit_open' });
    const probe2 = await fair.acquire('webhook', 'org-x', dest, t2, HOLD);
    expect(probe2).toMatchObject({ go: true, probe: true });
    expect(await fair.release('webhook', 'org-x', dest, lease(probe2), t2 + 5, 'ok')).toEqual({ closed: true });
    expect(await fair.circuit('webhook', dest, t2 + 6)).toEqual({ state: 'closed', untilMs: null, failures: 0 });
    expect(await fair.acquire('webhook', 'org-x', dest, t2 + 6, HOLD)).toMatchObject({ go: true, probe: false });
  });

  it('lets another probe through when the probing worker died (its lease ended)', async () => {
    const d = 'dies.example:443';
    for (let i = 0; i < 3; i++) {
      const l = lease(await fair.acquire('webhook', 'org-die', d, T0 + i, HOLD));
      await fair.release('webhook', 'org-die', d, l, T0 + i, 'fail');
    }
    const open = T0 + 2 + OPEN_MS;
    expect(await fair.acquire('webhook', 'org-die', d, open, HOLD)).toMatchObject({ go: true, probe: true });
    expect(await fair.acquire('webhook', 'org-die', d, open + HOLD - 1, HOLD)).toMatchObject({ reason: 'probe_in_flight' });
    expect(await fair.acquire('webhook', 'org-die', d, open + HOLD, HOLD)).toMatchObject({ go: true, probe: true });
  });

  it('does not count work that was never tried', async () => {
    const d = 'policy.example:443';
    for (let i = 0; i < 5; i++) {
      const l = lease(await fair.acquire('webhook', 'org-none', d, T0, HOLD));
      expect(await fair.release('webhook', 'org-none', d, l, T0, 'none')).toBeNull();
    }
    expect(await fair.circuit('webhook', d, T0)).toEqual({ state: 'closed', untilMs: null, failures: 0 });
  });
});

describe('waitMs', () => {
  it('sleeps past an open circuit, briefly behind a probe, and longer the more often a share was busy', () => {
    const mid = (): number => 0.5;
    expect(waitMs({ go: false, reason: 'circuit_open', retryAtMs: 10_000 }, 4_000, 0, mid)).toBe(6_500);
    expect(waitMs({ go: false, reason: 'probe_in_flight', retryAtMs: 60_000 }, 0, 0, mid)).toBe(2_000);
    expect([0, 1, 2, 4, 9].map((w) => waitMs({ go: false, reason: 'org_busy', retryAtMs: null }, 0, w, mid))).toEqual([250, 500, 1_000, 4_000, 4_000]);
  });
});
