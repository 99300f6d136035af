import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, queueJobFinished, startWorker, type TestWorker } from '../support/worker.js';
import { buildJob, buildManagement, buildSite, parseWrapper, poll, type BuiltSite } from '../factories.js';
import { ROUTER_CERT, startFakeRouter, type FakeRouter } from './fake-routeros.js';

// Express execute end to end: API → job_event trigger → outbox → relay → BullMQ → express worker
// → fake RouterOS REST API on 127.0.0.1 → simulated router poll. Nothing else ever polls, and the
// router's regular poll (30 s in the field) never comes, so a delivery can only be express.

const TIMEOUT_MS = 400;
const PASSWORD = 'p@ss:wörd with spaces';

let app: TestApp;
let worker: TestWorker;
beforeAll(async () => {
  app = await startApp({ env: { OUTBOUND_ALLOWLIST: '127.0.0.1/32', EXPRESS_TIMEOUT_MS: String(TIMEOUT_MS) } });
  worker = await startWorker(app, ['express']);
});
afterAll(async () => {
  await worker?.close();
  await app?.close();
});

async function events(a: TestApp, site: BuiltSite, jobId: string): Promise<{ type: string; detail: any }[]> {
  return (await a.request('GET', `/site/${site.id}/job/${jobId}/events`, { token: site.auth })).body;
}

async function status(a: TestApp, site: BuiltSite, jobId: string): Promise<string> {
  return (await a.request('GET', `/site/${site.id}/job/${jobId}`, { token: site.auth })).body.status;
}

/** Waits for the express outcome event and returns every event then. */
function settled(a: TestApp, site: BuiltSite, jobId: string): Promise<{ type: string; detail: any }[]> {
  return eventually(async () => {
    const list = await events(a, site, jobId);
    return list.some((e) => ['express_succeeded', 'express_unconfirmed', 'express_failed'].includes(e.type)) ? list : null;
  });
}

/** A router at the fake endpoint whose poll script, when run, checks in with tikops. */
async function routerSite(fake: FakeRouter, management: Record<string, unknown> = {}): Promise<{ site: BuiltSite; polled: string[] }> {
  const site = await buildSite(app);
  await buildManagement(app, site, { port: fake.port, password: PASSWORD, ...management });
  const polled: string[] = [];
  fake.onExecute = async () => polled.push(await poll(app, site));
  return { site, polled };
}

/** Asserts the job is untouched by a failed express: still queued, and the next poll delivers it. */
async function stillDeliverable(site: BuiltSite, job: { id: string; token: string }): Promise<void> {
  expect(await status(app, site, job.id)).toBe('queued');
  expect(parseWrapper(await poll(app, site)).token).toBe(job.token);
  expect(await status(app, site, job.id)).toBe('delivered');
}

describe('express execute with a management endpoint', () => {
  it('makes the router poll at once, so the job is delivered in well under the regular poll interval', async () => {
    const fake = await startFakeRouter('ok');
    try {
      const { site, polled } = await routerSite(fake);
      const job = await buildJob(app, site, { express: true });
      // Nothing else polls here (the regular 30 s poll never comes), so the delivery is express's.
      await eventually(async () => (await status(app, site, job.id)) === 'delivered');
      expect(parseWrapper(polled[0]!).token).toBe(job.token);

      expect(fake.calls).toHaveLength(1);
      const call = fake.calls[0]!;
      expect(call).toMatchObject({ method: 'POST', path: '/rest/execute', body: { script: '/system script run tikops-poll' } });
      expect(call.contentType).toMatch(/^application\/json/);
      expect(call.authorization).toBe(`Basic ${Buffer.from(`tikops-express:${PASSWORD}`, 'utf8').toString('base64')}`);

      await settled(app, site, job.id);
      const list = await events(app, site, job.id);
      // express_succeeded needs the poll; the delivery's event may be written just before or after it.
      expect(list.map((e) => e.type).sort()).toEqual(['created', 'delivered', 'express_requested', 'express_succeeded']);
      expect(list[1]!.detail).toEqual({ url: `http://127.0.0.1:${fake.port}/rest/execute`, script: 'tikops-poll' });
      expect(list.find((e) => e.type === 'express_succeeded')!.detail).toMatchObject({ status: 200, tries: 1, ms: expect.any(Number), poll_after_ms: expect.any(Number) });
      expect(JSON.stringify(list)).not.toContain(PASSWORD);
    } finally {
      await fake.close();
    }
  });

  it('works the same for the JSON form with express_execute: true, running the configured script', async () => {
    const fake = await startFakeRouter('ok');
    try {
      const { site, polled } = await routerSite(fake, { poll_script_name: 'my-poll_v2' });
      const res = await app.request('POST', `/api/asynchronous/${site.id}`, {
        token: site.auth,
        body: { description: 'Express from the developer API', script: ':log info "x"', express_execute: true },
      });
      expect(res.status).toBe(200);
      const jobId = res.body.data.request_id;
      // needs_acknowledgement defaults to false in this form: handed out means completed. The job
      // is completed once the poll's compare-and-set commits, a moment before the router reads the answer.
      await eventually(async () => polled.length === 1 && (await status(app, site, jobId)) === 'completed', 2_000);
      expect(fake.calls.map((c) => c.body)).toEqual([{ script: '/system script run my-poll_v2' }]);
      await settled(app, site, jobId);
      const types = (await events(app, site, jobId)).map((e) => e.type);
      expect(types.sort()).toEqual(['completed', 'created', 'delivered', 'express_requested', 'express_succeeded']);
    } finally {
      await fake.close();
    }
  });

  it('calls the router only for jobs created with express', async () => {
    const fake = await startFakeRouter('ok');
    try {
      const { site } = await routerSite(fake);
      const job = await buildJob(app, site, { express: false });
      const express = await buildJob(app, site, { express: true }); // a marker that the worker has run
      await settled(app, site, express.id);
      await fake.executed;
      // One call, for the express job; the poll it caused handed out the older job first (FIFO).
      expect(fake.calls).toHaveLength(1);
      expect((await events(app, site, job.id)).map((e) => e.type)).toEqual(['created', 'delivered']);
    } finally {
      await fake.close();
    }
  });

  it('verifies the router certificate over TLS: refused without its CA, accepted with ca_pem', async () => {
    const fake = await startFakeRouter('ok', { tls: true });
    try {
      const { site } = await routerSite(fake, { use_tls: true });
      const job = await buildJob(app, site, { express: true });
      const failed = (await settled(app, site, job.id)).at(-1)!;
      expect(failed.type).toBe('express_failed');
      expect(failed.detail).toEqual({ reason: 'tls', message: expect.stringContaining('ca_pem'), tries: 1 });
      expect(fake.calls).toHaveLength(0);
      await stillDeliverable(site, job);

      // A second router (the first one has a job in flight now), trusting the router's certificate.
      const trusted = await routerSite(fake, { use_tls: true, ca_pem: ROUTER_CERT });
      const next = await buildJob(app, trusted.site, { express: true });
      await eventually(async () => (await status(app, trusted.site, next.id)) === 'delivered', 2_000);
      expect(fake.calls).toHaveLength(1);
      expect(parseWrapper(trusted.polled[0]!).token).toBe(next.token);
      const list = await settled(app, trusted.site, next.id);
      expect(list[1]!.detail.url).toBe(`https://127.0.0.1:${fake.port}/rest/execute`);
    } finally {
      await fake.close();
    }
  });
});

describe('express execute that cannot reach the router', () => {
  it('records express_failed when the site has no management endpoint, and the job stays deliverable', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site, { express: true });
    const list = await settled(app, site, job.id);
    expect(list.map((e) => e.type)).toEqual(['created', 'express_requested', 'express_failed']);
    expect(list[2]!.detail).toEqual({ reason: 'no management endpoint configured' });
    await stillDeliverable(site, job);
  });

  it('gives up at once on HTTP 401 (a wrong password will not get better), leaving the job alone', async () => {
    const fake = await startFakeRouter(401);
    try {
      const { site, polled } = await routerSite(fake);
      const job = await buildJob(app, site, { express: true });
      const failed = (await settled(app, site, job.id)).at(-1)!;
      expect(failed).toMatchObject({ type: 'express_failed', detail: { reason: 'auth', status: 401, tries: 1, message: 'Unauthorized' } });
      expect(await queueJobFinished(worker, 'express', `express-${job.id}`)).toBe('completed'); // no try can follow
      expect(fake.calls).toHaveLength(1);
      expect(polled).toHaveLength(0);
      await stillDeliverable(site, job);
    } finally {
      await fake.close();
    }
  });

  it('retries HTTP 500 a bounded number of times, then records the failure', async () => {
    const fake = await startFakeRouter(500);
    try {
      const { site } = await routerSite(fake);
      const job = await buildJob(app, site, { express: true });
      const failed = (await settled(app, site, job.id)).at(-1)!;
      expect(failed).toMatchObject({ type: 'express_failed', detail: { reason: 'router_error', status: 500, tries: 3, message: 'Internal Server Error' } });
      expect(await queueJobFinished(worker, 'express', `express-${job.id}`)).toBe('completed'); // no try can follow
      expect(fake.calls).toHaveLength(3);
      await stillDeliverable(site, job);
    } finally {
      await fake.close();
    }
  });

  it('times out each try of a router that never answers, and stops after three', async () => {
    const fake = await startFakeRouter('hang');
    try {
      const { site } = await routerSite(fake);
      const job = await buildJob(app, site, { express: true });
      const failed = (await settled(app, site, job.id)).at(-1)!;
      expect(failed).toMatchObject({ type: 'express_failed', detail: { reason: 'timeout', message: `no answer within ${TIMEOUT_MS} ms`, tries: 3 } });
      expect(await queueJobFinished(worker, 'express', `express-${job.id}`)).toBe('completed'); // no try can follow
      expect(fake.calls).toHaveLength(3);
      // Each try was given up by tikops (the fake never answers): the client closed all three.
      await eventually(() => Promise.resolve(fake.abandoned === 3));
      await stillDeliverable(site, job);
    } finally {
      await fake.close();
    }
  });

  it('records a connection failure when nothing listens at the endpoint', async () => {
    const fake = await startFakeRouter('ok');
    await fake.close(); // the port is now closed
    const site = await buildSite(app);
    await buildManagement(app, site, { port: fake.port });
    const job = await buildJob(app, site, { express: true });
    const failed = (await settled(app, site, job.id)).at(-1)!;
    // Generic words only: the raw socket error (ECONNREFUSED …) is not shown to API users.
    expect(failed).toMatchObject({ type: 'express_failed', detail: { reason: 'refused', tries: 3 } });
    expect(JSON.stringify(failed.detail)).not.toMatch(/ECONN|127\.0\.0\.1:/);
    await stillDeliverable(site, job);
  });

  it('skips a job a poll already took, saying so', async () => {
    const fake = await startFakeRouter('ok');
    try {
      const { site } = await routerSite(fake);
      // Hold the worker back: a job delivered before its express runs.
      await worker.close();
      const job = await buildJob(app, site, { express: true });
      expect(parseWrapper(await poll(app, site)).token).toBe(job.token);
      worker = await startWorker(app, ['express']);
      const list = await settled(app, site, job.id);
      expect(list.map((e) => e.type)).toEqual(['created', 'delivered', 'express_failed']);
      expect(list[2]!.detail).toEqual({ reason: 'job no longer queued (delivered)' });
      expect(fake.calls).toHaveLength(0);
    } finally {
      await fake.close();
    }
  });
});

describe('express execute under the default outbound policy', () => {
  let strict: TestApp;
  let strictWorker: TestWorker;
  beforeAll(async () => {
    strict = await startApp({ env: { OUTBOUND_ALLOWLIST: '' } });
    strictWorker = await startWorker(strict, ['express']);
  });
  afterAll(async () => {
    await strictWorker?.close();
    await strict?.close();
  });

  it('refuses a name that resolves to loopback without an allowlist, and never contacts it', async () => {
    const fake = await startFakeRouter('ok');
    try {
      const site = await buildSite(strict, `org-${randomUUID()}`);
      // An IP literal is refused at PUT already (test/express/management.test.ts); a name only when resolved.
      await buildManagement(strict, site, { address: 'localhost', port: fake.port });
      const job = await buildJob(strict, site, { express: true });
      const list = await settled(strict, site, job.id);
      expect(list.map((e) => e.type)).toEqual(['created', 'express_requested', 'express_failed']);
      expect(list[2]!.detail).toMatchObject({ reason: 'refused', message: expect.stringContaining('MANAGEMENT_ALLOWLIST'), tries: 1 });
      expect(fake.calls).toHaveLength(0);
      expect(await status(strict, site, job.id)).toBe('queued');
    } finally {
      await fake.close();
    }
  });
});

describe('express execute to a router that keeps failing', () => {
  let fair: TestApp;
  let fairWorker: TestWorker;
  beforeAll(async () => {
    fair = await startApp({ env: { OUTBOUND_ALLOWLIST: '127.0.0.1/32', EXPRESS_TIMEOUT_MS: String(TIMEOUT_MS), CIRCUIT_FAILURES: '2', CIRCUIT_OPEN_MS: '60000' } });
    fairWorker = await startWorker(fair, ['express']);
  });
  afterAll(async () => {
    await fairWorker?.close();
    await fair?.close();
  });

  it('pauses calls to it (circuit open): the next express is recorded as not called, and the job stays deliverable', async () => {
    const fake = await startFakeRouter(500);
    try {
      const site = await buildSite(fair, `org-${randomUUID()}`);
      await buildManagement(fair, site, { port: fake.port });
      for (let i = 0; i < 2; i++) {
        const job = await buildJob(fair, site, { express: true });
        expect((await settled(fair, site, job.id)).at(-1)).toMatchObject({ type: 'express_failed', detail: { reason: 'router_error', tries: 3 } });
        expect((await fair.request('DELETE', `/site/${site.id}/job/${job.id}`, { token: site.auth })).status).toBe(200);
      }
      expect(fake.calls).toHaveLength(6);

      const job = await buildJob(fair, site, { express: true });
      const list = await settled(fair, site, job.id);
      expect(list.map((e) => e.type)).toEqual(['created', 'express_failed']);
      expect(list[1]!.detail).toEqual({ reason: 'unreachable', message: expect.stringMatching(/^not called: recent calls to this router failed/) });
      expect(await queueJobFinished(fairWorker, 'express', `express-${job.id}`)).toBe('completed');
      expect(fake.calls).toHaveLength(6); // the paused router was not called again
      expect(parseWrapper(await poll(fair, site)).token).toBe(job.token);
    } finally {
      await fake.close();
    }
  });
});
