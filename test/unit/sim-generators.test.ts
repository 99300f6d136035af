// Every script tikops emits, run end to end on the simulator in both dialects, through the same
// path a router takes: the operator pastes the bootstrap command (fetch + /import), the bootstrap
// imports the installer, the scheduler runs the agent, the agent runs wrappers (with and without
// the backup step) and finally the removal job.
import { describe, it, expect } from 'vitest';
import { dialectFor } from '../../src/adoption/adoption.service.js';
import { AGENT_NAME, BOOT_NAME, renderInstall, renderRemoval } from '../../src/routeros/agent.js';
import { bootstrapCommand, renderBootstrap } from '../../src/routeros/bootstrap.js';
import { parseHeartbeat } from '../../src/routeros/heartbeat.js';
import { renderConfirm } from '../../src/routeros/rollback.js';
import { WRAPPER_END, renderWrapper } from '../../src/routeros/wrapper.js';
import { createFakeHost } from '../../sim/routeros/fake-host.js';
import type { FakeHost } from '../../sim/routeros/fake-host.js';
import { advance, bootRouter, settle, createRouterState, globalsOf, runScript, runSchedulerEvent, toJs } from '../../sim/routeros/index.js';
import type { RouterState } from '../../sim/routeros/index.js';

const PLAIN = { verify: false, caPem: null };
const URL_BASE = 'https://tikops.example.net';
const RUNBOOK = '4KuKNp3QzpfwLcg3BUnn1a';
const SITE = '9a9a3e6f-1b1a-4b1a-8c1a-1e1a1a1a1a1a';

interface Server {
  host: FakeHost;
  /** Bodies the next polls answer with. */
  queue: string[];
  seen: string[];
  heartbeats: Record<string, string>[];
  backups: string[];
}

function server(): Server {
  const s: Server = { host: createFakeHost(), queue: [], seen: [], heartbeats: [], backups: [] };
  s.host = createFakeHost((req) => {
    const u = new URL(req.url);
    s.seen.push(`${req.method} ${u.pathname}${u.searchParams.has('status') ? `:${u.searchParams.get('status')!}` : ''}`);
    if (u.pathname === `/bootstrap/${RUNBOOK}`) return { status: 200, body: renderBootstrap(URL_BASE, RUNBOOK, PLAIN) };
    if (u.pathname === `/adopt/${RUNBOOK}`) {
      const facts = parseHeartbeat(req.body ?? '').fields;
      s.heartbeats.push(facts);
      const { dialect, major } = dialectFor(facts.version);
      const body = renderInstall({ siteId: SITE, token: 'SITE-TOKEN', publicUrl: URL_BASE, dialect, major, trust: PLAIN, ntpServers: ['pool.ntp.org'], intervalSeconds: 30, siteName: 'HQ', runbookName: 'Branches' });
      return { status: 200, body };
    }
    if (u.pathname === '/poll') {
      s.heartbeats.push(parseHeartbeat(req.body ?? '').fields);
      return { status: 200, body: s.queue.shift() ?? '' };
    }
    if (u.pathname.endsWith('/update')) return { status: 200, body: u.searchParams.get('status') === 'busy' ? 'claimed' : '' };
    if (u.pathname.endsWith('/backup')) {
      s.backups.push(req.body ?? '');
      return { status: 200, body: '' };
    }
    if (u.pathname.endsWith('/commit')) return { status: 200, body: s.backups.join('').length === Number(u.searchParams.get('length')) ? 'stored' : 'bad' };
    if (u.pathname === '/notify/delete') return { status: 200, body: '' };
    return { status: 404, body: '' };
  });
  return s;
}

const urls = (token: string): { busy: string; done: string; fail: string } => {
  const u = (status: string): string => `${URL_BASE}/job/${token}/update?status=${status}&signature=x`;
  return { busy: u('busy'), done: u('done'), fail: u('fail') };
};

async function adopt(version: string): Promise<{ state: RouterState; s: Server; output: string }> {
  const state = createRouterState({ version, identity: 'Branch;1 "Café"' });
  const s = server();
  const { output } = await runScript(bootstrapCommand(URL_BASE, RUNBOOK, PLAIN), state, s.host);
  // The first check-in runs in the background (:execute), after the import session.
  expect(s.seen.filter((x) => x === 'POST /poll')).toEqual([]);
  await settle(state);
  return { state, s, output };
}

describe.each([
  ['v6', '6.49.10 (long-term)'],
  ['v7', '7.16.2 (stable)'],
])('the emitted scripts on a simulated %s router', (dialect, version) => {
  it('adopt through /tool fetch and /import, install the agent and clean up the files', async () => {
    const { state, s, output } = await adopt(version);
    expect(s.seen.slice(0, 2)).toEqual([`GET /bootstrap/${RUNBOOK}`, `POST /adopt/${RUNBOOK}`]);
    expect(s.heartbeats[0]).toMatchObject({ name: 'Branch;1 "Café"', version, 'serial-number': 'D4440C1FE42A' });
    expect(output).toContain('Opening script file tikops-bootstrap.rsc');
    expect(output).toContain(`tikops: site "HQ" (${SITE}) adopted using runbook "Branches".`);
    expect(state.scripts.map((x) => x.name)).toEqual([AGENT_NAME]);
    expect(state.schedulers.map((x) => x.name)).toEqual([AGENT_NAME, BOOT_NAME]);
    expect(state.files).toEqual([]);
    // The installer's first check-in polled.
    expect(s.seen).toContain('POST /poll');
    expect(state.log.filter((l) => l.topic === 'error')).toEqual([]);
  });

  it('poll on schedule and run a job through the wrapper, reporting done', async () => {
    const { state, s } = await adopt(version);
    s.queue.push(renderWrapper({ token: 'j1', needsAck: true, urls: urls('j1'), script: '/ip address add address=10.7.7.1/24 interface=ether2', remaining: 0 }));
    s.seen.length = 0;
    await advance(state, s.host, 31_000);
    expect(s.seen).toEqual(['POST /poll', 'GET /job/j1/update:busy', 'GET /job/j1/update:done']);
    expect(state.ipAddresses.map((a) => a.address)).toEqual(['10.7.7.1/24']);
    expect(toJs(globalsOf(state).get('tikopsLast')!)).toBe('j1:ok');
  });

  it('run the backup step on v7 and refuse it on v6 without running the payload', async () => {
    const { state, s } = await adopt(version);
    const backup = { part: `${URL_BASE}/job/b1/backup?attempt=1`, commit: `${URL_BASE}/job/b1/backup/commit?attempt=1` };
    s.queue.push(renderWrapper({ token: 'b1', needsAck: true, urls: urls('b1'), script: ':log info "payload ran"', remaining: 0, backup }));
    s.seen.length = 0;
    await runSchedulerEvent(AGENT_NAME, state, s.host);
    const ran = state.log.some((l) => l.message === 'payload ran');
    if (dialect === 'v7') {
      expect(s.seen).toEqual(['POST /poll', 'GET /job/b1/update:busy', 'POST /job/b1/backup', 'POST /job/b1/backup/commit', 'GET /job/b1/update:done']);
      expect(s.backups.join('')).toContain('/system scheduler');
      expect(ran).toBe(true);
    } else {
      // v6 has neither `:execute ... as-string` nor `show-sensitive`: the step does not compile.
      expect(s.seen).toEqual(['POST /poll', 'GET /job/b1/update:busy', 'GET /job/b1/update:fail']);
      expect(ran).toBe(false);
    }
  });

  it('arm the rollback on v7 (and the confirmation disarms it), and never arm or run it on v6', async () => {
    const { state, s } = await adopt(version);
    const backup = { part: `${URL_BASE}/job/k1/backup?attempt=1`, commit: `${URL_BASE}/job/k1/backup/commit?attempt=1` };
    const token = 'k1Rollback0000000000000';
    s.queue.push(renderWrapper({ token, needsAck: true, urls: urls('k1'), script: ':log info "payload ran"', remaining: 0, backup, rollback: { seconds: 60, trust: PLAIN } }));
    s.seen.length = 0;
    await runSchedulerEvent(AGENT_NAME, state, s.host);
    const ran = state.log.some((l) => l.message === 'payload ran');
    const armed = { schedulers: state.schedulers.map((x) => x.name), files: state.files.map((f) => f.name) };
    if (dialect === 'v6') {
      // tikops never delivers one to v6 (backup_requires_v7); if it did, v6's output=user limit
      // would cut it and the agent would run nothing of it.
      expect(s.seen).toEqual(['POST /poll']);
      expect(state.log.map((l) => l.message)).toContain('tikops: response truncated or malformed, ignored');
      expect([ran, armed]).toEqual([false, { schedulers: [AGENT_NAME, BOOT_NAME], files: [] }]);
      return;
    }
    expect(s.seen.slice(-1)).toEqual(['GET /job/k1/update:done']);
    expect([ran, armed]).toEqual([true, { schedulers: [AGENT_NAME, BOOT_NAME, `tikops-rollback-${token}`], files: [`tikops-rollback-${token}.backup`] }]);
    s.queue.push(renderConfirm({ token, url: `${URL_BASE}/job/k1/update?status=confirmed`, remaining: 0, trust: PLAIN }, WRAPPER_END));
    s.seen.length = 0;
    await runSchedulerEvent(AGENT_NAME, state, s.host);
    expect(s.seen).toEqual(['POST /poll', 'GET /job/k1/update:confirmed']);
    expect([state.schedulers.map((x) => x.name), state.files]).toEqual([[AGENT_NAME, BOOT_NAME], []]);
  });

  it('revert by itself when nothing confirms, and report the rollback once tikops answers', async () => {
    if (dialect === 'v6') return; // a rollback needs the v7 backup step (the test above)
    const { state, s } = await adopt(version);
    const backup = { part: `${URL_BASE}/job/k2/backup?attempt=1`, commit: `${URL_BASE}/job/k2/backup/commit?attempt=1` };
    const token = 'k2Rollback0000000000000';
    s.queue.push(renderWrapper({ token, needsAck: true, urls: urls('k2'), script: '/system identity set name=changed', remaining: 0, backup, rollback: { seconds: 90, trust: PLAIN } }));
    await runSchedulerEvent(AGENT_NAME, state, s.host);
    expect(state.identity).toBe('changed');
    s.heartbeats.length = 0;
    // Nobody confirms: the polls in between get nothing, the revert fires at 90 s and the router reboots.
    await advance(state, s.host, 130_000);
    expect(state.identity).toBe('Branch;1 "Café"');
    const reports = s.heartbeats.map((h) => h['rolled-back']);
    expect(reports.slice(0, 3)).toEqual(['', '', '']);
    // The first poll after the boot carries the marker; tikops answered it, so the next ones do not.
    const first = reports.indexOf(token);
    expect(first).toBeGreaterThan(2);
    expect(reports.slice(first + 1).every((r) => r === '')).toBe(true);
    expect(state.files).toEqual([]);
  });

  it('refuse to run the payload when the rollback cannot be armed', async () => {
    if (dialect === 'v6') return;
    const { state, s } = await adopt(version);
    // A flagged configuration refuses new scheduler entries (Device-mode 93749258): nothing is armed.
    state.deviceMode.flagged = true;
    const backup = { part: `${URL_BASE}/job/k3/backup?attempt=1`, commit: `${URL_BASE}/job/k3/backup/commit?attempt=1` };
    s.queue.push(renderWrapper({ token: 'k3Rollback0000000000000', needsAck: true, urls: urls('k3'), script: ':log info "payload ran"', remaining: 0, backup, rollback: { seconds: 60, trust: PLAIN } }));
    s.seen.length = 0;
    await runSchedulerEvent(AGENT_NAME, state, s.host);
    expect(s.seen.slice(-1)).toEqual(['GET /job/k3/update:fail']);
    expect(s.host.requests.at(-1)!.url).toContain('reason=rollback');
    expect(state.log.some((l) => l.message === 'payload ran')).toBe(false);
    expect(state.schedulers.map((x) => x.name)).toEqual([AGENT_NAME, BOOT_NAME]);
    expect(state.scripts.map((x) => x.name)).toEqual([AGENT_NAME]);
  });

  it('share the poll lock and the last job with runs of another user (globals are per user)', async () => {
    const { state, s } = await adopt(version);
    // The express REST user of docs/express-execute.md: no policy the agent needs, yet it may run it.
    await runScript('/user group add name=tikops-express policy=read,api,rest-api\n/user add name=tikops-express group=tikops-express password=x', state, s.host);
    const asExpress = (): Promise<unknown> => runScript(`/system script run ${AGENT_NAME}`, state, s.host, { user: 'tikops-express' });

    // A job run by the express user's poll; its done callback is lost on the way.
    s.queue.push(renderWrapper({ token: 'x1', needsAck: true, urls: urls('x1'), script: ':log info "express ran"', remaining: 0 }));
    s.seen.length = 0;
    await asExpress();
    expect(state.log.some((l) => l.message === 'express ran')).toBe(true);
    // The scheduler's run (its owner admin) reports that outcome in its heartbeat all the same.
    s.heartbeats.length = 0;
    await runSchedulerEvent(AGENT_NAME, state, s.host);
    expect(s.heartbeats.map((h) => h['last-job'])).toEqual(['x1:ok']);

    // While the scheduler's run is polling, a run of the express user finds the lock taken.
    const during: Promise<unknown>[] = [];
    const fetch = s.host.fetch.bind(s.host);
    s.host.fetch = (req) => {
      if (req.url.endsWith('/poll') && during.length === 0) during.push(asExpress());
      return fetch(req);
    };
    s.seen.length = 0;
    await runSchedulerEvent(AGENT_NAME, state, s.host);
    await Promise.all(during);
    s.host.fetch = fetch;
    expect(during).toHaveLength(1);
    expect(s.seen.filter((x) => x === 'POST /poll')).toHaveLength(1);
    expect(state.log.at(-1)?.message).toBe('tikops: previous poll still running');
    // And the lock is free again afterwards, for every user.
    s.seen.length = 0;
    await asExpress();
    expect(s.seen).toEqual(['POST /poll']);
  });

  it('poll at boot even though a run the reboot cut off left the lock taken', async () => {
    const { state, s } = await adopt(version);
    bootRouter(state, s.host);
    // A run that started at uptime 10 s and was cut off by a power loss left its stamp behind.
    state.scripts.find((x) => x.name === AGENT_NAME)!.comment = '00:00:10';
    s.seen.length = 0;
    await advance(state, s.host, 25_000);
    expect(s.seen).toEqual(['POST /poll']);
    expect(state.log.map((l) => l.message)).not.toContain('tikops: previous poll still running');
  });

  it('remove the agent with the removal job', async () => {
    const { state, s } = await adopt(version);
    const script = renderRemoval({ siteId: SITE, publicUrl: URL_BASE, trust: PLAIN });
    expect(script).not.toContain('SITE-TOKEN');
    s.queue.push(renderWrapper({ token: 'r1', needsAck: false, urls: urls('r1'), script, remaining: 0 }));
    await runSchedulerEvent(AGENT_NAME, state, s.host);
    expect(s.seen).toContain('POST /notify/delete');
    // The confirmation carries the device token the installed agent holds.
    const confirm = s.host.requests.find((r) => r.url.endsWith('/notify/delete'))!;
    expect(confirm.headers).toMatchObject({ Authorization: 'Bearer SITE-TOKEN' });
    expect(state.scripts).toEqual([]);
    expect(state.schedulers).toEqual([]);
  });
});

describe('the bootstrap on a router whose device-mode blocks it (Device-mode 93749258)', () => {
  it('stops at the first fetch in home mode, installing nothing', async () => {
    const state = createRouterState({ deviceMode: { mode: 'home', flagged: false, features: {} } });
    const s = server();
    await expect(runScript(bootstrapCommand(URL_BASE, RUNBOOK, PLAIN), state, s.host)).rejects.toThrow('failure: not allowed by device-mode');
    expect(s.seen).toEqual([]);
    expect(state.scripts).toEqual([]);
  });

  it('refuses a flagged router before touching its agent (a flagged configuration blocks new scheduler entries)', async () => {
    const { state, s } = await adopt('7.18.1 (stable)');
    state.deviceMode.flagged = true;
    s.seen.length = 0;
    await expect(runScript(bootstrapCommand(URL_BASE, RUNBOOK, PLAIN), state, s.host)).rejects.toThrow('device-mode has flagged this configuration');
    expect(s.seen).toEqual([`GET /bootstrap/${RUNBOOK}`]);
    // The installed agent and its scheduler entries are still there.
    expect(state.schedulers.map((x) => x.name)).toEqual([AGENT_NAME, BOOT_NAME]);
    expect(state.scripts.map((x) => x.name)).toEqual([AGENT_NAME]);
  });

  it('refuses with instructions when only the scheduler is off', async () => {
    const state = createRouterState({ deviceMode: { mode: 'advanced', flagged: false, features: { scheduler: false } } });
    const s = server();
    await expect(runScript(bootstrapCommand(URL_BASE, RUNBOOK, PLAIN), state, s.host)).rejects.toThrow('device-mode disables the scheduler');
    expect(s.seen).toEqual([`GET /bootstrap/${RUNBOOK}`]);
    expect(state.scripts).toEqual([]);
  });
});
