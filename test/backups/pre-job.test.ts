import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import {
  backupCommit,
  backupPart,
  buildJob,
  buildSite,
  callback,
  parseWrapper,
  poll,
  uploadBackup,
  type BuiltSite,
  type Wrapper,
} from '../factories.js';

// The pre-job backup step, driven by hand the way the wrapper's HTTP calls would run it:
// claim (busy) → POST parts → commit → payload only on "stored" → done, or fail(&reason=backup).

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

/** An export of about 70 kB (three parts) with a multibyte character cut by the first part boundary. */
function exportText(tag: string): string {
  const head = `# 2025-10-29 12:50:00 by RouterOS 7.19.4\n# software id = ${tag}\n`;
  const filler = '/ip firewall filter add chain=input action=accept comment="x"\n';
  let body = head;
  while (Buffer.byteLength(body) < 31_999) body += filler;
  body = Buffer.from(body).subarray(0, 31_999).toString('latin1');
  return `${body}é/system identity set name="Café ✓"\n${filler.repeat(600)}`;
}

async function deliveredBackupJob(o: { needsAck?: boolean } = {}): Promise<{ site: BuiltSite; job: any; w: Wrapper }> {
  const site = await buildSite(app);
  const job = await buildJob(app, site, { backup: true, ...o });
  return { site, job, w: parseWrapper(await poll(app, site)) };
}

async function getJob(site: BuiltSite, id: string): Promise<any> {
  return (await app.request('GET', `/site/${site.id}/job/${id}`, { token: site.auth })).body;
}

async function events(site: BuiltSite, id: string): Promise<{ type: string; detail: any }[]> {
  return (await app.request('GET', `/site/${site.id}/job/${id}/events`, { token: site.auth })).body;
}

async function backups(site: BuiltSite): Promise<any[]> {
  return (await app.request('GET', `/site/${site.id}/backup`, { token: site.auth })).body;
}

describe('a backup that succeeds', () => {
  it('stores the exact export, names it on the job, and lets the payload run and report', async () => {
    const { site, job, w } = await deliveredBackupJob();
    expect(w.part).toMatch(new RegExp(`/job/${job.id}/backup\\?attempt=1&signature=`));
    expect(w.commit).toMatch(new RegExp(`/job/${job.id}/backup/commit\\?attempt=1&signature=`));
    expect((await callback(app, w.busy!)).text).toBe('claimed');
    const config = exportText('AAAA-BBBB');
    const before = Math.floor(app.clock() / 1000);
    const commit = await uploadBackup(app, w, config);
    expect(commit).toMatchObject({ status: 200, text: 'stored' });

    const stored = await getJob(site, job.id);
    expect(stored.status).toBe('started');
    expect(stored.associated_backup).toMatch(new RegExp(`^${site.id}/\\d+\\.rsc$`));
    const seconds = Number(/\/(\d+)\.rsc$/.exec(stored.associated_backup)![1]);
    expect(seconds).toBeGreaterThanOrEqual(before);
    expect(seconds).toBeLessThanOrEqual(Math.floor(app.clock() / 1000) + 1);

    const file = await app.request('GET', `/site/${site.id}/backup/${seconds}.rsc`, { token: site.auth });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(file.text).toBe(config);
    const [listed] = await backups(site);
    expect(listed).toMatchObject({ filename: `${seconds}.rsc`, path: stored.associated_backup, size: Buffer.byteLength(config), job_id: job.id });
    expect(file.headers.get('etag')).toBe(`"${listed.sha256}"`);

    // The payload ran; the wrapper reports done.
    expect((await callback(app, w.done!)).text).toBe('ok');
    expect((await getJob(site, job.id)).status).toBe('completed');
    const evs = await events(site, job.id);
    expect(evs.map((e) => e.type)).toEqual(['created', 'delivered', 'started', 'backup_stored', 'completed']);
    expect(evs[3]!.detail).toEqual({ path: stored.associated_backup, size: Buffer.byteLength(config), sha256: listed.sha256 });
  });

  it('answers a repeated commit with "stored" again and keeps one backup', async () => {
    const { site, w } = await deliveredBackupJob();
    await callback(app, w.busy!);
    const config = '/system identity set name=r1\n';
    expect((await uploadBackup(app, w, config)).text).toBe('stored');
    expect((await backupCommit(app, w, 1, Buffer.byteLength(config))).text).toBe('stored');
    expect(await backups(site)).toHaveLength(1);
    // The upload is closed once stored.
    expect((await backupPart(w, 0, 'late')).body.code).toBe('backup_refused');
  });

  it('names backups of one site uniquely and lists them newest first', async () => {
    const site = await buildSite(app);
    const paths: string[] = [];
    for (const name of ['first', 'second', 'third']) {
      const job = await buildJob(app, site, { backup: true });
      const w = parseWrapper(await poll(app, site));
      await callback(app, w.busy!);
      expect((await uploadBackup(app, w, `/system identity set name=${name}\n`)).text).toBe('stored');
      await callback(app, w.done!);
      paths.push((await getJob(site, job.id)).associated_backup);
    }
    expect(new Set(paths).size).toBe(3);
    expect((await backups(site)).map((b) => b.path)).toEqual([...paths].reverse());
  });

  it('runs a backup job acknowledged even when X-Needs-Ack is false', async () => {
    const { site, job, w } = await deliveredBackupJob({ needsAck: false });
    expect(job.needs_acknowledgement).toBe(false);
    expect((await getJob(site, job.id)).status).toBe('delivered');
    expect(w.busy).toBeDefined();
    expect(w.part).toBeDefined();
    expect((await callback(app, w.busy!)).text).toBe('claimed');
    expect((await uploadBackup(app, w, '/ip dns set servers=9.9.9.9\n')).text).toBe('stored');
    expect((await callback(app, w.done!)).text).toBe('ok');
    expect((await getJob(site, job.id)).status).toBe('completed');
  });
});

describe('a backup that fails', () => {
  it('refuses a commit with a missing part, fails the job with the reason and stores nothing', async () => {
    const { site, job, w } = await deliveredBackupJob();
    await callback(app, w.busy!);
    const config = Buffer.from(exportText('CCCC'));
    await backupPart(w, 0, config.subarray(0, 32_000));
    await backupPart(w, 2, config.subarray(64_000));
    const commit = await backupCommit(app, w, 3, config.length);
    expect(commit.status).toBe(409);
    expect(commit.body.code).toBe('backup_incomplete');
    expect(commit.body.message).toContain('part 1 of 3 is missing');

    // The wrapper saw no "stored": it skips the payload and reports fail with the reason.
    expect((await callback(app, `${w.fail!}&reason=backup`)).text).toBe('ok');
    const failed = await getJob(site, job.id);
    expect(failed).toMatchObject({ status: 'failed', associated_backup: null, completed_at: null });
    const evs = await events(site, job.id);
    expect(evs.map((e) => e.type)).toEqual(['created', 'delivered', 'started', 'backup_failed', 'failed']);
    expect(evs[3]!.detail).toEqual({ reason: 'part 1 of 3 is missing' });
    expect(evs[4]!.detail).toEqual({ reason: 'backup failed: truncated' });
    // A done that should never come changes nothing.
    await callback(app, w.done!);
    expect((await getJob(site, job.id)).status).toBe('failed');
    expect(await backups(site)).toEqual([]);
  });

  it('refuses a commit whose length does not match the parts', async () => {
    const { site, job, w } = await deliveredBackupJob();
    await callback(app, w.busy!);
    await backupPart(w, 0, '/system identity set name=r1\n');
    const commit = await backupCommit(app, w, 1, 9_999);
    expect(commit.body.code).toBe('backup_incomplete');
    expect(commit.body.message).toContain('29 bytes arrived, 9999 were announced');
    expect((await getJob(site, job.id)).status).toBe('failed');
    expect(await backups(site)).toEqual([]);
  });

  it('refuses an export that does not end with a line break (cut short), failing the job as truncated', async () => {
    const { site, job, w } = await deliveredBackupJob();
    await callback(app, w.busy!);
    const cut = '/system identity set name=r1\n/ip address add addr';
    await backupPart(w, 0, cut);
    const commit = await backupCommit(app, w, 1, Buffer.byteLength(cut));
    expect([commit.status, commit.body.code]).toEqual([409, 'backup_incomplete']);
    expect(commit.body.message).toContain('does not end with a line break');
    const evs = await events(site, job.id);
    expect(evs.at(-1)).toMatchObject({ type: 'failed', detail: { reason: 'backup failed: truncated' } });
    expect(await backups(site)).toEqual([]);
  });

  it('fails the job with the reason when the router reports that its backup step failed', async () => {
    const { site, job, w } = await deliveredBackupJob();
    await callback(app, w.busy!);
    // e.g. :execute … as-string is missing (RouterOS v6): no part, no commit.
    expect((await callback(app, `${w.fail!}&reason=backup`)).text).toBe('ok');
    const evs = await events(site, job.id);
    expect(evs.map((e) => e.type)).toEqual(['created', 'delivered', 'started', 'backup_failed', 'failed']);
    expect(evs[4]!.detail).toEqual({ reason: 'backup failed' });
    expect((await getJob(site, job.id)).failed_at).not.toBeNull();
  });

  it('treats reason=backup on a job without a backup step as a plain fail', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site);
    const w = parseWrapper(await poll(app, site));
    expect(w.part).toBeUndefined();
    await callback(app, w.busy!);
    expect((await callback(app, `${w.fail!}&reason=backup`)).text).toBe('ok');
    expect((await events(site, job.id)).map((e) => e.type)).toEqual(['created', 'delivered', 'started', 'failed']);
  });

  it('refuses bad, tampered and cross-job signatures with 403', async () => {
    const { job, w } = await deliveredBackupJob();
    const other = await deliveredBackupJob();
    await callback(app, w.busy!);
    const bad: Wrapper[] = [
      { ...w, part: w.part!.replace(/signature=[^&]+/, 'signature=AAAA'), commit: w.commit!.replace(/signature=[^&]+/, 'signature=AAAA') },
      { ...w, part: w.part!.replace('attempt=1', 'attempt=2'), commit: w.commit!.replace('attempt=1', 'attempt=2') },
      { ...w, part: other.w.part!.replace(other.job.id, job.id), commit: other.w.commit!.replace(other.job.id, job.id) },
      // A callback signature is no backup signature.
      { ...w, part: `${app.url}/job/${job.id}/backup?attempt=1&signature=${new URL(w.busy!).searchParams.get('signature')!}`, commit: undefined },
    ];
    for (const b of bad) {
      const part = await backupPart(b, 0, 'x');
      expect(part.status).toBe(403);
      expect(part.body.code).toBe('signature_invalid');
      if (b.commit) expect((await backupCommit(app, b, 1, 1)).status).toBe(403);
    }
    // None of it touched the job's real upload.
    expect((await uploadBackup(app, w, 'ok\n')).text).toBe('stored');
  });

  it('refuses parts and commits from an earlier delivery attempt', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site, { backup: true, leaseSeconds: 5 });
    const first = parseWrapper(await poll(app, site));
    app.clock.advance(6_000);
    const second = parseWrapper(await poll(app, site));
    expect(second.part).toContain('attempt=2');
    expect((await callback(app, first.busy!)).status).toBe(409);
    expect((await callback(app, second.busy!)).text).toBe('claimed');
    const stale = await backupPart(first, 0, '/system identity set name=stale\n');
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('backup_refused');
    expect((await backupCommit(app, first, 1, 31)).body.code).toBe('backup_refused');
    // The current delivery is unaffected.
    expect((await uploadBackup(app, second, '/system identity set name=fresh\n')).text).toBe('stored');
    const file = await app.request('GET', `/site/${site.id}/backup/${(await getJob(site, job.id)).associated_backup.split('/')[1]}`, { token: site.auth });
    expect(file.text).toBe('/system identity set name=fresh\n');
  });

  it('refuses uploads before the claim, and for jobs without a backup step', async () => {
    const { w } = await deliveredBackupJob();
    const early = await backupPart(w, 0, 'x');
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('backup_refused');
    const site = await buildSite(app);
    const plain = await buildJob(app, site);
    const pw = parseWrapper(await poll(app, site));
    await callback(app, pw.busy!);
    const urls = app.deps.signer.backupUrls(plain.id, 1);
    expect((await backupPart({ ...pw, ...urls }, 0, 'x')).body.code).toBe('backup_refused');
    const ghost = app.deps.signer.backupUrls('8b8b2e5e-1a19-4a19-8b19-1e1919191919', 1);
    expect((await backupPart({ ...pw, ...ghost }, 0, 'x')).status).toBe(404);
  });

  it('rejects malformed upload parameters with 400 naming them', async () => {
    const { w } = await deliveredBackupJob();
    for (const [url, param] of [
      [`${w.part!}&part=-1`, 'part'],
      [`${w.part!}&part=1024`, 'part'],
      [w.part!, 'part'],
    ] as const) {
      const res = await fetch(url, { method: 'POST', body: 'x' });
      const body = (await res.json()) as { message: string };
      expect(res.status).toBe(400);
      expect(body.message).toContain(param);
    }
    const commit = await app.request('POST', `${w.commit!.slice(app.url.length)}&parts=1`);
    expect(commit.status).toBe(400);
    expect(commit.body.message).toContain('length');
  });
});
