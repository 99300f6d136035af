import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupKeys } from '../../src/backups/backup-crypto.js';
import { pruneBackups } from '../../src/backups/backups.service.js';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, startWorker, type TestWorker } from '../support/worker.js';
import { backupPart, buildJob, buildSite, callback, parseWrapper, poll, uploadBackup, type BuiltSite } from '../factories.js';

// The operator API: list, download, on-demand requests (created by the `backup` queue's worker),
// tenant isolation, and the maintenance worker's pruning.

let app: TestApp;
let worker: TestWorker;
beforeAll(async () => {
  app = await startApp();
  worker = await startWorker(app, ['backup']);
});
afterAll(async () => {
  await worker.close();
  await app.close();
});

async function storeBackup(site: BuiltSite, config: string): Promise<string> {
  await buildJob(app, site, { backup: true });
  const w = parseWrapper(await poll(app, site));
  await callback(app, w.busy!);
  expect((await uploadBackup(app, w, config)).text).toBe('stored');
  await callback(app, w.done!);
  const list = await app.request('GET', `/site/${site.id}/backup`, { token: site.auth });
  return list.body[0].filename;
}

function request(site: BuiltSite, headers: Record<string, string> = {}, token = site.auth) {
  return app.request('POST', `/site/${site.id}/backup`, { token, headers });
}

async function jobOf(site: BuiltSite, id: string): Promise<any> {
  const res = await app.request('GET', `/site/${site.id}/job/${id}`, { token: site.auth });
  return res.status === 200 ? res.body : null;
}

describe('POST /site/{siteId}/backup', () => {
  it('answers 202 and queues a backup-only job that the next poll delivers with the backup step', async () => {
    const site = await buildSite(app);
    const res = await request(site);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ message: 'Backup requested', job: expect.any(String) });
    const job = await eventually(() => jobOf(site, res.body.job));
    expect(job).toMatchObject({ should_backup: true, script: '', needs_acknowledgement: true, status: 'queued', associated_backup: null });

    const w = parseWrapper(await poll(app, site));
    expect(w.token).toBe(job.token);
    expect(w.script).toBe('');
    expect((await callback(app, w.busy!)).text).toBe('claimed');
    expect((await uploadBackup(app, w, '/system identity set name=on-demand\n')).text).toBe('stored');
    expect((await callback(app, w.done!)).text).toBe('ok');
    const done = await jobOf(site, job.id);
    expect(done.status).toBe('completed');
    const list = await app.request('GET', `/site/${site.id}/backup`, { token: site.auth });
    expect(list.body.map((b: any) => b.path)).toEqual([done.associated_backup]);
    expect(list.body[0].job_id).toBe(job.id);
  });

  it('returns the same job for a replayed X-Idempotency-Key and creates it once', async () => {
    const site = await buildSite(app);
    const key = randomUUID();
    const first = await request(site, { 'x-idempotency-key': key });
    await eventually(() => jobOf(site, first.body.job));
    const again = await request(site, { 'x-idempotency-key': key });
    expect(again.status).toBe(202);
    expect(again.body.job).toBe(first.body.job);
    const jobs = await app.request('GET', `/site/${site.id}/job`, { token: site.auth });
    expect(jobs.body.map((j: any) => j.id)).toEqual([first.body.job]);
    // Without a key every request is a new backup.
    expect((await request(site)).body.job).not.toBe(first.body.job);
  });

  it('refuses a key already used for another job of the site', async () => {
    const site = await buildSite(app);
    const key = randomUUID();
    await buildJob(app, site, { key });
    const res = await request(site, { 'x-idempotency-key': key });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('idempotency_key_reused');
  });
});

describe('GET /site/{siteId}/backup and /backup/{filename}', () => {
  it('lists nothing for a site without backups and answers 404 for an unknown file', async () => {
    const site = await buildSite(app);
    expect((await app.request('GET', `/site/${site.id}/backup`, { token: site.auth })).body).toEqual([]);
    const missing = await app.request('GET', `/site/${site.id}/backup/1732567800.rsc`, { token: site.auth });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('backup_not_found');
  });

  it('rejects a malformed filename, limit or site id with 400', async () => {
    const site = await buildSite(app);
    for (const path of [`/site/${site.id}/backup/..%2Fetc.rsc`, `/site/${site.id}/backup/123.backup`, `/site/${site.id}/backup?limit=0`, '/site/nope/backup']) {
      const res = await app.request('GET', path, { token: site.auth });
      expect(res.status, path).toBe(400);
    }
  });

  it('requires an operator token', async () => {
    const site = await buildSite(app);
    for (const method of ['GET', 'POST']) {
      const res = await app.request(method, `/site/${site.id}/backup`, { token: null });
      expect(res.status).toBe(401);
    }
  });
});

describe('tenant isolation', () => {
  it("hides one organisation's backups from another", async () => {
    const mine = await buildSite(app, 'org-a');
    const theirs = await buildSite(app, 'org-b');
    const filename = await storeBackup(mine, '/ip address add address=10.0.0.1/24 interface=ether1\n');
    for (const [method, path] of [
      ['GET', `/site/${mine.id}/backup`],
      ['GET', `/site/${mine.id}/backup/${filename}`],
      ['POST', `/site/${mine.id}/backup`],
    ] as const) {
      const res = await app.request(method, path, { token: theirs.auth });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.code).toBe('site_not_found');
    }
    // Their own site id with my filename reaches nothing either.
    const cross = await app.request('GET', `/site/${theirs.id}/backup/${filename}`, { token: theirs.auth });
    expect(cross.body.code).toBe('backup_not_found');
    expect((await app.request('GET', `/site/${mine.id}/backup/${filename}`, { token: mine.auth })).status).toBe(200);
  });
});

describe('pruning (maintenance task)', () => {
  it('deletes backups past BACKUP_RETENTION_DAYS and parts of abandoned uploads', async () => {
    const site = await buildSite(app);
    const old = await storeBackup(site, '/system identity set name=old\n');
    // An upload that never commits.
    await buildJob(app, site, { backup: true });
    const w = parseWrapper(await poll(app, site));
    await callback(app, w.busy!);
    expect((await backupPart(w, 0, 'partial')).text).toBe('ok');
    await callback(app, w.fail!);

    expect(await pruneBackups(app.deps)).toEqual({ backups: 0, parts: 0 });
    app.clock.advance(2 * 86_400_000);
    expect(await pruneBackups(app.deps)).toMatchObject({ backups: 0, parts: 1 });
    app.clock.advance((app.config.backup.retentionDays - 1) * 86_400_000);
    const fresh = await storeBackup(site, '/system identity set name=fresh\n');
    expect((await pruneBackups(app.deps))!.backups).toBeGreaterThanOrEqual(1);
    const gone = await app.request('GET', `/site/${site.id}/backup/${old}`, { token: site.auth });
    expect(gone.body.code).toBe('backup_not_found');
    expect((await app.request('GET', `/site/${site.id}/backup/${fresh}`, { token: site.auth })).status).toBe(200);
  });
});

describe('encryption at rest', () => {
  const key = (id: string, byte: number): string => `${id}:${Buffer.alloc(32, byte).toString('base64')}`;

  it('stores ciphertext only, serves the export byte for byte, and reads old backups after a key rotation', async () => {
    const site = await buildSite(app);
    const config = '/system identity set name=secret-router\n/ppp secret add name=u password=hunter2\n';
    const filename = await storeBackup(site, config);
    const row = await app.deps.db.backup.findUniqueOrThrow({ where: { path: `${site.id}/${filename}` } });
    expect(Buffer.from(row.content).includes('hunter2')).toBe(false);
    expect(row.size).toBe(Buffer.byteLength(config));
    const got = await app.request('GET', `/site/${site.id}/backup/${filename}`, { token: site.auth });
    expect(got.text).toBe(config);

    // A second API process over the same data, with a new current key and the old one kept.
    const rotated = await startApp({ share: app, env: { BACKUP_KEYS: `${key('new', 1)},dev:${backupKeys(app.config)[0]!.key.toString('base64')}` } });
    try {
      expect((await rotated.request('GET', `/site/${site.id}/backup/${filename}`, { token: site.auth })).text).toBe(config);
      // Without the old key the backup cannot be read, and the API says so without leaking it.
      const lost = await startApp({ share: app, env: { BACKUP_KEYS: key('new', 1) } });
      try {
        const res = await lost.request('GET', `/site/${site.id}/backup/${filename}`, { token: site.auth });
        expect(res.status).toBe(500);
        expect(res.text).not.toContain('hunter2');
      } finally {
        await lost.close();
      }
    } finally {
      await rotated.close();
    }
  });

  it('serves a backup stored before encryption as it is', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site);
    const plain = Buffer.from('/system identity set name=legacy\n');
    await app.deps.db.backup.create({
      data: { path: `${site.id}/100.rsc`, siteId: site.id, jobId: job.id, size: plain.length, sha256: 'f'.repeat(64), content: plain },
    });
    expect((await app.request('GET', `/site/${site.id}/backup/100.rsc`, { token: site.auth })).text).toBe(plain.toString());
  });
});

describe('schema', () => {
  it('serves the backup models through the generated client, as the migration created them', async () => {
    const site = await buildSite(app);
    const db = app.deps.db;
    const job = await buildJob(app, site);
    const content = Buffer.from('/system identity set name=x\n');
    await db.backup.create({ data: { path: `${site.id}/1.rsc`, siteId: site.id, jobId: job.id, size: content.length, sha256: 'f'.repeat(64), content } });
    await db.backupPart.create({ data: { jobId: job.id, attempt: 1, part: 0, content } });
    const found = await db.backup.findUnique({ where: { path: `${site.id}/1.rsc` }, include: { job: { include: { backupParts: true } } } });
    expect(Buffer.from(found!.content).equals(content)).toBe(true);
    expect(found!.job?.backupParts).toHaveLength(1);
    // Deleting the job keeps the backup (job_id becomes null) and drops its parts.
    await db.job.delete({ where: { id: job.id } });
    expect((await db.backup.findUnique({ where: { path: `${site.id}/1.rsc` } }))!.jobId).toBeNull();
    expect(await db.backupPart.count({ where: { jobId: job.id } })).toBe(0);
  });
});
