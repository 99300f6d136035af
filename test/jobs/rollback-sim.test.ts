import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainSamples } from '../../src/fleet/samples.service.js';
import { sweepTimeouts } from '../../src/jobs/delivery.service.js';
import { sql } from '../../src/db/sql.js';
import { TEST_CA_NAME, TEST_CA_PEM, createFakeHost, type FakeHost } from '../../sim/routeros/fake-host.js';
import { advance, createRouterState, runScript, runSchedulerEvent, settle, type RouterState } from '../../sim/routeros/index.js';
import { bootstrapCommand } from '../../src/routeros/bootstrap.js';
import { startApp, type TestApp } from '../support/app.js';
import { buildRunbook, buildSite, poll, type BuiltSite } from '../factories.js';

// Item 8 of issue 13, safe apply with automatic rollback (docs/rollback.md), end to end: a router
// adopted through the bootstrap command on the RouterOS simulator runs the emitted agent, wrapper,
// arm step, confirmation and restore hook; its fetches reach this test's API over HTTP under the
// name tikops.test, verified against tikops' CA (TLS_CA_CERT). The simulator drops a router's own
// connections by its output-chain firewall rules and disabled interfaces (sim/routeros/net.ts), and
// a backup load leaves no certificate behind (sim/routeros/backup.ts), so a rollback must import
// the CA again before the router can reach tikops.

const NAME = 'tikops.test';
const ADDRESS = '203.0.113.10';
const PUBLIC = `https://${NAME}`;

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ env: { PUBLIC_URL: PUBLIC, TLS_CA_CERT: TEST_CA_PEM } });
});
afterAll(async () => {
  await app.close();
});

function hostFor(): FakeHost {
  const host = createFakeHost(async (req) => {
    const res = await fetch(req.url.replace(PUBLIC, app.url), { method: req.method, headers: req.headers, redirect: 'manual', ...(req.body === undefined ? {} : { body: req.body }) });
    return { status: res.status, body: await res.text() };
  });
  host.peers.set(NAME, { address: ADDRESS, issuer: TEST_CA_NAME });
  return host;
}

interface Adopted {
  state: RouterState;
  host: FakeHost;
  site: { id: string; auth: string };
}

async function adopt(identity: string): Promise<Adopted> {
  const rb = await buildRunbook(app, `org-rollback-${identity}-${String(Math.random()).slice(2)}`);
  const state = createRouterState({ identity, version: '7.16.2 (stable)' });
  const host = hostFor();
  await runScript(bootstrapCommand(app.config.publicUrl, rb.token, app.config.routerTransport), state, host);
  await settle(state);
  await drainSamples(app.deps);
  const [site] = (await app.request('GET', '/site', { token: rb.auth })).body;
  return { state, host, site: { id: site.id, auth: rb.auth } };
}

async function rollbackJob(a: Adopted, script: string, seconds = 60): Promise<any> {
  const res = await app.request('POST', `/api/asynchronous/${a.site.id}`, {
    token: a.site.auth,
    body: { description: 'safe apply', script, rollback_after_seconds: seconds, notify_url: 'https://hooks.example.com/tikops' },
  });
  expect(res.status).toBe(200);
  return (await app.request('GET', `/site/${a.site.id}/job/${res.body.data.request_id}`, { token: a.site.auth })).body;
}

const job = async (a: Adopted, id: string): Promise<any> => (await app.request('GET', `/site/${a.site.id}/job/${id}`, { token: a.site.auth })).body;
const eventTypes = async (a: Adopted, id: string): Promise<string[]> =>
  (await app.request('GET', `/site/${a.site.id}/job/${id}/events`, { token: a.site.auth })).body.map((e: any) => e.type);
const pollAgent = (a: Adopted): Promise<unknown> => runSchedulerEvent('tikops-poll', a.state, a.host, { jobName: 'tikops-poll' });
const names = (a: Adopted): { schedulers: string[]; scripts: string[]; files: string[] } => ({
  schedulers: a.state.schedulers.map((s) => s.name),
  scripts: a.state.scripts.map((s) => s.name),
  files: a.state.files.map((f) => f.name),
});

describe('safe apply on the RouterOS simulator', () => {
  it('confirms a harmless change on a later poll: the revert entry and its backup are removed, and nothing reverts', async () => {
    const a = await adopt('harmless');
    const created = await rollbackJob(a, '/system identity set name=changed-safely');
    expect(created).toMatchObject({ rollback_after_seconds: 60, should_backup: true, status: 'queued' });
    const rb = `tikops-rollback-${created.token}`;

    await pollAgent(a);
    expect(a.state.identity).toBe('changed-safely');
    expect(await job(a, created.id)).toMatchObject({ status: 'awaiting_confirmation', completed_at: null });
    // Armed: the revert entry and the on-device backup; the start-up hook lives only in the backup.
    expect(names(a)).toEqual({ schedulers: ['tikops-poll', 'tikops-boot', rb], scripts: ['tikops-poll'], files: [`${rb}.backup`] });
    expect(a.state.schedulers.find((s) => s.name === rb)).toMatchObject({ interval: 60, startTime: '' });

    // The next poll proves the router still reaches tikops: it gets the confirmation.
    await pollAgent(a);
    expect(await job(a, created.id)).toMatchObject({ status: 'completed', completed_at: expect.any(String) });
    expect(names(a)).toEqual({ schedulers: ['tikops-poll', 'tikops-boot'], scripts: ['tikops-poll'], files: [] });
    expect(await eventTypes(a, created.id)).toEqual(['created', 'delivered', 'started', 'backup_stored', 'awaiting_confirmation', 'confirmed', 'completed']);
    expect(a.host.requests.every((r) => r.checkCertificate === 'yes-without-crl')).toBe(true);

    // Long past the rollback time: no reboot, the change stays, and polls are idle again.
    const boots = a.state.bootedAtMs;
    await advance(a.state, a.host, 150_000);
    expect(a.state.bootedAtMs).toBe(boots);
    expect(a.state.identity).toBe('changed-safely');
  });

  it.each([
    ['a firewall rule that drops the router\'s connections to tikops', `/ip firewall filter add chain=output action=drop dst-address=${ADDRESS} comment="cuts tikops off"`],
    ['disabling the interface the route to tikops leaves through', '/interface disable ether1'],
  ])('rolls back %s: the router reverts by itself, trusts tikops again and reports it', async (_what, payload) => {
    const a = await adopt(`breaking-${payload.length}`);
    const created = await rollbackJob(a, payload);
    const rb = `tikops-rollback-${created.token}`;

    await pollAgent(a);
    // The payload ran and cut the router off, so its `done` never arrived.
    expect(await job(a, created.id)).toMatchObject({ status: 'started' });
    expect(names(a).schedulers).toContain(rb);
    const before = a.host.requests.length;

    // Polls fail until the revert entry fires (60 s), loads the backup and reboots; the restored
    // configuration's start-up hook imports the CA again and leaves the marker; the boot poll reports it.
    await advance(a.state, a.host, 100_000);
    expect(a.state.firewall).toEqual([]);
    expect(a.state.interfaces.find((i) => i.name === 'ether1')?.disabled).toBe(false);
    expect(a.state.certificates.map((c) => [c.name, c.trusted])).toEqual([['tikops-ca', true]]);
    expect(names(a)).toEqual({ schedulers: ['tikops-poll', 'tikops-boot'], scripts: ['tikops-poll'], files: [] });
    expect(a.state.log.map((l) => l.message)).toContain(`tikops: job ${created.token} was rolled back to the configuration saved before it`);
    const after = a.host.requests.slice(before);
    expect(after.some((r) => r.url.endsWith('/poll') && (r.body ?? '').includes(`rolled-back=${created.token}`))).toBe(true);

    const done = await job(a, created.id);
    expect(done).toMatchObject({ status: 'rolled_back', completed_at: null });
    expect((await eventTypes(a, created.id)).slice(-2)).toEqual(['backup_stored', 'rolled_back']);
    const faults = (await app.request('GET', `/site/${a.site.id}/faults`, { token: a.site.auth })).body;
    expect(faults).toEqual([expect.objectContaining({ type: 'config_rolled_back', status: 'resolved', severity: 'high' })]);
    // job.rolled_back goes out through the webhook outbox like every other outcome.
    const hooks = await app.deps.sql.rows<{ type: string }>(sql`
      SELECT e.type::text AS type FROM outbox o JOIN job_event e ON e.id = (o.payload->>'eventId')::bigint
      WHERE o.queue = 'webhook' AND e.job_id = ${created.id}::uuid ORDER BY e.id`);
    expect(hooks.map((h) => h.type)).toEqual(['delivered', 'started', 'rolled_back']);

    // The site works again: the next job runs normally.
    await app.request('POST', `/api/asynchronous/${a.site.id}`, {
      token: a.site.auth,
      body: { description: 'after the rollback', script: '/system identity set name=reachable-again', needs_acknowledgement: true },
    });
    await advance(a.state, a.host, 35_000);
    expect(a.state.identity).toBe('reachable-again');
  });
});

describe('safe apply when things go wrong on the router', () => {
  it('fails the job unrun, with the reason, when the rollback cannot be armed', async () => {
    const a = await adopt('unarmed');
    // A flagged configuration refuses new scheduler entries (Device-mode 93749258).
    a.state.deviceMode.flagged = true;
    const created = await rollbackJob(a, '/system identity set name=unprotected');
    await pollAgent(a);
    expect(a.state.identity).toBe('unarmed');
    expect(await job(a, created.id)).toMatchObject({ status: 'failed' });
    const events = (await app.request('GET', `/site/${a.site.id}/job/${created.id}/events`, { token: a.site.auth })).body;
    expect(events.at(-1)).toMatchObject({ type: 'failed', detail: { reason: 'rollback not armed' } });
    expect(names(a)).toEqual({ schedulers: ['tikops-poll', 'tikops-boot'], scripts: ['tikops-poll'], files: [] });
  });

  it('keeps the revert armed after a failed payload, and records the rollback on the failed job', async () => {
    const a = await adopt('half-done');
    const created = await rollbackJob(a, '/ip address add address=10.9.9.1/24 interface=ether2\n:error "then it broke"');
    await pollAgent(a);
    expect(await job(a, created.id)).toMatchObject({ status: 'failed' });
    expect(a.state.ipAddresses.map((x) => x.address)).toContain('10.9.9.1/24');
    // Failed jobs get no confirmation: the router reverts what the payload did before it failed.
    await advance(a.state, a.host, 100_000);
    expect(a.state.ipAddresses.map((x) => x.address)).not.toContain('10.9.9.1/24');
    expect(await job(a, created.id)).toMatchObject({ status: 'failed' });
    expect((await eventTypes(a, created.id)).slice(-2)).toEqual(['failed', 'rolled_back']);
    const faults = (await app.request('GET', `/site/${a.site.id}/faults`, { token: a.site.auth })).body;
    expect(faults.map((f: any) => f.type)).toEqual(['config_rolled_back']);
  });

  it('times out a job whose router falls silent while it awaits its confirmation; the router reverts by itself and the rollback is still recorded', async () => {
    const a = await adopt('silent');
    const created = await rollbackJob(a, '/system identity set name=never-confirmed');
    await pollAgent(a);
    expect(await job(a, created.id)).toMatchObject({ status: 'awaiting_confirmation' });
    // The router loses power before any later poll: nothing can confirm the change. The wait is
    // bounded by the rollback time plus the job's timeout, then the sweep settles it.
    expect(await sweepTimeouts(app.deps, 100)).toBe(0);
    app.clock.advance((created.rollback_after_seconds + created.timeout_seconds) * 1000 + 1_000);
    expect(await sweepTimeouts(app.deps, 100)).toBeGreaterThanOrEqual(1);
    expect(await job(a, created.id)).toMatchObject({ status: 'timed_out', completed_at: null });

    // Power back: the revert entry fires, the router restores the saved configuration and says so.
    await advance(a.state, a.host, 100_000);
    expect(a.state.identity).toBe('silent');
    expect(await job(a, created.id)).toMatchObject({ status: 'timed_out' });
    expect((await eventTypes(a, created.id)).slice(-2)).toEqual(['timed_out', 'rolled_back']);
    const faults = (await app.request('GET', `/site/${a.site.id}/faults`, { token: a.site.auth })).body;
    expect(faults.map((f: any) => f.type)).toContain('config_rolled_back');
    // And the site is not left blocked by the unconfirmed job: the next one runs.
    await app.request('POST', `/api/asynchronous/${a.site.id}`, {
      token: a.site.auth,
      body: { description: 'after the timeout', script: '/system identity set name=next-job', needs_acknowledgement: true },
    });
    await advance(a.state, a.host, 35_000);
    expect(a.state.identity).toBe('next-job');
  });
});

describe('safe apply at creation', () => {
  it('refuses a site whose last heartbeat said v6, like a backup, and rollback times outside 60-3600 s', async () => {
    const site: BuiltSite = await buildSite(app, 'org-rollback-v6');
    expect(await poll(app, site, 'version=6.49.10 (long-term);uptime=1d;')).toBe('');
    await drainSamples(app.deps);
    const create = (headers: Record<string, string>): Promise<any> =>
      app.request('POST', `/site/${site.id}/job`, {
        token: site.auth,
        headers: { 'content-type': 'text/plain', 'x-idempotency-key': randomUUID(), 'x-description': 'safe apply', ...headers },
        body: '/system identity set name=x',
      });
    expect((await create({ 'x-rollback-seconds': '120' })).body).toMatchObject({ code: 'backup_requires_v7' });
    for (const bad of ['59', '3601', 'soon']) {
      const res = await create({ 'x-rollback-seconds': bad });
      expect([res.status, res.body.code]).toEqual([400, 'parameter_invalid']);
      expect(res.body.message).toContain('x-rollback-seconds');
    }
    const json = await app.request('POST', `/api/asynchronous/${site.id}`, { token: site.auth, body: { description: 'safe apply', script: '/log info x', rollback_after_seconds: 30 } });
    expect([json.status, json.body.code]).toEqual([400, 'parameter_invalid']);
    expect(json.body.message).toContain('rollback_after_seconds');
  });
});
