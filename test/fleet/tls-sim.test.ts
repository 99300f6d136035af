import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_CA_NAME, TEST_CA_PEM, createFakeHost, type FakeHost } from '../../sim/routeros/fake-host.js';
import { bootRouter, createRouterState, settle, runScript, runSchedulerEvent, type RouterState } from '../../sim/routeros/index.js';
import { bootstrapCommand } from '../../src/routeros/bootstrap.js';
import { startApp, type TestApp } from '../support/app.js';
import { buildJob, buildRunbook } from '../factories.js';

// Item 1 of issue 13: with an https PUBLIC_URL every router-side fetch verifies tikops'
// certificate. The simulated router reaches this test's API under the name tikops.test, whose
// certificate is issued by TEST_CA_NAME (or by an impostor's CA, or a public one).

const NAME = 'tikops.test';
const PUBLIC = `https://${NAME}`;

let ca: TestApp;
let pub: TestApp;
beforeAll(async () => {
  ca = await startApp({ env: { PUBLIC_URL: PUBLIC, TLS_CA_CERT: TEST_CA_PEM } });
  pub = await startApp({ env: { PUBLIC_URL: PUBLIC } });
});
afterAll(async () => {
  await Promise.all([ca.close(), pub.close()]);
});

/** A router whose requests to https://tikops.test reach `app`; the host presents a certificate from `issuer` (undefined: a public CA). */
function hostFor(app: TestApp, issuer: string | undefined): FakeHost {
  const host = createFakeHost(async (req) => {
    const url = req.url.replace(PUBLIC, app.url);
    const res = await fetch(url, { method: req.method, headers: req.headers, redirect: 'manual', ...(req.body === undefined ? {} : { body: req.body }) });
    return { status: res.status, body: await res.text() };
  });
  host.peers.set(NAME, { address: '203.0.113.10', ...(issuer === undefined ? {} : { issuer }) });
  return host;
}

async function onboard(app: TestApp, state: RouterState, host: FakeHost): Promise<{ rb: Awaited<ReturnType<typeof buildRunbook>> }> {
  const rb = await buildRunbook(app, `org-tls-${String(Math.random()).slice(2)}`);
  await runScript(bootstrapCommand(app.config.publicUrl, rb.token, app.config.routerTransport), state, host);
  await settle(state);
  return { rb };
}

const sites = async (app: TestApp, auth: string): Promise<any[]> => (await app.request('GET', '/site', { token: auth })).body;

describe('verified TLS with tikops CA (TLS_CA_CERT)', () => {
  it('installs the CA from the bootstrap command, verifies every fetch, and runs jobs', async () => {
    const state = createRouterState({ identity: 'tls-v7', version: '7.16.2 (stable)' });
    const host = hostFor(ca, TEST_CA_NAME);
    const { rb } = await onboard(ca, state, host);
    expect(state.certificates.map((c) => [c.name, c.commonName, c.trusted])).toEqual([['tikops-ca', TEST_CA_NAME, true]]);
    expect(state.files).toEqual([]);
    expect(state.ntp).toMatchObject({ enabled: true, servers: 'pool.ntp.org' });
    const [site] = await sites(ca, rb.auth);
    const job = await buildJob(ca, { id: site.id, auth: rb.auth, token: '', name: '', org: '' }, { script: '/system identity set name=verified' });
    await runSchedulerEvent('tikops-poll', state, host, { jobName: 'tikops-poll' });
    expect(state.identity).toBe('verified');
    expect((await ca.request('GET', `/site/${site.id}/job/${job.id}`, { token: rb.auth })).body.status).toBe('completed');
    expect(host.requests.length).toBeGreaterThan(4);
    for (const r of host.requests) expect([r.url.split('?')[0], r.checkCertificate]).toEqual([r.url.split('?')[0], 'yes-without-crl']);
  });

  it('refuses an impostor: nothing is downloaded, adopted or run', async () => {
    const state = createRouterState({ identity: 'tls-evil', version: '7.16.2 (stable)' });
    const host = hostFor(ca, 'Evil CA');
    const rb = await buildRunbook(ca, 'org-tls-evil');
    await expect(runScript(bootstrapCommand(ca.config.publicUrl, rb.token, ca.config.routerTransport), state, host)).rejects.toThrow(
      'SSL: unable to get issuer certificate locally',
    );
    expect(host.requests).toEqual([]);
    expect(state.files).toEqual([]);
    expect(await sites(ca, rb.auth)).toEqual([]);
  });

  it('stops polling when the certificate changes to an untrusted one after adoption', async () => {
    const state = createRouterState({ identity: 'tls-swap', version: '7.16.2 (stable)' });
    const host = hostFor(ca, TEST_CA_NAME);
    const { rb } = await onboard(ca, state, host);
    const [site] = await sites(ca, rb.auth);
    await buildJob(ca, { id: site.id, auth: rb.auth, token: '', name: '', org: '' }, { script: '/system identity set name=hijacked' });
    host.peers.set(NAME, { address: '203.0.113.10', issuer: 'Evil CA' });
    host.requests.length = 0;
    await runSchedulerEvent('tikops-poll', state, host, { jobName: 'tikops-poll' });
    expect(host.requests).toEqual([]);
    expect(state.identity).toBe('tls-swap');
    expect(state.log.some((l) => l.message.includes('tikops: poll request failed'))).toBe(true);
  });

  it('on v6 needs the CA imported by hand first (v6 has no /file add), then adopts with verification', async () => {
    const bare = createRouterState({ identity: 'tls-v6', version: '6.49.10 (long-term)' });
    const host = hostFor(ca, TEST_CA_NAME);
    await expect(onboard(ca, bare, host)).rejects.toThrow('bad command name add');
    expect(host.requests).toEqual([]);

    const state = createRouterState({ identity: 'tls-v6', version: '6.49.10 (long-term)' });
    state.files.push({ id: '*F1', name: 'ca.pem', type: 'file', contents: TEST_CA_PEM });
    await runScript('/certificate import file-name=ca.pem name=tikops-ca trusted=yes', state, host);
    const { rb } = await onboard(ca, state, host);
    expect((await sites(ca, rb.auth))).toHaveLength(1);
    expect(state.ntp).toMatchObject({ enabled: true, serverDnsNames: 'pool.ntp.org' });
    expect(host.requests.every((r) => r.checkCertificate === 'yes-without-crl')).toBe(true);
  });

  it('reports clock-unset instead of failing silently while a router without a battery clock has no time', async () => {
    const state = createRouterState({ identity: 'tls-rtc', version: '7.16.2 (stable)', rtc: false });
    const host = hostFor(ca, TEST_CA_NAME);
    await onboard(ca, state, host);
    host.ntp = false;
    bootRouter(state, host);
    host.requests.length = 0;
    await runSchedulerEvent('tikops-poll', state, host, { jobName: 'tikops-poll' });
    expect(host.requests).toEqual([]);
    expect(state.log.some((l) => l.message.includes('tikops: clock-unset'))).toBe(true);
    // NTP answers (the installer enabled the client): the next run polls.
    host.ntp = true;
    await runSchedulerEvent('tikops-poll', state, host, { jobName: 'tikops-poll' });
    expect(host.requests.filter((r) => r.url.endsWith('/poll'))).toHaveLength(1);
  });
});

describe('verified TLS with a publicly signed certificate (built-in CAs)', () => {
  it('trusts the built-in CAs on 7.19+ and adopts', async () => {
    const state = createRouterState({ identity: 'pub-719', version: '7.19.1 (stable)' });
    const host = hostFor(pub, undefined);
    const { rb } = await onboard(pub, state, host);
    expect(state.certificateSettings.builtinTrustAnchors).toBe('trusted');
    expect(await sites(pub, rb.auth)).toHaveLength(1);
    expect(host.requests.every((r) => r.checkCertificate === 'yes-without-crl')).toBe(true);
  });

  it('refuses before 7.19, which has no built-in CAs, instead of fetching unverified', async () => {
    const state = createRouterState({ identity: 'pub-716', version: '7.16.2 (stable)' });
    const host = hostFor(pub, undefined);
    await expect(onboard(pub, state, host)).rejects.toThrow('SSL: unable to get issuer certificate locally');
    expect(host.requests).toEqual([]);
    expect(state.log.some((l) => l.message.includes('could not trust the built-in CAs'))).toBe(true);
  });
});
