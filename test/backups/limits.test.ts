import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sql from 'sql-template-tag';
import { savePart } from '../../src/backups/backups.repo.js';
import { startApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/worker.js';
import { backupPart, buildJob, buildSite, callback, parseWrapper, poll, type BuiltSite } from '../factories.js';

// Size limits of the backup step: per part (64 KiB), per backup (BACKUP_MAX_BYTES, here its
// minimum), and the wrapper budget, which the backup step's bytes count against.

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ env: { BACKUP_MAX_BYTES: '65536' } });
});
afterAll(async () => {
  await app.close();
});

/** How many sessions of this test's database wait for an advisory lock. */
async function waitingOnLock(): Promise<number> {
  const [row] = await app.deps.sql.rows<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid)
        WHERE NOT l.granted AND l.locktype = 'advisory' AND a.datname = current_database()`,
  );
  return row!.n;
}

async function claimed(site: BuiltSite): Promise<ReturnType<typeof parseWrapper>> {
  await buildJob(app, site, { backup: true });
  const w = parseWrapper(await poll(app, site));
  expect((await callback(app, w.busy!)).text).toBe('claimed');
  return w;
}

describe('backup size limits', () => {
  it('refuses a part over 64 KiB with 413 body_too_large', async () => {
    const w = await claimed(await buildSite(app));
    const res = await backupPart(w, 0, Buffer.alloc(65_537, 0x61));
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('body_too_large');
    expect((await backupPart(w, 0, Buffer.alloc(65_536, 0x61))).text).toBe('ok');
  });

  it('refuses the part that would take a backup over BACKUP_MAX_BYTES, counting a replaced part once', async () => {
    const site = await buildSite(app);
    const w = await claimed(site);
    const chunk = Buffer.alloc(32_000, 0x61);
    expect((await backupPart(w, 0, chunk)).text).toBe('ok');
    expect((await backupPart(w, 0, chunk)).text).toBe('ok');
    expect((await backupPart(w, 1, chunk)).text).toBe('ok');
    const over = await backupPart(w, 2, chunk);
    expect(over.status).toBe(413);
    expect(over.body.code).toBe('backup_too_large');
    // The wrapper's step then fails, and it reports so.
    expect((await callback(app, `${w.fail!}&reason=backup`)).text).toBe('ok');
    const events = await app.request('GET', `/site/${site.id}/job/${new URL(w.part!).pathname.split('/')[2]!}/events`, { token: site.auth });
    expect(events.body.map((e: any) => e.type)).toContain('backup_failed');
  });

  it('holds BACKUP_MAX_BYTES when parts arrive at the same time', async () => {
    const w = await claimed(await buildSite(app));
    const jobId = new URL(w.part!).pathname.split('/')[2]!;
    const max = app.config.backup.maxBytes;
    const chunk = Buffer.alloc(40_000, 0x61); // any two are over the limit together
    const now = new Date();
    // Part 0 is saved in a transaction that stays open until part 1 is under way.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let firstSaved = false;
    const first = app.deps.sql.transaction(async (tx) => {
      const saved = await savePart(tx, { jobId, attempt: 1, part: 0, content: chunk }, max, now);
      firstSaved = true;
      await held;
      return saved;
    });
    await eventually(() => Promise.resolve(firstSaved));
    let secondDone = false;
    const second = savePart(app.deps.sql, { jobId, attempt: 1, part: 1, content: chunk }, max, now).finally(() => {
      secondDone = true;
    });
    // Part 1 must wait for part 0's transaction (or, without the lock, it would go through unseen).
    await eventually(async () => secondDone || (await waitingOnLock()) > 0);
    release();
    expect(await first).toBe(true);
    expect(await second).toBe(false);
    expect(await app.deps.db.backupPart.findMany({ where: { jobId }, select: { part: true } })).toEqual([{ part: 0 }]);
  });

  it('counts the backup step against WRAPPER_LIMIT_BYTES exactly', async () => {
    const site = await buildSite(app);
    const limit = app.config.wrapperLimitBytes;
    const create = (script: string, backup: boolean) =>
      app.request('POST', `/site/${site.id}/job`, {
        token: site.auth,
        headers: { 'content-type': 'text/plain', 'x-idempotency-key': randomUUID(), 'x-description': 'size probe', 'x-backup': String(backup) },
        body: script,
      });
    let lo = 1_000;
    let hi = limit;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const res = await create('a'.repeat(mid), true);
      if (res.status === 201) lo = mid;
      else {
        expect(res.body.code).toBe('script_too_large');
        hi = mid;
      }
    }
    // One byte more is refused with the step and accepted without it: the step's bytes count.
    expect((await create('a'.repeat(lo + 1), true)).body.code).toBe('script_too_large');
    expect((await create('a'.repeat(lo + 1), false)).status).toBe(201);
    // The largest accepted backup job is deliverable within the limit, and the bound is tight.
    const s2 = await buildSite(app);
    await buildJob(app, s2, { backup: true, script: 'a'.repeat(lo) });
    const text = await poll(app, s2);
    const w = parseWrapper(text);
    expect(w.script).toBe('a'.repeat(lo));
    expect(w.part).toBeDefined();
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(limit);
    expect(limit - Buffer.byteLength(text)).toBeLessThan(100);
  });
});
