// /tool fetch against the simulated network: certificates, the clock, NTP, the firewall,
// interfaces, redirects and the output=user limit per dialect.
import { describe, it, expect } from 'vitest';
import { TEST_CA_NAME, TEST_CA_PEM, createFakeHost } from '../../sim/routeros/fake-host.js';
import type { FakeHost } from '../../sim/routeros/fake-host.js';
import { FETCH_USER_LIMIT, FETCH_USER_LIMIT_V6, bootRouter, createRouterState, runScript } from '../../sim/routeros/index.js';
import type { RouterState, RouterStateInit } from '../../sim/routeros/index.js';

const POLL = '/tool fetch url="https://tikops.example.net/poll" output=user as-value check-certificate=yes-without-crl';

function setup(init: RouterStateInit = {}): { state: RouterState; host: FakeHost } {
  const state = createRouterState(init);
  const host = createFakeHost(() => ({ status: 200, body: 'ok' }));
  host.peers.set('tikops.example.net', { address: '203.0.113.10', issuer: TEST_CA_NAME });
  state.files.push({ id: '*CA', name: 'ca.crt', type: '.crt file', contents: TEST_CA_PEM });
  return { state, host };
}

const put = async (script: string, state: RouterState, host: FakeHost): Promise<string> => (await runScript(script, state, host)).output;

describe('certificate verification (Fetch 8978514: check-certificate)', () => {
  it('refuses a host whose CA the router does not trust, and accepts it once the CA is imported', async () => {
    const { state, host } = setup();
    await expect(runScript(POLL, state, host)).rejects.toThrow('failure: SSL: unable to get issuer certificate locally');
    expect(host.requests).toEqual([]);
    const imported = await put('/certificate import file-name=ca.crt\n:put [/certificate get [find] common-name]', state, host);
    expect(imported).toContain('certificates-imported: 1');
    expect(imported).toContain(`${TEST_CA_NAME}\n`);
    expect(await put(`:put ([${POLL}]->"data")`, state, host)).toBe('ok\n');
  });

  it('does not verify by default or with check-certificate=no', async () => {
    const { state, host } = setup();
    await runScript('/tool fetch url="https://tikops.example.net/poll" output=none\n/tool fetch url="https://tikops.example.net/poll" output=none check-certificate=no', state, host);
    expect(host.requests.map((r) => r.checkCertificate)).toEqual(['no', 'no']);
    await expect(runScript('/tool fetch url="https://tikops.example.net/" check-certificate=maybe', state, host)).rejects.toThrow('invalid value for argument check-certificate');
  });

  it('refuses an imported CA that is not trusted', async () => {
    const { state, host } = setup();
    await runScript('/certificate import file-name=ca.crt trusted=no', state, host);
    await expect(runScript(POLL, state, host)).rejects.toThrow('unable to get issuer certificate locally');
    await runScript('/certificate set [find] trusted=yes', state, host);
    await runScript(POLL, state, host);
  });

  it('trusts publicly signed hosts through the built-in CAs only on 7.19+ once enabled', async () => {
    const setupPublic = (version: string): { state: RouterState; host: FakeHost } => {
      const s = setup({ version });
      s.host.peers.set('tikops.example.net', { publicCa: true, issuer: 'ISRG Root X1' });
      return s;
    };
    const old = setupPublic('7.18.2 (stable)');
    await expect(runScript(`/certificate settings set builtin-trust-anchors=trusted\n${POLL}`, old.state, old.host)).rejects.toThrow('expected end of command');
    const v719 = setupPublic('7.19.1 (stable)');
    await expect(runScript(POLL, v719.state, v719.host)).rejects.toThrow('unable to get issuer certificate locally');
    // builtin-trust-store is 7.21+ (observed: ansible community.routeros changelog).
    await expect(runScript('/certificate settings set builtin-trust-store=fetch', v719.state, v719.host)).rejects.toThrow('expected end of command');
    await runScript(`/certificate settings set builtin-trust-anchors=trusted\n${POLL}`, v719.state, v719.host);
    const v721 = setupPublic('7.21 (stable)');
    await runScript(`/certificate settings set builtin-trust-store=fetch,dns\n${POLL}`, v721.state, v721.host);
    expect(v721.host.requests).toHaveLength(1);
  });

  it('fails while the clock is unset (no battery clock, no NTP) and works once NTP answers (v7 servers=)', async () => {
    const { state, host } = setup({ rtc: false });
    await runScript('/certificate import file-name=ca.crt', state, host);
    bootRouter(state, host);
    expect(await put(':put [/system clock get date]', state, host)).toBe('1970-01-01\n');
    await expect(runScript(POLL, state, host)).rejects.toThrow('failure: SSL: certificate is not yet valid');
    await expect(runScript('/system ntp client set enabled=yes primary-ntp=162.159.200.123', state, host)).rejects.toThrow('expected end of command');
    await runScript('/system ntp client set enabled=yes servers=162.159.200.123,time.cloudflare.com', state, host);
    expect(await put(':put [/system clock get date]', state, host)).toBe('2025-01-01\n');
    await runScript(POLL, state, host);
  });

  it('syncs a v6 clock through the SNTP client’s primary-ntp, which takes IP addresses only', async () => {
    const { state, host } = setup({ rtc: false, version: '6.49.10 (long-term)' });
    bootRouter(state, host);
    await expect(runScript('/system ntp client set enabled=yes servers=162.159.200.123', state, host)).rejects.toThrow('expected end of command');
    await expect(runScript('/system ntp client set enabled=yes primary-ntp=time.cloudflare.com', state, host)).rejects.toThrow('invalid value for argument primary-ntp');
    expect(await put(':put [/system clock get date]', state, host)).toBe('jan/01/1970\n');
    await runScript('/system ntp client set enabled=yes primary-ntp=162.159.200.123', state, host);
    expect(await put(':put [/system clock get date]', state, host)).toBe('jan/01/2025\n');
  });

  it('stays unsynced while the firewall drops NTP or the servers do not answer', async () => {
    const { state, host } = setup({ rtc: false });
    bootRouter(state, host);
    await runScript('/ip firewall filter add chain=output action=drop protocol=udp dst-port=123\n/system ntp client set enabled=yes servers=162.159.200.123', state, host);
    expect(await put(':put [/system ntp client get status]', state, host)).toBe('waiting\n');
    await runScript('/ip firewall filter remove [find]', state, host);
    host.ntp = false;
    expect(await put(':put [/system clock get date]', state, host)).toBe('1970-01-01\n');
    host.ntp = true;
    expect(await put(':put [/system ntp client get status]', state, host)).toBe('synchronized\n');
  });
});

describe('reachability', () => {
  it('cuts fetches off with a firewall drop in the output chain, in rule order', async () => {
    const { state, host } = setup();
    await runScript('/ip firewall filter add chain=output action=drop dst-address=203.0.113.0/24 comment=cut', state, host);
    await expect(runScript('/tool fetch url="https://tikops.example.net/x" output=none', state, host)).rejects.toThrow('failure: connection timeout');
    await runScript('/tool fetch url="https://other.example.net/x" output=none', state, host);
    // An accept placed before the drop wins: the first matching rule decides (Filter 48660574).
    await runScript('/ip firewall filter add chain=output action=accept protocol=tcp dst-address=203.0.113.10 dst-port=443 place-before=0', state, host);
    await runScript('/tool fetch url="https://tikops.example.net/x" output=none', state, host);
    await runScript('/ip firewall filter disable [find action=accept]', state, host);
    await expect(runScript('/tool fetch url="https://tikops.example.net/x" output=none', state, host)).rejects.toThrow('failure: connection timeout');
    await expect(runScript('/ip firewall filter add chain=output action=drop dst-address=10.0.0.300', state, host)).rejects.toThrow('invalid value for argument dst-address');
    expect(host.requests.map((r) => r.url)).toEqual(['https://other.example.net/x', 'https://tikops.example.net/x']);
  });

  it('cuts fetches off when the egress interface is disabled', async () => {
    const { state, host } = setup();
    await runScript('/interface disable ether1', state, host);
    await expect(runScript('/tool fetch url="http://tikops.example.net/x" output=none', state, host)).rejects.toThrow('failure: connection timeout');
    await runScript('/interface ethernet set ether1 disabled=no', state, host);
    await runScript('/tool fetch url="http://tikops.example.net/x" output=none', state, host);
  });

  it('does not follow redirects', async () => {
    const state = createRouterState();
    const host = createFakeHost(() => ({ status: 301, body: '' }));
    await expect(runScript('/tool fetch url="http://h/poll" output=user as-value', state, host)).rejects.toThrow('failure: Fetch failed with status 301');
    expect(host.requests).toHaveLength(1);
  });
});

describe('output=user limit per dialect (Fetch 8978514; routeros.md §2.2)', () => {
  it('keeps 64 KB on v7, a conservative 4 KB on v6 unless configured', async () => {
    const script = ':put [:len ([/tool fetch url="http://h/big" output=user as-value]->"data")]';
    const big = (): FakeHost => createFakeHost(() => ({ status: 200, body: 'a'.repeat(70_000) }));
    expect(await put(script, createRouterState(), big())).toBe(`${String(FETCH_USER_LIMIT)}\n`);
    expect(await put(script, createRouterState({ version: '6.49.10 (long-term)' }), big())).toBe(`${String(FETCH_USER_LIMIT_V6)}\n`);
    expect(await put(script, createRouterState({ version: '6.49.10 (long-term)', outputUserLimit: 65536 }), big())).toBe('65536\n');
  });
});
