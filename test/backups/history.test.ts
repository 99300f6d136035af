import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueSchedules } from '../../src/backups/schedules.service.js';
import { sql } from '../../src/db/sql.js';
import { drainSamples } from '../../src/fleet/samples.service.js';
import { buildSite, callback, parseWrapper, poll, uploadBackup, type BuiltSite } from '../factories.js';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, startWorker, type TestWorker } from '../support/worker.js';
import { startReceiver, type Receiver } from '../webhooks/support.js';

// Configuration history: scheduled backups run as ordinary backup jobs; a backup equal to the
// site's latest (but for the export's timestamp line) is recorded as unchanged, not stored again;
// one that differs is stored and announced as config.changed; any two backups can be diffed.

let app: TestApp;
let worker: TestWorker;
let receiver: Receiver;

beforeAll(async () => {
  app = await startApp({ env: { OUTBOUND_ALLOWLIST: '127.0.0.1/32' } });
  worker = await startWorker(app, ['backup', 'webhook']);
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await worker.close();
  await app.close();
});

const HOUR = 3_600_000;

function exportOf(config: string, at: string): string {
  return `# ${at} by RouterOS 7.19.4\n# software id = ABCD-1234\n${config}`;
}

async function schedule(site: BuiltSite, body: Record<string, unknown>): Promise<any> {
  const res = await app.request('POST', '/backup-schedules', { token: site.auth, body });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

/** Moves the clock to the schedule's next run and runs the due schedules as the worker's tick does. */
async function runNext(site: BuiltSite, scheduleId: string): Promise<void> {
  const s = (await app.request('GET', `/backup-schedules/${scheduleId}`, { token: site.auth })).body;
  const wait = Date.parse(s.next_run_at) - app.clock();
  if (wait > 0) app.clock.advance(wait);
  await runDueSchedules(app.deps);
}

/** Waits for the site's newest queued backup job, runs it like the router would with `content`, and returns it. */
async function runBackupJob(site: BuiltSite, content: string, seen: Set<string>): Promise<any> {
  const job = await eventually(async () => {
    const jobs = (await app.request('GET', `/site/${site.id}/job`, { token: site.auth })).body as any[];
    return jobs.find((j) => !seen.has(j.id) && j.should_backup);
  });
  seen.add(job.id);
  const w = parseWrapper(await poll(app, site));
  expect(w.busy).toContain(`/job/${job.id}/`);
  expect((await callback(app, w.busy!)).text).toBe('claimed');
  expect((await uploadBackup(app, w, content)).text).toBe('stored');
  expect((await callback(app, w.done!)).status).toBe(200);
  return (await app.request('GET', `/site/${site.id}/job/${job.id}`, { token: site.auth })).body;
}

async function eventTypes(site: BuiltSite, jobId: string): Promise<any[]> {
  return (await app.request('GET', `/site/${site.id}/job/${jobId}/events`, { token: site.auth })).body;
}

describe('a scheduled backup of one site', () => {
  it('stores a new configuration, records an unchanged one without storing it, and announces a change', async () => {
    const site = await buildSite(app);
    const s = await schedule(site, { site_id: site.id, cron: '0 * * * *', spread_minutes: 0, notify_url: `${receiver.url}/drift` });
    expect(s).toMatchObject({ site_id: site.id, tag: null, cron: '0 * * * *', time_zone: 'UTC', spread_minutes: 0, last_run_at: null });
    const seen = new Set<string>();

    await runNext(site, s.id);
    const first = await runBackupJob(site, exportOf('/system identity set name=r1\n', '2026-12-01 03:00:00'), seen);
    expect(first).toMatchObject({ status: 'completed', description: `Configuration backup (schedule ${s.id})`, notify_url: `${receiver.url}/drift` });
    const [stored] = (await app.request('GET', `/site/${site.id}/backup`, { token: site.auth })).body;
    expect(stored.path).toBe(first.associated_backup);
    expect((await eventTypes(site, first.id)).map((e) => e.type)).not.toContain('config_changed');

    // An hour later the router exports the same configuration under a new timestamp line.
    await runNext(site, s.id);
    const again = await runBackupJob(site, exportOf('/system identity set name=r1\n', '2026-12-01 04:00:00'), seen);
    expect(again.associated_backup).toBe(first.associated_backup);
    const againEvents = await eventTypes(site, again.id);
    expect(againEvents.map((e) => e.type)).toContain('backup_unchanged');
    expect(againEvents.map((e) => e.type)).not.toContain('backup_stored');
    const list = (await app.request('GET', `/site/${site.id}/backup`, { token: site.auth })).body;
    expect(list).toHaveLength(1);
    expect(Date.parse(list[0].checked_at)).toBeGreaterThan(Date.parse(list[0].created_at));

    // Someone changed the router: the next backup is stored and config.changed goes out.
    await runNext(site, s.id);
    const changed = await runBackupJob(site, exportOf('/system identity set name=r1-renamed\n', '2026-12-01 05:00:00'), seen);
    expect(changed.associated_backup).not.toBe(first.associated_backup);
    const drift = (await eventTypes(site, changed.id)).find((e) => e.type === 'config_changed');
    expect(drift.detail).toEqual({ path: changed.associated_backup, previous: first.associated_backup });
    const hook = await eventually(() => Promise.resolve(receiver.requests.find((r) => r.json?.type === 'config.changed' && r.json.data.job.id === changed.id)));
    expect(hook.event).toBe('config.changed');
    expect(hook.json.data).toMatchObject({ site_id: site.id, detail: { path: changed.associated_backup, previous: first.associated_backup } });

    // The diff between the two stored backups shows the changed line (and the timestamp line).
    const from = first.associated_backup.split('/')[1];
    const to = changed.associated_backup.split('/')[1];
    const diff = await app.request('GET', `/site/${site.id}/backup/${from}/diff/${to}`, { token: site.auth });
    expect(diff.status).toBe(200);
    expect(diff.text).toContain('-/system identity set name=r1\n+/system identity set name=r1-renamed\n');
    expect(diff.text).toContain(`--- ${from}`);
    expect(diff.text).toContain(`+++ ${to}`);

    const latest = await app.request('GET', `/site/${site.id}/backup/latest`, { token: site.auth });
    expect(latest.status).toBe(200);
    expect(latest.text).toContain('name=r1-renamed');
    expect(latest.headers.get('content-disposition')).toBe(`inline; filename="${to}"`);
  });

  it("refuses a diff across sites, another org's site, and unknown backups", async () => {
    const site = await buildSite(app);
    const other = await buildSite(app, 'org-b');
    expect((await app.request('GET', `/site/${site.id}/backup/1.rsc/diff/2.rsc`, { token: site.auth })).body.code).toBe('backup_not_found');
    expect((await app.request('GET', `/site/${other.id}/backup/latest`, { token: site.auth })).body.code).toBe('site_not_found');
    expect((await app.request('GET', `/site/${site.id}/backup/latest`, { token: site.auth })).body.code).toBe('backup_not_found');
  });
});

describe('the newest backup of many sites', () => {
  it('answers per site: results for the org\'s sites with backups, errors for the rest', async () => {
    const site = await buildSite(app);
    const empty = await buildSite(app);
    const foreign = await buildSite(app, 'org-b');
    const s = await schedule(site, { site_id: site.id, cron: '0 * * * *', spread_minutes: 0 });
    await runNext(site, s.id);
    const job = await runBackupJob(site, exportOf('/ip dns set servers=9.9.9.9\n', '2026-12-01 03:00:00'), new Set());

    const res = await app.request('POST', '/backups/latest', { token: site.auth, body: { sites: [site.id, empty.id, foreign.id, site.id] } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total_sites: 3, successful: 1 });
    expect(res.body.results[site.id].backup.path).toBe(job.associated_backup);
    expect(res.body.results[site.id].content).toContain('servers=9.9.9.9');
    expect(res.body.errors).toEqual({
      [empty.id]: { code: 'backup_not_found', message: 'No such backup.' },
      [foreign.id]: { code: 'site_not_found', message: expect.any(String) },
    });
    const same = await app.request('POST', '/backups/latest', { token: site.auth, body: { site_ids: [site.id] } });
    expect(same.body.successful).toBe(1);
    const bad = await app.request('POST', '/backups/latest', { token: site.auth, body: { sites: Array(51).fill(site.id) } });
    expect(bad.status).toBe(400);
  });
});

describe('a schedule across a tag', () => {
  it('requests one backup per tagged v7-or-unknown site of the org, spread over the window, once per run', async () => {
    const tag = `nightly-${Date.now()}`;
    const tagged = async (org: string, version?: string): Promise<BuiltSite> => {
      const site = await buildSite(app, org);
      expect((await app.request('PATCH', `/site/${site.id}`, { token: site.auth, body: { tags: [tag] } })).status).toBe(200);
      if (version) await poll(app, site, `version=${version};uptime=1d;`);
      return site;
    };
    const [a, b, c] = [await tagged('org-a'), await tagged('org-a', '7.16.2 (stable)'), await tagged('org-a')];
    const v6 = await tagged('org-a', '6.49.10 (long-term)');
    const foreign = await tagged('org-b');
    await drainSamples(app.deps);
    const s = await schedule(a, { tag, cron: '30 2 * * *', time_zone: 'Europe/Riga', spread_minutes: 90 });
    // 02:30 in Riga is 00:30 or 23:30 UTC, depending on the season.
    expect(new Date(s.next_run_at).getUTCMinutes()).toBe(30);
    const runAt = Date.parse(s.next_run_at);

    await runNext(a, s.id);
    const rows = await app.deps.sql.rows<{ payload: any }>(
      sql`SELECT payload FROM outbox WHERE queue = 'backup' AND payload->>'scheduleId' = ${s.id}`,
    );
    const bySite = new Map(rows.map((r) => [r.payload.siteId as string, r.payload]));
    expect([...bySite.keys()].sort()).toEqual([a.id, b.id, c.id].sort());
    expect(bySite.has(v6.id) || bySite.has(foreign.id)).toBe(false);
    for (const p of bySite.values()) {
      expect(p.notBefore).toBeGreaterThanOrEqual(runAt);
      expect(p.notBefore).toBeLessThan(runAt + 90 * 60_000);
    }
    const after = (await app.request('GET', `/backup-schedules/${s.id}`, { token: a.auth })).body;
    expect(after.last_run_at).toBe(s.next_run_at);
    expect(Date.parse(after.next_run_at) - runAt).toBeGreaterThanOrEqual(23 * HOUR);

    // Running the same run again (a crashed tick repeated) requests nothing twice.
    await app.deps.sql.rows(sql`UPDATE backup_schedule SET next_run_at = ${new Date(runAt)}::timestamptz WHERE id = ${s.id}::uuid`);
    expect((await runDueSchedules(app.deps)).requests).toBe(0);
  });

  it('creates each backup job only when its start offset in the window has come', async () => {
    const site = await buildSite(app);
    const s = await schedule(site, { site_id: site.id, cron: '0 * * * *', spread_minutes: 60 });
    const runAt = Date.parse(s.next_run_at);
    await runNext(site, s.id);
    const [row] = await app.deps.sql.rows<{ job_key: string; payload: any }>(
      sql`SELECT job_key, payload FROM outbox WHERE queue = 'backup' AND payload->>'scheduleId' = ${s.id}`,
    );
    const queue = worker.deps.queues.queue('backup');
    const offset = row!.payload.notBefore - runAt;
    // A hashed offset inside 60 minutes: 0 has a chance of one in 3.6 million.
    expect(offset).toBeGreaterThan(0);
    // Not yet: the request waits in BullMQ's delayed set and no job exists.
    await eventually(async () => (await (await queue.getJob(row!.job_key))?.getState()) === 'delayed');
    expect((await app.request('GET', `/site/${site.id}/job`, { token: site.auth })).body).toEqual([]);
    app.clock.advance(offset);
    await (await queue.getJob(row!.job_key))!.promote();
    const job = await eventually(async () => (await app.request('GET', `/site/${site.id}/job`, { token: site.auth })).body[0]);
    expect(job).toMatchObject({ id: row!.payload.jobId, should_backup: true, status: 'queued' });
  });

  it('validates patterns, zones and targets, and keeps schedules per org', async () => {
    const site = await buildSite(app);
    const bad = async (body: Record<string, unknown>): Promise<string> => {
      const res = await app.request('POST', '/backup-schedules', { token: site.auth, body });
      expect(res.status, res.text).toBe(400);
      return res.body.message as string;
    };
    expect(await bad({ site_id: site.id, cron: '*/5 * * * *' })).toMatch(/at least 1 hour apart/);
    expect(await bad({ site_id: site.id, cron: '0 3 * *' })).toMatch(/five fields/);
    expect(await bad({ site_id: site.id, cron: '0 3 * * *', time_zone: 'Mars/Olympus' })).toMatch(/time zone/);
    expect(await bad({ site_id: site.id, tag: 'x', cron: '0 3 * * *' })).toMatch(/exactly one/);
    expect(await bad({ cron: '0 3 * * *' })).toMatch(/exactly one/);

    const other = await buildSite(app, 'org-b');
    const res = await app.request('POST', '/backup-schedules', { token: site.auth, body: { site_id: other.id, cron: '0 3 * * *' } });
    expect(res.body.code).toBe('site_not_found');
    const s = await schedule(site, { site_id: site.id, cron: '0 3 * * *' });
    expect((await app.request('GET', `/backup-schedules/${s.id}`, { token: other.auth })).body.code).toBe('backup_schedule_not_found');
    expect((await app.request('DELETE', `/backup-schedules/${s.id}`, { token: other.auth })).status).toBe(404);
    expect((await app.request('DELETE', `/backup-schedules/${s.id}`, { token: site.auth })).status).toBe(204);
    expect((await app.request('GET', `/backup-schedules/${s.id}`, { token: site.auth })).status).toBe(404);
  });
});
