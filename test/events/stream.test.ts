import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { openSse, type SseStream } from '../support/sse.js';
import { eventually } from '../support/worker.js';
import { buildJob, buildSite, poll } from '../factories.js';
import { makeKey } from '../access/support.js';
import { createRollout, onlineSites } from '../rollouts/support.js';

// GET /events/stream across two API processes ("pods") sharing PostgreSQL and Redis: a change
// made through pod A reaches a stream open on pod B, only the org's, only with the read scope.

let podA: TestApp;
let podB: TestApp;
const streams: SseStream[] = [];
beforeAll(async () => {
  podA = await startApp();
  // Pod B beats every 200 ms (25 s in production) so a revoked key's stream is seen ending.
  podB = await startApp({ share: podA, env: { EVENTS_HEARTBEAT_MS: '200' } });
});
afterAll(async () => {
  for (const s of streams) s.close();
  await podB.close();
  await podA.close();
});

async function stream(app: TestApp, secret: string): Promise<SseStream> {
  const s = await openSse(`${app.url}/events/stream`, { authorization: `Bearer ${secret}` });
  streams.push(s);
  return s;
}

describe('GET /events/stream', () => {
  it("delivers a job created and delivered through pod A to the org's stream on pod B, and not to another org's", async () => {
    const keyA = await makeKey(podA, 'org-a', ['jobs:read']);
    const keyB = await makeKey(podA, 'org-b', ['jobs:read']);
    const onB = await stream(podB, keyA.secret);
    const otherOrg = await stream(podB, keyB.secret);
    expect(onB.status).toBe(200);
    expect(onB.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(onB.headers.get('cache-control')).toBe('no-cache, no-transform');
    // The subscription is live once the stream said hello; the retry hint comes first.
    await eventually(() => onB.raw().startsWith('retry: 3000\n') && otherOrg.raw().length > 0);

    const site = await buildSite(podA, 'org-a');
    const job = await buildJob(podA, site);
    const created = await onB.next((e) => e.data.job_id === job.id);
    expect(created).toMatchObject({ event: 'job', data: { site_id: site.id, job_id: job.id, state: 'queued', rollout_id: null } });
    expect(created.data).not.toHaveProperty('org');

    await poll(podA, site); // the router takes it: queued → delivered
    expect((await onB.next((e) => e.data.job_id === job.id && e.data.state === 'delivered')).event).toBe('job');

    // org-b's own job reaches org-b's stream, published after org-a's from the same pod: by then
    // org-a's events would have arrived too, and none did.
    const siteB = await buildSite(podA, 'org-b');
    const jobB = await buildJob(podA, siteB);
    await otherOrg.next((e) => e.data.job_id === jobB.id);
    expect(otherOrg.events.map((e) => e.data.job_id)).toEqual([jobB.id]);
    expect(onB.events.some((e) => e.data.job_id === jobB.id)).toBe(false);
  });

  it('tells the stream when a rollout launches through the other pod', async () => {
    const key = await makeKey(podA, 'org-r', ['jobs:read']);
    const onB = await stream(podB, key.secret);
    await eventually(() => onB.raw().length > 0);
    const fleet = await onlineSites(podA, 2, ['live'], 'org-r');
    const r = await createRollout(podA, fleet[0]!.auth, { targets: { tags: ['live'] } });
    expect((await onB.next((e) => e.event === 'rollout' && e.data.rollout_id === r.id)).data).toEqual({ rollout_id: r.id, state: 'running' });
  });

  it('refuses a key without jobs:read, and no credential, with the API error shape', async () => {
    const key = await makeKey(podA, 'org-a', ['sites:read']);
    const refused = await podB.request('GET', '/events/stream', { token: key.secret });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ type: 'permission_error', code: expect.any(String), message: expect.any(String), doc_url: expect.any(String) });
    const anonymous = await podB.request('GET', '/events/stream');
    expect([anonymous.status, anonymous.body.type]).toEqual([401, 'authentication_error']);
  });

  it('is documented in the OpenAPI document as text/event-stream', async () => {
    const doc = await podA.request('GET', '/openapi.json');
    const op = doc.body.paths['/events/stream'].get;
    expect(Object.keys(op.responses['200'].content)).toEqual(['text/event-stream']);
  });

  it("keeps an idle stream alive with comment lines, and ends it once the stream's key is revoked", async () => {
    const key = await makeKey(podA, 'org-d', ['jobs:read']);
    const s = await stream(podB, key.secret);
    await eventually(() => s.raw().includes(': heartbeat\n\n'));
    const revoked = await podA.request('DELETE', `/api-keys/${key.id}`, { token: podA.token('org-d') });
    expect(revoked.status).toBe(200);
    await s.ended;
    // Reconnecting with it is refused like any request.
    const again = await podB.request('GET', '/events/stream', { token: key.secret });
    expect([again.status, again.body.code]).toEqual([401, 'token_invalid']);
  });

  it('forgets a stream the client closed', async () => {
    const key = await makeKey(podA, 'org-c', ['jobs:read']);
    const before = podB.deps.events.listeners();
    const s = await stream(podB, key.secret);
    await eventually(() => podB.deps.events.listeners() === before + 1);
    s.close();
    await eventually(() => podB.deps.events.listeners() === before);
  });
});
