import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepRollout } from '../../src/rollouts/rollouts.service.js';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, startWorker, type TestWorker } from '../support/worker.js';
import { buildSite } from '../factories.js';
import { createRollout, getRollout, jobsPerSite, onlineSites, rolloutWhen, runHandedJob, targets } from './support.js';

// Staged rollouts over the real API, worker and dispatch path: every target is an ordinary job
// that a (scripted) router polls, claims and reports.

let app: TestApp;
let worker: TestWorker;
beforeAll(async () => {
  app = await startApp();
  worker = await startWorker(app);
});
afterAll(async () => {
  await worker.close();
  await app.close();
});

describe('a rollout with a canary', () => {
  it('runs the canary alone first, then batches of batch_size, and completes with one job per site', async () => {
    const fleet = await onlineSites(app, 5, ['canary-test']);
    const token = fleet[0]!.auth;
    const canary = fleet[2]!;
    const r = await createRollout(app, token, { targets: { tags: ['canary-test'] }, canary_site_ids: [canary.id], batch_size: 2 });
    expect(r).toMatchObject({ state: 'running', counts: { total: 5 }, created_by: 'jwt:-' });

    // Only the canary is dispatched while it runs.
    await eventually(async () => (await targets(app, token, r.id, 'queued')).length === 1);
    const waiting = await targets(app, token, r.id);
    expect(waiting[0]).toMatchObject({ site_id: canary.id, canary: true, batch: 0, state: 'queued', position: 1 });
    expect(waiting.slice(1).map((t) => t.state)).toEqual(['pending', 'pending', 'pending', 'pending']);
    for (const s of fleet.filter((x) => x !== canary)) expect(await runHandedJob(app, s, 'done')).toBeNull();
    expect(await runHandedJob(app, canary, 'done')).toBe(waiting[0].job_id);

    // Then the other four in two batches of two, each after the previous settled.
    const batches: number[] = [];
    for (let b = 1; b <= 2; b++) {
      const queued = await eventually(async () => {
        const q = await targets(app, token, r.id, 'queued');
        return q.length > 0 ? q : null;
      });
      expect(queued.every((t) => t.batch === b)).toBe(true);
      batches.push(queued.length);
      for (const t of queued) await runHandedJob(app, fleet.find((s) => s.id === t.site_id)!, 'done');
    }
    expect(batches).toEqual([2, 2]);
    const done = await rolloutWhen(app, token, r.id, (x) => x.state === 'completed');
    expect(done.counts).toMatchObject({ completed: 5, total: 5, pending: 0 });
    expect(done.finished_at).not.toBeNull();
    expect(await jobsPerSite(app, fleet)).toEqual([1, 1, 1, 1, 1]);
    const listed = await app.request('GET', `/jobs?rollout=${r.id}`, { token });
    expect(listed.body.map((j: any) => j.site_id).sort()).toEqual(fleet.map((s) => s.id).sort());
    const job = await app.request('GET', `/site/${canary.id}/job/${waiting[0].job_id}`, { token });
    expect(job.body).toMatchObject({ description: 'Enable DNS cache', script: '/ip dns set cache-size=4096', needs_acknowledgement: true, created_by: 'jwt:-' });
  });

  it('pauses when a canary fails, dispatching nothing else, and goes on after a resume', async () => {
    const fleet = await onlineSites(app, 3, ['canary-fail']);
    const token = fleet[0]!.auth;
    const r = await createRollout(app, token, { targets: { tags: ['canary-fail'] }, canary_site_ids: [fleet[0]!.id], batch_size: 5 });
    await eventually(async () => (await targets(app, token, r.id, 'queued')).length === 1);
    await runHandedJob(app, fleet[0]!, 'fail');
    const paused = await rolloutWhen(app, token, r.id, (x) => x.state === 'paused');
    expect(paused).toMatchObject({ pause_reason: 'canary_failed', counts: { failed: 1, pending: 2 } });
    expect(await runHandedJob(app, fleet[1]!, 'done')).toBeNull();

    const resumed = await app.request('POST', `/rollouts/${r.id}/resume`, { token });
    expect(resumed.body).toMatchObject({ state: 'running', pause_reason: null });
    await eventually(async () => (await targets(app, token, r.id, 'queued')).length === 2);
    for (const s of fleet.slice(1)) await runHandedJob(app, s, 'done');
    const done = await rolloutWhen(app, token, r.id, (x) => x.state === 'completed');
    expect(done.counts).toMatchObject({ failed: 1, completed: 2 });
  });
});

describe('failure thresholds', () => {
  it('pauses when a batch has more failures than max_failures; resume starts the next batch', async () => {
    const fleet = await onlineSites(app, 6, ['threshold']);
    const token = fleet[0]!.auth;
    const r = await createRollout(app, token, { targets: { tags: ['threshold'] }, batch_size: 3, max_failures: 1 });
    const first = await eventually(async () => {
      const q = await targets(app, token, r.id, 'queued');
      return q.length === 3 ? q : null;
    });
    const siteOf = (t: any) => fleet.find((s) => s.id === t.site_id)!;
    await runHandedJob(app, siteOf(first[0]), 'fail');
    await runHandedJob(app, siteOf(first[1]), 'done');
    // One failure is allowed: a step that sees both outcomes waits for the rest of the batch.
    expect((await stepRollout(app.deps, r.id)).did).toBe('waiting');
    expect((await getRollout(app, token, r.id)).state).toBe('running');
    await runHandedJob(app, siteOf(first[2]), 'fail');
    const paused = await rolloutWhen(app, token, r.id, (x) => x.state === 'paused');
    expect(paused).toMatchObject({ pause_reason: 'max_failures', batches: 1, counts: { failed: 2, completed: 1, pending: 3 } });

    // Pausing again changes nothing; resume counts only new failures.
    expect((await app.request('POST', `/rollouts/${r.id}/pause`, { token })).body.state).toBe('paused');
    await app.request('POST', `/rollouts/${r.id}/resume`, { token });
    const second = await eventually(async () => {
      const q = await targets(app, token, r.id, 'queued');
      return q.length === 3 ? q : null;
    });
    expect(second.every((t) => t.batch === 2)).toBe(true);
    for (const t of second) await runHandedJob(app, siteOf(t), 'done');
    const done = await rolloutWhen(app, token, r.id, (x) => x.state === 'completed');
    expect(done.counts).toMatchObject({ failed: 2, completed: 4 });
  });

  it('pauses on max_failure_ratio, and an operator pause stops the next batch', async () => {
    const fleet = await onlineSites(app, 4, ['ratio']);
    const token = fleet[0]!.auth;
    const r = await createRollout(app, token, { targets: { tags: ['ratio'] }, batch_size: 2, max_failure_ratio: 0.4 });
    const first = await eventually(async () => {
      const q = await targets(app, token, r.id, 'queued');
      return q.length === 2 ? q : null;
    });
    await runHandedJob(app, fleet.find((s) => s.id === first[0].site_id)!, 'fail');
    const paused = await rolloutWhen(app, token, r.id, (x) => x.state === 'paused');
    expect(paused.pause_reason).toBe('max_failure_ratio');
    const conflict = await app.request('POST', `/rollouts/${r.id}/approve`, { token: app.token('org-a', { sub: 'other' }) });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('rollout_state_conflict');
  });
});

describe('cancel', () => {
  it('cancels the queued jobs and pending targets mid-rollout; jobs a router already has run on', async () => {
    const fleet = await onlineSites(app, 5, ['cancel']);
    const token = fleet[0]!.auth;
    const r = await createRollout(app, token, { targets: { tags: ['cancel'] }, batch_size: 2 });
    const first = await eventually(async () => {
      const q = await targets(app, token, r.id, 'queued');
      return q.length === 2 ? q : null;
    });
    const handed = fleet.find((s) => s.id === first[0].site_id)!;
    const held = await runHandedJob(app, handed, 'hold');
    expect(held).toBe(first[0].job_id);

    const res = await app.request('POST', `/rollouts/${r.id}/cancel`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'cancelled', counts: { delivered: 1, cancelled: 4, pending: 0 } });
    const job = await app.request('GET', `/site/${first[1].site_id}/job/${first[1].job_id}`, { token });
    expect(job.body.status).toBe('cancelled');
    // The cancelled job is not handed out; the delivered one may still report.
    expect(await runHandedJob(app, fleet.find((s) => s.id === first[1].site_id)!, 'done')).toBeNull();
    expect((await app.request('POST', `/rollouts/${r.id}/cancel`, { token })).body.state).toBe('cancelled');
    const resume = await app.request('POST', `/rollouts/${r.id}/resume`, { token });
    expect(resume.status).toBe(409);
    const audit = await app.request('GET', `/audit?target=rollout:${r.id}`, { token });
    expect(audit.body.map((e: any) => e.action)).toEqual(['rollout.cancel', 'rollout.create']);
  });
});

describe('approval (two-person rule)', () => {
  it('waits in pending_approval; the creator cannot approve, another actor with rollouts:approve can', async () => {
    const fleet = await onlineSites(app, 2, ['approval']);
    const alice = app.token('org-a', { sub: 'alice' });
    const r = await createRollout(app, alice, { targets: { tags: ['approval'] }, requires_approval: true });
    expect(r).toMatchObject({ state: 'pending_approval', created_by: 'jwt:alice', counts: { total: 0 } });

    const self = await app.request('POST', `/rollouts/${r.id}/approve`, { token: alice });
    expect(self.status).toBe(403);
    expect(self.body.code).toBe('rollout_self_approval');
    const unscoped = await app.request('POST', `/rollouts/${r.id}/approve`, { token: app.token('org-a', { sub: 'carol', scope: 'rollouts:write jobs:read' }) });
    expect(unscoped.status).toBe(403);
    expect(unscoped.body.code).toBe('insufficient_scope');
    const otherOrg = await app.request('POST', `/rollouts/${r.id}/approve`, { token: app.token('org-b', { sub: 'bob' }) });
    expect(otherOrg.status).toBe(404);

    const bob = app.token('org-a', { sub: 'bob', scope: 'rollouts:approve jobs:read' });
    const approved = await app.request('POST', `/rollouts/${r.id}/approve`, { token: bob });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'running', approved_by: 'jwt:bob', counts: { total: 2 } });
    await eventually(async () => (await targets(app, bob, r.id, 'queued')).length === 2);
    for (const s of fleet) await runHandedJob(app, s, 'done');
    await rolloutWhen(app, bob, r.id, (x) => x.state === 'completed');
    const again = await app.request('POST', `/rollouts/${r.id}/approve`, { token: bob });
    expect(again.status).toBe(409);
    const audit = await app.request('GET', `/audit?target=rollout:${r.id}`, { token: alice });
    expect(audit.body.map((e: any) => [e.action, e.actor])).toEqual([
      ['rollout.approve', 'jwt:bob'],
      ['rollout.create', 'jwt:alice'],
    ]);
  });
});

describe('scheduled launch and skip_offline', () => {
  it('launch_at: nothing is resolved before it, the delayed step launches it', async () => {
    const fleet = await onlineSites(app, 1, ['scheduled']);
    const token = fleet[0]!.auth;
    const launchAt = new Date(Date.now() + 1_500).toISOString();
    const r = await createRollout(app, token, { targets: { tags: ['scheduled'] }, launch_at: launchAt });
    expect(r).toMatchObject({ state: 'scheduled', started_at: null, counts: { total: 0 } });
    const running = await rolloutWhen(app, token, r.id, (x) => x.counts.queued === 1);
    expect(new Date(running.started_at).getTime()).toBeGreaterThanOrEqual(new Date(launchAt).getTime());
  });

  it('records sites offline at their batch start as skipped_offline', async () => {
    const online = await onlineSites(app, 2, ['mixed']);
    const token = online[0]!.auth;
    const never = await buildSite(app, 'org-a', { name: 'never seen' });
    await app.request('PATCH', `/site/${never.id}`, { token, body: { tags: ['mixed'] } });
    const r = await createRollout(app, token, { targets: { tags: ['mixed'] }, skip_offline: true, batch_size: 10 });
    await eventually(async () => (await targets(app, token, r.id, 'queued')).length === 2);
    expect(await targets(app, token, r.id, 'skipped_offline')).toMatchObject([{ site_id: never.id, job_id: null, batch: 1 }]);
    for (const s of online) await runHandedJob(app, s, 'done');
    const done = await rolloutWhen(app, token, r.id, (x) => x.state === 'completed');
    expect(done.counts).toMatchObject({ completed: 2, skipped_offline: 1 });
    expect(await jobsPerSite(app, [never])).toEqual([0]);
  });
});

describe('targets and tenancy', () => {
  it('resolves site_ids, tags and query into one deduplicated, tenant-scoped snapshot', async () => {
    const fleet = await onlineSites(app, 3, ['dedup']);
    const foreign = await onlineSites(app, 1, ['dedup'], 'org-b');
    const token = fleet[0]!.auth;
    const refused = await app.request('POST', '/rollouts', {
      token,
      body: { description: 'Foreign', script: ':put 1', targets: { site_ids: [foreign[0]!.id] } },
    });
    expect(refused.status).toBe(404);
    expect(refused.body.code).toBe('site_not_found');
    const empty = await app.request('POST', '/rollouts', { token, body: { description: 'Nothing', script: ':put 1', targets: { tags: ['no-such-tag'] } } });
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('rollout_no_targets');

    const r = await createRollout(app, token, {
      targets: { site_ids: [fleet[0]!.id, fleet[1]!.id], tags: ['dedup'], query: { tag: 'dedup', status: 'online' } },
      requires_approval: true,
    });
    const approved = await app.request('POST', `/rollouts/${r.id}/approve`, { token: app.token('org-a', { sub: 'second' }) });
    expect(approved.body.counts.total).toBe(3);
    expect((await targets(app, token, r.id)).map((t) => t.site_id).sort()).toEqual(fleet.map((s) => s.id).sort());
    expect((await app.request('GET', `/rollouts/${r.id}`, { token: foreign[0]!.auth })).status).toBe(404);
    expect((await app.request('GET', `/rollouts/${r.id}/targets`, { token: foreign[0]!.auth })).status).toBe(404);
    const list = await app.request('GET', '/rollouts?limit=2', { token });
    expect(list.body).toHaveLength(2);
    expect(list.headers.get('x-next-cursor')).not.toBeNull();
    expect((await app.request('GET', '/rollouts', { token: foreign[0]!.auth })).body).toEqual([]);
  });
});
