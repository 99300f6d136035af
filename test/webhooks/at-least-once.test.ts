import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverEvent } from '../../src/webhooks/webhooks.service.js';
import { buildSite, callback, parseWrapper, poll, type BuiltSite } from '../factories.js';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, startWorker } from '../support/worker.js';
import { buildNotifiedJob, deliveries, loadDocumentedVerifier, orgSecret, startReceiver, type Receiver } from './support.js';

let app: TestApp;
let receiver: Receiver;
let site: BuiltSite;

beforeAll(async () => {
  // Every first attempt fails on purpose, seven in a row to one receiver: more than the circuit
  // breaker allows (test/webhooks/fairness.test.ts covers that), so it is kept out of the way here.
  app = await startApp({
    env: { OUTBOUND_ALLOWLIST: '127.0.0.1/32', WEBHOOK_BACKOFF_BASE_MS: '300', WEBHOOK_RETRY_WINDOW_MS: '10000', CIRCUIT_FAILURES: '1000' },
  });
  // Every event's first attempt fails, so a worker stopped right after leaves retries pending.
  receiver = await startReceiver((r) => (r.nth === 1 ? 500 : 200));
  site = await buildSite(app);
});
afterAll(async () => {
  await receiver.close();
  await app.close();
});

/** Runs a job through poll, busy and done. */
async function runJob(): Promise<string> {
  const jobId = await buildNotifiedJob(app, site, `${receiver.url}/hook`);
  const w = parseWrapper(await poll(app, site));
  await callback(app, w.busy!);
  await callback(app, w.done!);
  return jobId;
}

describe('webhook delivery across worker restarts', () => {
  it('delivers every event at least once when the worker stops mid-way and another takes over', async () => {
    const first = await startWorker(app);
    const early = await runJob();
    await eventually(() => Promise.resolve(receiver.requests.length >= 3));
    await first.close();
    const inFlight = await deliveries(app, site, early);
    expect(inFlight.some((d) => d.state === 'retrying')).toBe(true);

    // No worker now: the events wait in the outbox, visible as pending.
    const late = await runJob();
    const cancelled = await buildNotifiedJob(app, site, `${receiver.url}/hook`);
    await app.request('DELETE', `/site/${site.id}/job/${cancelled}`, { token: site.auth });
    expect((await deliveries(app, site, late)).map((d) => d.state)).toEqual(['pending', 'pending', 'pending']);

    const second = await startWorker(app);
    try {
      const all = await eventually(async () => {
        const lists = await Promise.all([early, late, cancelled].map((j) => deliveries(app, site, j)));
        const flat = lists.flat();
        return flat.length === 7 && flat.every((d) => d.state === 'delivered') && flat;
      }, 20_000);
      const ids = new Set(all.map((d) => d.id));
      expect(ids.size).toBe(7);
      expect(receiver.deliveredIds()).toEqual(ids);
      const verify = await loadDocumentedVerifier();
      const secret = await orgSecret(app, site.auth);
      expect(receiver.requests.every((q) => verify(secret, q.standard, q.body, { nowMs: app.clock() }))).toBe(true);

      // A queue job repeated for an event already delivered (an outbox relay redone after a
      // crash, a stalled job) records nothing and sends nothing.
      const before = receiver.requests.length;
      const eventId = BigInt(all[0].id.slice('evt_'.length));
      expect((await deliverEvent(second.deps, eventId)).outcome).toBe('settled');
      expect(receiver.requests).toHaveLength(before);
      expect((await deliveries(app, site, early))[0].attempts).toHaveLength(all[0].attempts.length);
    } finally {
      await second.close();
    }
  });
});
