import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stepRollout } from '../../src/rollouts/rollouts.service.js';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, startWorker, type TestWorker } from '../support/worker.js';
import { createRollout, jobsPerSite, onlineSites, rolloutWhen, runHandedJob, targets } from './support.js';

// Crash and restart: the rollout's state lives in PostgreSQL, every step takes the rollout's row
// lock, and each target's job has an id and idempotency key derived from (rollout, site). A worker
// stopped mid-rollout, steps run twice or at once, even a step replayed after losing its mark of
// a dispatched target, must never give a site a second job.

let app: TestApp;
let worker: TestWorker;
let db: pg.Client;
beforeAll(async () => {
  app = await startApp();
  worker = await startWorker(app);
  db = new pg.Client({ connectionString: app.dbUrl });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await worker.close();
  await app.close();
});

describe('a rollout across a worker restart', () => {
  it('finishes with exactly one job per site', async () => {
    const fleet = await onlineSites(app, 6, ['restart']);
    const token = fleet[0]!.auth;
    const r = await createRollout(app, token, { targets: { tags: ['restart'] }, batch_size: 2 });
    const first = await eventually(async () => {
      const q = await targets(app, token, r.id, 'queued');
      return q.length === 2 ? q : null;
    });

    // The worker goes away mid-rollout; the batch's jobs settle meanwhile (their outbox rows wait).
    await worker.close();
    for (const t of first) await runHandedJob(app, fleet.find((s) => s.id === t.site_id)!, 'done');
    // The worst a crash could leave: a step that dispatched a target but whose mark was lost.
    await db.query(`UPDATE rollout_target SET state = 'pending', job_id = NULL, batch = NULL WHERE rollout_id = $1 AND site_id = $2`, [
      r.id,
      first[0].site_id,
    ]);

    // A new worker, and ten more steps at once from another process's point of view.
    worker = await startWorker(app);
    await Promise.all(Array.from({ length: 10 }, () => stepRollout(app.deps, r.id)));
    for (;;) {
      const queued = await targets(app, token, r.id, 'queued');
      for (const t of queued) await runHandedJob(app, fleet.find((s) => s.id === t.site_id)!, 'done');
      const now = await rolloutWhen(app, token, r.id, (x) => x.state === 'completed' || x.counts.queued > 0);
      if (now.state === 'completed') break;
    }
    expect(await jobsPerSite(app, fleet)).toEqual([1, 1, 1, 1, 1, 1]);
    const redone = (await targets(app, token, r.id)).find((t) => t.site_id === first[0].site_id);
    expect(redone).toMatchObject({ job_id: first[0].job_id, state: 'completed' });
    const { rows } = await db.query('SELECT count(*)::int AS n, count(DISTINCT site_id)::int AS sites FROM job WHERE rollout_id = $1', [r.id]);
    expect(rows[0]).toEqual({ n: 6, sites: 6 });
  });
});
