import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, startWorker, type TestWorker } from '../support/worker.js';
import { loadDocumentedVerifier, orgSecret, startReceiver, type Receiver } from '../webhooks/support.js';
import { createRollout, onlineSites, runHandedJob, targets } from './support.js';

// rollout.started|paused|completed|cancelled reach the rollout's notify_url signed exactly like
// job webhooks (with the organisation's secret) (the documented verifier accepts them), each once per event.

let app: TestApp;
let worker: TestWorker;
let receiver: Receiver;
beforeAll(async () => {
  app = await startApp({ env: { OUTBOUND_ALLOWLIST: '127.0.0.1/32' } });
  worker = await startWorker(app);
  receiver = await startReceiver();
});
afterAll(async () => {
  await worker.close();
  await receiver.close();
  await app.close();
});

const rolloutEvents = (id: string): string[] =>
  receiver.requests.filter((q) => q.event.startsWith('rollout.') && q.json.data.rollout.id === id).map((q) => q.event);

describe('rollout webhooks', () => {
  it('sends started, paused and completed, signed like job webhooks', async () => {
    const verify = await loadDocumentedVerifier();
    const fleet = await onlineSites(app, 2, ['hooks']);
    const token = fleet[0]!.auth;
    const r = await createRollout(app, token, {
      targets: { tags: ['hooks'] },
      canary_site_ids: [fleet[0]!.id],
      notify_url: `${receiver.url}/hooks`,
    });
    await eventually(async () => (await targets(app, token, r.id, 'queued')).length === 1);
    await runHandedJob(app, fleet[0]!, 'fail');
    await eventually(() => Promise.resolve(rolloutEvents(r.id).includes('rollout.paused')));
    await app.request('POST', `/rollouts/${r.id}/resume`, { token });
    await eventually(async () => (await targets(app, token, r.id, 'queued')).length === 1);
    await runHandedJob(app, fleet[1]!, 'done');
    await eventually(() => Promise.resolve(rolloutEvents(r.id).includes('rollout.completed')));
    expect(rolloutEvents(r.id)).toEqual(['rollout.started', 'rollout.paused', 'rollout.completed']);
    const mine = receiver.requests.filter((q) => q.event.startsWith('rollout.'));
    // Signed with the organisation's own secret, as every webhook is.
    const secret = await orgSecret(app, token);
    expect(mine.every((q) => verify(secret, q.standard, q.body, { nowMs: app.clock() }))).toBe(true);
    const paused = mine.find((q) => q.event === 'rollout.paused')!;
    expect(paused.json).toMatchObject({ type: 'rollout.paused', data: { detail: { reason: 'canary_failed' }, rollout: { id: r.id } } });
    expect(paused.json.data.rollout.script).toBeUndefined();
    expect(new Set(mine.map((q) => q.deliveryId)).size).toBe(3);
    // Each job's own webhooks go to the same notify_url.
    expect(receiver.requests.some((q) => q.event === 'job.failed')).toBe(true);
  });

  it('sends cancelled', async () => {
    const fleet = await onlineSites(app, 1, ['hooks-cancel']);
    const token = fleet[0]!.auth;
    const r = await createRollout(app, token, { targets: { tags: ['hooks-cancel'] }, notify_url: `${receiver.url}/hooks`, requires_approval: true });
    await app.request('POST', `/rollouts/${r.id}/cancel`, { token });
    await eventually(() => Promise.resolve(rolloutEvents(r.id).includes('rollout.cancelled')));
    expect(rolloutEvents(r.id)).toEqual(['rollout.cancelled']);
  });
});
