import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destinationOf } from '../../src/webhooks/webhooks.service.js';
import { buildSite, type BuiltSite } from '../factories.js';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, startWorker, type TestWorker } from '../support/worker.js';
import { buildNotifiedJob, deliveries, startReceiver, type Receiver } from './support.js';

// Delivery fairness (docs/webhooks.md): one org's webhooks stuck on a black hole must not delay
// another org's, and a destination that keeps failing is paused without using up attempts.

/** A TCP server that accepts connections and never answers: each delivery to it waits for its timeout. */
interface BlackHole {
  url: string;
  /** Connections open now, and the most that were ever open at once. */
  open(): number;
  maxOpen(): number;
  close(): Promise<void>;
}

async function startBlackHole(): Promise<BlackHole> {
  const sockets = new Set<Socket>();
  let max = 0;
  const server: Server = createServer((s) => {
    sockets.add(s);
    max = Math.max(max, sockets.size);
    s.on('error', () => undefined);
    // Read and discard the request (never answer), so a connection the client closes is seen closing.
    s.resume();
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    open: () => sockets.size,
    maxOpen: () => max,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Runs `fn` over `items`, `width` at a time. */
async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const NOISY_JOBS = 1_000;
const DESTINATION_SHARE = 4;
const ORG_SHARE = 8;

describe('a noisy neighbour', () => {
  let app: TestApp;
  let worker: TestWorker;
  let hole: BlackHole;
  let good: Receiver;
  const arrived = new Map<string, number>();

  beforeAll(async () => {
    app = await startApp({
      env: {
        OUTBOUND_ALLOWLIST: '127.0.0.1/32',
        WEBHOOK_ORG_CONCURRENCY: String(ORG_SHARE),
        WEBHOOK_DESTINATION_CONCURRENCY: String(DESTINATION_SHARE),
      },
    });
    worker = await startWorker(app, ['webhook']);
    hole = await startBlackHole();
    good = await startReceiver((r) => {
      arrived.set(r.json?.data?.job?.id as string, Date.now());
      return 204;
    });
  });
  afterAll(async () => {
    await worker.close();
    await hole.close();
    await good.close();
    await app.close();
  });

  it(`pointing ${NOISY_JOBS} jobs' webhooks at a black hole delays another org's webhook by less than 5 s`, { timeout: 180_000 }, async () => {
    const noisy = await buildSite(app, 'org-noisy');
    const ids: string[] = [];
    await inParallel(
      Array.from({ length: NOISY_JOBS }, (_, i) => i),
      16,
      async () => {
        ids.push(await buildNotifiedJob(app, noisy, hole.url));
      },
    );
    // Cancelling each job announces it: 1,000 deliveries to the black hole.
    await inParallel(ids, 16, async (id) => {
      expect((await app.request('DELETE', `/site/${noisy.id}/job/${id}`, { token: noisy.auth })).status).toBe(200);
    });
    // The black hole holds its share of the worker's slots (each delivery waits out its 10 s timeout).
    // (Waits on state: on a loaded machine the outbox relay and the worker can take a while to get there.)
    await eventually(() => Promise.resolve(hole.open() >= DESTINATION_SHARE), 90_000);

    const quiet: BuiltSite = await buildSite(app, 'org-quiet');
    const jobId = await buildNotifiedJob(app, quiet, `${good.url}/hook`);
    expect((await app.request('DELETE', `/site/${quiet.id}/job/${jobId}`, { token: quiet.auth })).status).toBe(200);
    const cancelledAt = Date.now();
    const at = await eventually(() => Promise.resolve(arrived.get(jobId)), 30_000);
    const delayMs = at - cancelledAt;
    console.log(`noisy neighbour: the quiet org's webhook arrived ${delayMs} ms after its job was cancelled (${NOISY_JOBS} deliveries stuck on a black hole)`);
    expect(delayMs).toBeLessThan(5_000);

    // The black hole never held more than its destination's share of connections.
    expect(hole.maxOpen()).toBeLessThanOrEqual(DESTINATION_SHARE);
    const [d] = await deliveries(app, quiet, jobId);
    expect(d).toMatchObject({ type: 'job.cancelled', state: 'delivered' });
  });
});

describe('the circuit breaker', () => {
  let app: TestApp;
  let worker: TestWorker;
  let answer = 500;
  let receiver: Receiver;

  const OPEN_MS = 1_500;
  const FAILURES = 3;

  beforeAll(async () => {
    app = await startApp({
      env: {
        OUTBOUND_ALLOWLIST: '127.0.0.1/32',
        WEBHOOK_BACKOFF_BASE_MS: '50',
        // One delivery at a time to the destination, so the failures in a row are exactly those sent.
        WEBHOOK_DESTINATION_CONCURRENCY: '1',
        CIRCUIT_FAILURES: String(FAILURES),
        CIRCUIT_OPEN_MS: String(OPEN_MS),
      },
    });
    worker = await startWorker(app, ['webhook']);
    receiver = await startReceiver(() => answer);
  });
  afterAll(async () => {
    await worker.close();
    await receiver.close();
    await app.close();
  });

  it('pauses a destination that keeps failing without using attempts, probes it after the pause, and closes once it answers', async () => {
    const site = await buildSite(app, 'org-flaky');
    const url = `${receiver.url}/hook`;
    const jobs: string[] = [];
    for (let i = 0; i < 4; i++) jobs.push(await buildNotifiedJob(app, site, url));
    for (const id of jobs) expect((await app.request('DELETE', `/site/${site.id}/job/${id}`, { token: site.auth })).status).toBe(200);

    const circuit = (): ReturnType<typeof worker.deps.fairShare.circuit> => worker.deps.fairShare.circuit('webhook', destinationOf(url), app.clock());
    const opened = await eventually(async () => {
      const c = await circuit();
      return c.state === 'open' && c;
    });
    const openedAt = Date.now();
    // Exactly the failures that opened it were sent; the deliveries still pending wait, unattempted.
    expect(receiver.requests).toHaveLength(FAILURES);

    answer = 204;
    await eventually(async () => (await circuit()).state === 'closed' && receiver.deliveredIds().size === jobs.length, 20_000);
    // Nothing reached the destination while it was paused: the next request was the probe, after the pause.
    const probe = receiver.requests[FAILURES]!;
    expect(probe.at).toBeGreaterThanOrEqual(opened.untilMs!);
    expect(probe.at - openedAt).toBeGreaterThan(OPEN_MS - 500);

    // Every delivery reached `delivered`, and only real requests count as attempts: 3 failures + 4 successes.
    let attempts = 0;
    for (const id of jobs) {
      const [d] = await deliveries(app, site, id);
      expect(d.state).toBe('delivered');
      attempts += d.attempts.length;
    }
    expect(attempts).toBe(FAILURES + jobs.length);
    expect(receiver.requests).toHaveLength(FAILURES + jobs.length);
    const waits = await worker.deps.metrics.registry.getSingleMetricAsString('tikops_outbound_waits_total');
    expect(waits).toMatch(/tikops_outbound_waits_total\{lane="webhook",reason="circuit_open",role="worker"\} [1-9]/);
  });
});

describe('a destination paused past the retry window', () => {
  let app: TestApp;
  let worker: TestWorker;
  let receiver: Receiver;

  beforeAll(async () => {
    app = await startApp({
      env: {
        OUTBOUND_ALLOWLIST: '127.0.0.1/32',
        WEBHOOK_BACKOFF_BASE_MS: '50',
        WEBHOOK_RETRY_WINDOW_MS: '1500',
        WEBHOOK_DESTINATION_CONCURRENCY: '1',
        CIRCUIT_FAILURES: '1',
        CIRCUIT_OPEN_MS: '600000',
      },
    });
    worker = await startWorker(app, ['webhook']);
    receiver = await startReceiver(() => 503);
  });
  afterAll(async () => {
    await worker.close();
    await receiver.close();
    await app.close();
  });

  it('gives its deliveries up when the window ends, with a final attempt that sent nothing', async () => {
    const site = await buildSite(app, 'org-dead');
    const jobs: string[] = [];
    for (let i = 0; i < 3; i++) jobs.push(await buildNotifiedJob(app, site, `${receiver.url}/hook`));
    for (const id of jobs) expect((await app.request('DELETE', `/site/${site.id}/job/${id}`, { token: site.auth })).status).toBe(200);

    const final = await eventually(async () => {
      const all = await Promise.all(jobs.map(async (id) => (await deliveries(app, site, id))[0]));
      return all.every((d) => d?.state === 'gave_up') && all;
    }, 15_000);
    // One real request opened the circuit (for 10 minutes); nothing else reached the destination.
    expect(receiver.requests).toHaveLength(1);
    const attempts = final.flatMap((d) => d.attempts);
    expect(attempts.filter((a) => a.status_code === 503)).toHaveLength(1);
    const unsent = attempts.filter((a) => a.status_code === null);
    expect(unsent).toHaveLength(jobs.length);
    for (const a of unsent) {
      expect(a).toMatchObject({ outcome: 'gave_up', duration_ms: 0, error: 'not attempted: the destination stayed paused (circuit open) past the retry window' });
    }
  });
});
