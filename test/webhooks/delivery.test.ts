import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepTimeouts } from '../../src/jobs/delivery.service.js';
import { buildSite, callback, parseWrapper, poll, type BuiltSite } from '../factories.js';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, startWorker, type TestWorker } from '../support/worker.js';
import {
  buildNotifiedJob,
  deliveries,
  loadDocumentedVerifier,
  startReceiver,
  WEBHOOK_SECRET,
  webhooksFinished,
  type Answer,
  type Receiver,
  type Received,
  type VerifySnippet,
} from './support.js';

// Retry schedule shrunk for tests: 50 ms doubling, 5 attempts in all (webhookAttempts for a 500 ms window).
const MAX_ATTEMPTS = 5;

let app: TestApp;
let worker: TestWorker;
let verify: VerifySnippet;
let site: BuiltSite;
const receivers: Receiver[] = [];

beforeAll(async () => {
  app = await startApp({
    env: {
      OUTBOUND_ALLOWLIST: '127.0.0.1/32',
      WEBHOOK_SECRET,
      WEBHOOK_BACKOFF_BASE_MS: '50',
      WEBHOOK_RETRY_WINDOW_MS: '500',
      // Receivers here fail on purpose many times in a row; the circuit breaker has its own tests.
      CIRCUIT_FAILURES: '1000',
    },
  });
  worker = await startWorker(app);
  verify = await loadDocumentedVerifier();
  site = await buildSite(app);
});
afterAll(async () => {
  await worker.close();
  await Promise.all(receivers.map((r) => r.close()));
  await app.close();
});

async function receiver(decide?: (r: Received) => Answer): Promise<Receiver> {
  const r = await startReceiver(decide);
  receivers.push(r);
  return r;
}

/** Waits until the job's deliveries all reach a final state, and returns them. */
async function settled(jobId: string, count: number): Promise<any[]> {
  return eventually(async () => {
    const list = await deliveries(app, site, jobId);
    return list.length === count && list.every((d) => d.state !== 'pending' && d.state !== 'retrying') && list;
  });
}

const typesOf = (list: { type: string }[]): string[] => list.map((d) => d.type).sort();

describe('notify_url webhooks', () => {
  it('delivers every state change, retrying a receiver that fails twice, signed verifiably', async () => {
    // Per event: a 500, then a connection reset, then success.
    const r = await receiver((req) => (req.nth === 1 ? 500 : req.nth === 2 ? 'reset' : 204));
    const notifyUrl = `${r.url}/hooks/tikops?src=test`;
    const jobId = await buildNotifiedJob(app, site, notifyUrl);
    const w = parseWrapper(await poll(app, site));
    expect((await callback(app, w.busy!)).text).toBe('claimed');
    expect((await callback(app, w.done!)).text).toBe('ok');

    const list = await settled(jobId, 3);
    expect(list.map((d) => d.type)).toEqual(['job.delivered', 'job.started', 'job.completed']);
    expect(r.deliveredIds()).toEqual(new Set(list.map((d) => d.id)));
    for (const d of list) {
      expect(d.state).toBe('delivered');
      expect(d.attempts.map((a: any) => a.outcome)).toEqual(['retrying', 'retrying', 'delivered']);
      expect(d.attempts.map((a: any) => a.status_code)).toEqual([500, null, 204]);
      expect(d.attempts.map((a: any) => a.attempt)).toEqual([1, 2, 3]);
      const [http500, reset, ok] = d.attempts;
      expect(http500.error).toMatch(/^HTTP 500/);
      expect(reset.error).toMatch(/socket hang up|ECONNRESET/i);
      expect(ok.error).toBeNull();
      for (const a of d.attempts) {
        expect(a.url).toBe(notifyUrl);
        expect(a.duration_ms).toBeGreaterThanOrEqual(0);
      }
    }

    // Three requests per event, all with that event's id: stable across retries, unique per event.
    const ids = new Set(r.requests.map((q) => q.deliveryId));
    expect(ids.size).toBe(3);
    for (const id of ids) {
      const attempts = r.requests.filter((q) => q.deliveryId === id);
      expect(attempts).toHaveLength(3);
      expect(new Set(attempts.map((q) => q.json.id))).toEqual(new Set([id]));
    }
    for (const q of r.requests) {
      expect(q.path).toBe('/hooks/tikops?src=test');
      expect(q.contentType).toBe('application/json');
      expect(verify(WEBHOOK_SECRET, q.signature, q.body, { nowMs: app.clock() })).toBe(true);
      expect(verify('not-the-secret-0123456789abcdef0123', q.signature, q.body, { nowMs: app.clock() })).toBe(false);
      expect(q.json.type).toBe(q.event);
      expect(q.json.data.site_id).toBe(site.id);
      expect(q.json.data.job).toMatchObject({ id: jobId, site_id: site.id, notify_url: notifyUrl });
      expect(q.json.data.job).not.toHaveProperty('script');
    }
  });

  it('announces failed, cancelled and timed-out jobs, and both events of a job needing no acknowledgement', async () => {
    const r = await receiver();
    const failed = await buildNotifiedJob(app, site, `${r.url}/f`);
    const wf = parseWrapper(await poll(app, site));
    await callback(app, wf.busy!);
    await callback(app, wf.fail!);

    const cancelled = await buildNotifiedJob(app, site, `${r.url}/c`);
    expect((await app.request('DELETE', `/site/${site.id}/job/${cancelled}`, { token: site.auth })).status).toBe(200);

    const timedOut = await buildNotifiedJob(app, site, `${r.url}/t`, { timeoutSeconds: 30 });
    await callback(app, parseWrapper(await poll(app, site)).busy!);
    app.clock.advance(31_000);
    await sweepTimeouts(app.deps, 100);

    const noAck = await buildNotifiedJob(app, site, `${r.url}/n`, { needsAck: false });
    expect(parseWrapper(await poll(app, site)).busy).toBeUndefined();

    expect(typesOf(await settled(failed, 3))).toEqual(['job.delivered', 'job.failed', 'job.started']);
    expect(typesOf(await settled(cancelled, 1))).toEqual(['job.cancelled']);
    expect(typesOf(await settled(timedOut, 3))).toEqual(['job.delivered', 'job.started', 'job.timed_out']);
    expect(typesOf(await settled(noAck, 2))).toEqual(['job.completed', 'job.delivered']);
    const timeout = r.requests.find((q) => q.event === 'job.timed_out')!;
    expect(timeout.json.data.job.status).toBe('timed_out');
    expect(timeout.json.data.detail).toEqual({ reason: expect.stringMatching(/timeout/) });
    expect(r.requests.every((q) => verify(WEBHOOK_SECRET, q.signature, q.body, { nowMs: app.clock() }))).toBe(true);
    expect(r.requests).toHaveLength(9);
  });

  it('gives up after the last attempt of the schedule and records it', async () => {
    const r = await receiver(() => 503);
    const jobId = await buildNotifiedJob(app, site, `${r.url}/down`);
    await app.request('DELETE', `/site/${site.id}/job/${jobId}`, { token: site.auth });
    const [d] = await settled(jobId, 1);
    expect(d.state).toBe('gave_up');
    expect(d.attempts.map((a: any) => a.outcome)).toEqual([...Array<string>(MAX_ATTEMPTS - 1).fill('retrying'), 'gave_up']);
    expect(d.attempts.every((a: any) => a.status_code === 503 && /^HTTP 503/.test(a.error))).toBe(true);
    expect(await webhooksFinished(app, worker, jobId)).toEqual(['failed']); // given up: no retry is scheduled
    expect(r.requests).toHaveLength(MAX_ATTEMPTS);
  });

  it('does not follow a redirect, and does not retry one', async () => {
    const r = await receiver((req) => (req.path === '/moved' ? { status: 302, headers: { location: '/elsewhere' } } : 200));
    const jobId = await buildNotifiedJob(app, site, `${r.url}/moved`);
    await app.request('DELETE', `/site/${site.id}/job/${jobId}`, { token: site.auth });
    const [d] = await settled(jobId, 1);
    expect(d.state).toBe('refused');
    expect(d.attempts).toHaveLength(1);
    expect(d.attempts[0]).toMatchObject({ status_code: 302, outcome: 'refused', error: expect.stringMatching(/redirect not followed/) });
    expect(r.requests.every((q) => q.path === '/moved')).toBe(true);
  });
});

describe('GET /site/{siteId}/job/{jobId}/deliveries', () => {
  it("is empty for a job without notify_url, and 404 for another site's or another org's job", async () => {
    const r = await receiver();
    const jobId = await buildNotifiedJob(app, site, `${r.url}/iso`);
    await app.request('DELETE', `/site/${site.id}/job/${jobId}`, { token: site.auth });
    await settled(jobId, 1);

    const plain = await app.request('POST', `/api/asynchronous/${site.id}`, {
      token: site.auth,
      body: { description: 'No webhook', script: ':log info "x"' },
    });
    expect(await deliveries(app, site, plain.body.data.request_id)).toEqual([]);

    const other = await buildSite(app, 'org-b');
    const foreign = await app.request('GET', `/site/${site.id}/job/${jobId}/deliveries`, { token: other.auth });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('site_not_found');
    const sibling = await buildSite(app, site.org);
    const wrongSite = await app.request('GET', `/site/${sibling.id}/job/${jobId}/deliveries`, { token: site.auth });
    expect(wrongSite.status).toBe(404);
    expect(wrongSite.body.code).toBe('job_not_found');
    const anonymous = await app.request('GET', `/site/${site.id}/job/${jobId}/deliveries`);
    expect(anonymous.status).toBe(401);
  });
});
