import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, startWorker } from '../support/worker.js';
import { buildJob, buildSite } from '../factories.js';

let app: TestApp;
let db: pg.Client;
beforeAll(async () => {
  app = await startApp();
  db = new pg.Client({ connectionString: app.dbUrl });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await app.close();
});

const outboxRows = async (): Promise<{ job_key: string; relayed_at: Date | null }[]> =>
  (await db.query('SELECT job_key, relayed_at FROM outbox ORDER BY id')).rows;

async function eventTypes(site: { id: string; auth: string }, jobId: string): Promise<string[]> {
  const res = await app.request('GET', `/site/${site.id}/job/${jobId}/events`, { token: site.auth });
  return res.body.map((e: { type: string }) => e.type);
}

describe('transactional outbox', () => {
  it('writes a row in the job’s own transaction and retires it once the worker finished the work', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site, { express: true });
    expect((await outboxRows()).map((r) => r.job_key)).toEqual([`express-${job.id}`]);
    const worker = await startWorker(app);
    try {
      await eventually(async () => (await eventTypes(site, job.id)).includes('express_failed'));
      await eventually(async () => (await outboxRows()).length === 0);
    } finally {
      await worker.close();
    }
  });

  it('relays again work Redis lost after it was relayed (a wipe before the worker ran it)', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site, { express: true });
    // As if a relay had handed it to BullMQ two minutes ago and Redis then lost everything.
    await db.query(`UPDATE outbox SET relayed_at = now() - interval '2 minutes'`);
    const worker = await startWorker(app);
    try {
      await eventually(async () => (await eventTypes(site, job.id)).includes('express_failed'));
      expect((await eventTypes(site, job.id)).filter((t) => t === 'express_failed')).toHaveLength(1);
      await eventually(async () => (await outboxRows()).length === 0);
    } finally {
      await worker.close();
    }
  });
});
