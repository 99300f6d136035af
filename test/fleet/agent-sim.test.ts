import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainSamples } from '../../src/fleet/samples.service.js';
import type { FakeHost } from '../../sim/routeros/fake-host.js';
import { advance, bootRouter, createRouterState, globalsOf, settle, runScript, runSchedulerEvent, type RouterState } from '../../sim/routeros/index.js';
import { bootstrapCommand } from '../../src/routeros/bootstrap.js';
import { startApp, type TestApp } from '../support/app.js';
import { buildJob, buildRunbook } from '../factories.js';
import { appHost } from '../support/router-host.js';

// Onboarding end to end on the RouterOS simulator (sim/routeros): the bootstrap script gathers
// the simulated router's facts and POSTs them to this test's API over HTTP; the answer installs
// the agent, whose scheduled runs check in, report the heartbeat and run queued jobs. The router
// starts from the one line an operator pastes (bootstrapCommand: /tool fetch, then /import).

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

async function onboard(identity: string, version: string): Promise<{ state: RouterState; host: FakeHost; site: any; auth: string }> {
  const rb = await buildRunbook(app, `org-sim-${identity}`);
  const state = createRouterState({ identity, version });
  const host = appHost();
  await runScript(bootstrapCommand(app.url, rb.token, app.config.routerTransport), state, host);
  await settle(state);
  expect(state.files).toEqual([]);
  await drainSamples(app.deps);
  const [site] = (await app.request('GET', '/site', { token: rb.auth })).body;
  return { state, host, site, auth: rb.auth };
}

describe.each([
  ['v6', '6.49.10 (long-term)'],
  ['v7', '7.16.2 (stable)'],
])('a simulated RouterOS %s router', (dialect, version) => {
  it('is adopted by the bootstrap script and checks in with an encoded heartbeat', async () => {
    const identity = `Branch;7="Café" $x %41 ${dialect}`;
    const { state, host, site } = await onboard(identity, version);
    expect(site).toMatchObject({ name: identity, identity, serial_number: 'D4440C1FE42A', model: 'RB4011iGS+', software_version: version, has_pulse: true });
    expect(state.scripts.map((s) => s.name)).toEqual(['tikops-poll']);
    expect(state.schedulers.map((s) => [s.name, s.interval])).toEqual([['tikops-poll', 30], ['tikops-boot', 0]]);
    const pollReq = host.requests.find((r) => r.url.endsWith('/poll'))!;
    expect(pollReq.body).toContain('name=Branch%3B7%3D"Caf%C3%A9"%20$x%20%2541');
    expect(pollReq.body).not.toContain(' ');
  });

  it('keeps an identity in a single-byte code page (cp1251) byte for byte, as latin-1 text', async () => {
    const rb = await buildRunbook(app, `org-cp1251-${dialect}`);
    const state = createRouterState({ version });
    const host = appHost();
    await runScript('/system identity set name="\\CF\\F0\\E8\\E2\\E5\\F2 1"', state, host);
    await runScript(bootstrapCommand(app.url, rb.token, app.config.routerTransport), state, host);
    const [site] = (await app.request('GET', '/site', { token: rb.auth })).body;
    expect(site.identity).not.toContain('\ufffd');
    expect(Buffer.from(site.identity, 'latin1')).toEqual(Buffer.from([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2, 0x20, 0x31]));
  });

  it('polls on a boot-anchored schedule after a reboot, even with the clock unset (no battery clock)', async () => {
    const { state, host } = await onboard(`boot-${dialect}`, version);
    state.rtc = false;
    host.ntp = false;
    bootRouter(state, host);
    host.requests.length = 0;
    // tikops-boot runs 3 s + 20 s after boot, tikops-poll every 30 s from boot + 3 s.
    await advance(state, host, 34_000);
    expect(host.requests.filter((r) => r.url.endsWith('/poll'))).toHaveLength(2);
  });

  it("runs queued jobs from its scheduled check-ins, draining the queue in one run", async () => {
    const { state, host, site, auth } = await onboard(`jobs-${dialect}`, version);
    const jobs = [];
    for (const n of [1, 2, 3]) {
      jobs.push(await buildJob(app, { id: site.id, auth, token: '', name: '', org: '' }, { script: `/ip address add address=10.0.${n}.1/24 interface=ether2` }));
    }
    host.requests.length = 0;
    await runSchedulerEvent('tikops-poll', state, host, { jobName: 'tikops-poll' });
    expect(state.ipAddresses.map((a) => a.address)).toEqual(['10.0.1.1/24', '10.0.2.1/24', '10.0.3.1/24']);
    for (const j of jobs) {
      const got = await app.request('GET', `/site/${site.id}/job/${j.id}`, { token: auth });
      expect(got.body.status).toBe('completed');
    }
    // One run, one check-in per job: the last wrapper reports nothing left, which ends the loop.
    expect(host.requests.filter((r) => r.url.endsWith('/poll'))).toHaveLength(3);
  });

  it('confirms and removes its agent when its site is deleted', async () => {
    const { state, host, site, auth } = await onboard(`gone-${dialect}`, version);
    expect((await app.request('DELETE', `/site/${site.id}`, { token: auth })).status).toBe(202);
    await runSchedulerEvent('tikops-poll', state, host, { jobName: 'tikops-poll' });
    await settle(state);
    expect(host.requests.some((r) => r.url.endsWith('/notify/delete'))).toBe(true);
    expect(state.scripts).toEqual([]);
    expect(state.schedulers).toEqual([]);
    // Every tikops global the agent and the wrappers set is unset.
    for (const [name, value] of globalsOf(state, 'admin')) if (name.startsWith('tikops')) expect([name, value.t]).toEqual([name, 'nothing']);
    expect((await app.request('GET', `/site/${site.id}`, { token: auth })).status).toBe(404);
  });
});
