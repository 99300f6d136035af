import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callback, parseWrapper, poll, uploadBackup, type BuiltSite } from '../factories.js';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, startWorker, type TestWorker } from '../support/worker.js';
import { createRollout, onlineSites, rolloutWhen, targets } from './support.js';

// A rollout with safe apply (rollback_after_seconds): every job carries the rollback; a job
// waiting for its confirmation is still in flight, and one the router rolled back is a failure
// that trips the rollout's threshold.

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

const EXPORT = '# 2026-12-02 03:00:00 by RouterOS 7.19.4\n/system identity set name=r1\n';

describe('a rollout with safe apply', () => {
  it('gives every job the rollback, waits on confirmations, and pauses when a router rolled back', async () => {
    const fleet = await onlineSites(app, 2, ['safe-apply']);
    const token = fleet[0]!.auth;
    const r = await createRollout(app, token, { targets: { tags: ['safe-apply'] }, batch_size: 1, max_failures: 0, rollback_after_seconds: 120 });
    expect(r).toMatchObject({ rollback_after_seconds: 120, make_backup: true, state: 'running' });

    const [first] = await eventually(async () => {
      const queued = await targets(app, token, r.id, 'queued');
      return queued.length === 1 ? queued : null;
    });
    const site = fleet.find((s) => s.id === first.site_id) as BuiltSite;
    const job = (await app.request('GET', `/site/${site.id}/job/${first.job_id}`, { token })).body;
    expect(job).toMatchObject({ rollback_after_seconds: 120, should_backup: true });

    // The router runs it: backup, change, done. The job now waits for a later poll to confirm it.
    const w = parseWrapper(await poll(app, site));
    expect((await callback(app, w.busy!)).text).toBe('claimed');
    expect((await uploadBackup(app, w, EXPORT)).text).toBe('stored');
    expect((await callback(app, w.done!)).status).toBe(200);
    await rolloutWhen(app, token, r.id, (x) => x.counts.awaiting_confirmation === 1);

    // It never polled again in time: it restored its configuration, rebooted and says so.
    await poll(app, site, `rolled-back=${w.token};uptime=20s`);
    const paused = await rolloutWhen(app, token, r.id, (x) => x.state === 'paused');
    expect(paused.counts).toMatchObject({ rolled_back: 1, awaiting_confirmation: 0, pending: 1 });
    expect((await targets(app, token, r.id, 'rolled_back')).map((t) => t.site_id)).toEqual([site.id]);
  });

  it('refuses a rollback window outside 60-3600 seconds', async () => {
    const [s] = await onlineSites(app, 1, ['safe-apply-bad']);
    for (const seconds of [30, 7200]) {
      const res = await app.request('POST', '/rollouts', {
        token: s!.auth,
        body: { description: 'x', script: '/ip dns set cache-size=4096', targets: { tags: ['safe-apply-bad'] }, rollback_after_seconds: seconds },
      });
      expect(res.status).toBe(400);
    }
  });
});
