import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainSamples } from '../../src/fleet/samples.service.js';
import { sweepOffline } from '../../src/fleet/sweep.service.js';
import { buildSite, poll } from '../factories.js';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, startWorker, type TestWorker } from '../support/worker.js';
import { loadDocumentedVerifier, startReceiver, WEBHOOK_SECRET, type Receiver } from './support.js';

// Organisation-level webhooks for fleet events: an org subscribes endpoints to site.offline and
// site.online; outages of its sites (and only its sites) are delivered there, signed.

let app: TestApp;
let worker: TestWorker;
let receiver: Receiver;
let other: Receiver;

beforeAll(async () => {
  app = await startApp({ env: { OUTBOUND_ALLOWLIST: '127.0.0.1/32', WEBHOOK_SECRET } });
  worker = await startWorker(app, ['orgWebhook']);
  receiver = await startReceiver();
  other = await startReceiver();
});
afterAll(async () => {
  await Promise.all([receiver.close(), other.close()]);
  await worker.close();
  await app.close();
});

const WINDOW = 10 * 30_000;

describe('fleet-event webhooks', () => {
  it("sends site.offline and site.online for the org's sites to the endpoints subscribed, signed", async () => {
    const mine = await buildSite(app, 'org-fleet', { name: 'Harbour' });
    const theirs = await buildSite(app, 'org-other', { name: 'Inland' });
    const put = await app.request('PUT', '/webhook-endpoints', {
      token: mine.auth,
      body: { endpoints: [{ url: `${receiver.url}/fleet`, events: ['site.offline', 'site.online'] }, { url: `${other.url}/down`, events: ['site.offline'] }] },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body.map((e: any) => e.events)).toEqual([['site.offline', 'site.online'], ['site.offline']]);
    expect((await app.request('GET', '/webhook-endpoints', { token: mine.auth })).body).toEqual(put.body);
    expect((await app.request('GET', '/webhook-endpoints', { token: theirs.auth })).body).toEqual([]);

    await poll(app, mine);
    await poll(app, theirs);
    app.clock.advance(WINDOW + 1_000);
    await sweepOffline(app.deps);
    const down = await eventually(() => Promise.resolve(receiver.requests.find((r) => r.event === 'site.offline')));
    expect(down.json).toMatchObject({ type: 'site.offline', data: { site: { id: mine.id, name: 'Harbour' }, fault: { type: 'site_offline', resolved_at: null } } });
    expect(down.deliveryId).toBe(down.json.id);
    const verify = await loadDocumentedVerifier();
    expect(verify(WEBHOOK_SECRET, down.signature, down.body, { nowMs: app.clock() })).toBeTruthy();
    const alsoDown = await eventually(() => Promise.resolve(other.requests.find((r) => r.event === 'site.offline')));
    expect(alsoDown.json.id).toBe(down.json.id);

    await poll(app, mine);
    await drainSamples(app.deps);
    const up = await eventually(() => Promise.resolve(receiver.requests.find((r) => r.event === 'site.online')));
    expect(up.json.data).toMatchObject({ site: { id: mine.id }, fault: { id: down.json.data.fault.id } });
    expect(up.json.data.fault.resolved_at).not.toBeNull();

    // Nothing about the other org's site reached this org's endpoints; each event went out once.
    const all = [...receiver.requests, ...other.requests];
    expect(all.some((r) => r.json.data.site.id === theirs.id)).toBe(false);
    expect(receiver.requests.filter((r) => r.event === 'site.offline')).toHaveLength(1);
    expect(other.requests.some((r) => r.event === 'site.online')).toBe(false);
  });

  it('refuses endpoints the outbound policy would never reach, and unknown event types', async () => {
    const site = await buildSite(app, 'org-fleet-2');
    const put = (endpoints: unknown) => app.request('PUT', '/webhook-endpoints', { token: site.auth, body: { endpoints } });
    expect((await put([{ url: 'https://10.0.0.1/x', events: ['site.offline'] }])).body).toMatchObject({ code: 'parameter_invalid', message: expect.stringContaining("'endpoints[0].url'") });
    expect((await put([{ url: `${receiver.url}/x`, events: ['job.completed'] }])).status).toBe(400);
    expect((await put([{ url: `${receiver.url}/x`, events: [] }])).status).toBe(400);
    expect((await put([])).body).toEqual([]);
  });
});
