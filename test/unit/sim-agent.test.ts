// The poll agent, run on the simulator against a fake tikops server.
import { describe, it, expect } from 'vitest';
import { renderWrapper } from '../../src/routeros/wrapper.js';
import { TEST_CA_NAME, TEST_CA_PEM, createFakeHost } from '../../sim/routeros/fake-host.js';
import type { FakeHost } from '../../sim/routeros/fake-host.js';
import { FETCH_USER_LIMIT, createRouterState, globalsOf, runScript, toJs } from '../../sim/routeros/index.js';
import type { FetchRequest, RouterState } from '../../sim/routeros/index.js';

const POLL_URL = 'https://tikops.example.net/poll';

// A minimal poll agent (the URL already points at the fake server).
const AGENT = String.raw`:global tikopsLock
:global tikopsMore
:global tikopsLast
:local tkNow [/system resource get uptime]
:local tkBusy false
:if ([:typeof $tikopsLock] = "time") do={ :if (($tkNow - $tikopsLock) < 15m) do={ :set tkBusy true } }
:if ($tkBusy) do={
:log warning "tikops: previous poll still running"
} else={
:set tikopsLock $tkNow
:set tikopsMore 1
:local tkRounds 0
:while ($tikopsMore > 0 && $tkRounds < 10) do={
:set tikopsMore 0
:set tkRounds ($tkRounds + 1)
:local tkHb ("version=" . [/system resource get version] . ";uptime=" . [/system resource get uptime] . ";last-job=" . [:tostr $tikopsLast])
:local tkRes
:do {
:set tkRes [/tool fetch url="https://tikops.example.net/poll" http-method=post http-header-field="Authorization: Bearer SITE_TOKEN,Content-Type: text/plain" http-data=$tkHb output=user as-value check-certificate=yes-without-crl]
} on-error={ :log warning "tikops: poll request failed" }
:if ([:typeof $tkRes] = "array") do={
:local tkBody ($tkRes->"data")
:local tkLen [:len $tkBody]
:if (($tkRes->"status") = "finished" && $tkLen > 13) do={
:if ([:pick $tkBody ($tkLen - 13) $tkLen] = "# tikops-end\n") do={
:do {
:local tkFn [:parse $tkBody]
$tkFn
} on-error={ :log error "tikops: job script failed" }
} else={ :log error "tikops: response truncated or malformed, ignored" }
}
}
}
:set tikopsLock
}
`;

interface Server {
  host: FakeHost;
  polls: FetchRequest[];
  callbacks: string[];
}

/** A fake tikops server: each poll pops the next body (empty when none are left); callbacks claim and record. */
function server(bodies: string[], opts: { pollStatus?: number } = {}): Server {
  const polls: FetchRequest[] = [];
  const callbacks: string[] = [];
  const host = createFakeHost((req) => {
    if (req.url === POLL_URL) {
      polls.push(req);
      return { status: opts.pollStatus ?? 200, body: bodies.shift() ?? '' };
    }
    const m = /\/job\/(\w+)\/(busy|done|fail)$/.exec(req.url);
    if (!m) return { status: 404, body: '' };
    callbacks.push(`${m[1]!}:${m[2]!}`);
    return { status: 200, body: m[2] === 'busy' ? 'claimed' : '' };
  });
  // The agent verifies tikops' certificate, which the test CA issued.
  host.peers.set('tikops.example.net', { issuer: TEST_CA_NAME });
  return { host, polls, callbacks };
}

/** A router that trusts the test CA, imported from a file the way an installer would. */
async function router(init: Parameters<typeof createRouterState>[0] = {}): Promise<RouterState> {
  const state = createRouterState(init);
  state.files.push({ id: '*F0', name: 'tikops-ca.crt', type: '.crt file', contents: TEST_CA_PEM });
  await runScript('/certificate import file-name=tikops-ca.crt trusted=yes', state, createFakeHost());
  return state;
}

function job(token: string, script: string, remaining: number): string {
  const base = `https://api.example.net/job/${token}`;
  return renderWrapper({ token, needsAck: true, urls: { busy: `${base}/busy`, done: `${base}/done`, fail: `${base}/fail` }, script, remaining });
}

function messages(state: RouterState): string[] {
  return state.log.map((l) => `${l.topic}: ${l.message}`);
}

describe('poll agent on the simulator', () => {
  it('polls with a POST carrying the heartbeat and the Authorization header', async () => {
    const state = await router({ uptimeSeconds: 93338 });
    const s = server([]);
    await runScript(AGENT, state, s.host, { jobName: 'tikops-poll' });
    expect(s.polls).toHaveLength(1);
    const poll = s.polls[0]!;
    expect(poll.method).toBe('POST');
    expect(poll.headers).toEqual({ Authorization: 'Bearer SITE_TOKEN', 'Content-Type': 'text/plain' });
    expect(poll.body).toBe('version=7.16.2 (stable);uptime=1d01:55:38;last-job=');
    expect(poll.checkCertificate).toBe('yes-without-crl');
    expect(globalsOf(state).has('tikopsLock')).toBe(false);
  });

  it('runs a job, reports it and sends last-job in the next heartbeat', async () => {
    const state = await router();
    const s = server([job('tokA', '/ip address add address=10.5.5.5/24 interface=ether2', 0)]);
    await runScript(AGENT, state, s.host);
    expect(s.callbacks).toEqual(['tokA:busy', 'tokA:done']);
    expect(state.ipAddresses).toHaveLength(1);
    await runScript(AGENT, state, s.host);
    expect(s.polls[1]!.body).toContain(';last-job=tokA:ok');
  });

  it('drains queued jobs while the wrapper reports more, in one run', async () => {
    const state = await router();
    const s = server([job('j1', ':log info "one"', 2), job('j2', ':error "two"', 1), job('j3', ':log info "three"', 0)]);
    await runScript(AGENT, state, s.host);
    expect(s.polls).toHaveLength(3);
    expect(s.callbacks).toEqual(['j1:busy', 'j1:done', 'j2:busy', 'j2:fail', 'j3:busy', 'j3:done']);
    expect(s.polls[1]!.body).toContain('last-job=j1:ok');
    expect(s.polls[2]!.body).toContain('last-job=j2:fail');
    expect(messages(state)).toEqual(expect.arrayContaining(['info: one', 'info: three']));
  });

  it('stops draining after 10 rounds', async () => {
    const state = await router();
    const bodies = Array.from({ length: 15 }, (_, i) => job(`k${String(i)}`, ':log info "x"', 5));
    const s = server(bodies);
    await runScript(AGENT, state, s.host);
    expect(s.polls).toHaveLength(10);
    expect(s.callbacks.filter((c) => c.endsWith(':done'))).toHaveLength(10);
  });

  it('skips the poll while a recent lock is held and polls once it is older than 15 minutes', async () => {
    const state = await router({ uptimeSeconds: 7200 });
    globalsOf(state).set('tikopsLock', { t: 'time', v: 7200 - 60 });
    const s = server([]);
    await runScript(AGENT, state, s.host);
    expect(s.polls).toHaveLength(0);
    expect(messages(state)).toContain('warning: tikops: previous poll still running');
    expect(toJs(globalsOf(state).get('tikopsLock')!)).toBe(7140);
    globalsOf(state).set('tikopsLock', { t: 'time', v: 7200 - 16 * 60 });
    await runScript(AGENT, state, s.host);
    expect(s.polls).toHaveLength(1);
    expect(globalsOf(state).has('tikopsLock')).toBe(false);
  });

  it('holds the lock while a job runs, so an overlapping poll is skipped', async () => {
    const state = await router();
    const s = server([job('slow', ':delay 75s\n:log info "slow done"', 0)]);
    let overlap: Promise<unknown> | undefined;
    const realSleep = s.host.sleep.bind(s.host);
    s.host.sleep = async (ms) => {
      overlap ??= runScript(AGENT, state, s.host);
      await overlap;
      return realSleep(ms);
    };
    await runScript(AGENT, state, s.host);
    expect(s.polls).toHaveLength(1);
    expect(messages(state)).toContain('warning: tikops: previous poll still running');
    expect(s.callbacks).toEqual(['slow:busy', 'slow:done']);
  });

  it('does not run a response cut before the end marker', async () => {
    const state = await router();
    const full = job('cut', '/ip address add address=10.6.6.6/24 interface=ether2', 0);
    const s = server([full.slice(0, full.length - 5), full.slice(0, full.indexOf('# tikops-end'))]);
    await runScript(AGENT, state, s.host);
    await runScript(AGENT, state, s.host);
    expect(s.callbacks).toEqual([]);
    expect(state.ipAddresses).toEqual([]);
    expect(messages(state).filter((m) => m === 'error: tikops: response truncated or malformed, ignored')).toHaveLength(2);
  });

  it('refuses a response longer than the output=user limit because the marker is cut off', async () => {
    const state = await router();
    const big = job('big', `:log info "${'x'.repeat(FETCH_USER_LIMIT)}"`, 0);
    expect(Buffer.byteLength(big)).toBeGreaterThan(FETCH_USER_LIMIT);
    const s = server([big]);
    await runScript(AGENT, state, s.host);
    expect(s.callbacks).toEqual([]);
    expect(messages(state)).toContain('error: tikops: response truncated or malformed, ignored');
  });

  it('runs a payload that contains the end marker text', async () => {
    const state = await router();
    const s = server([job('mark', ':log info "a"\n# tikops-end\n', 0)]);
    await runScript(AGENT, state, s.host);
    expect(s.callbacks).toEqual(['mark:busy', 'mark:done']);
  });

  it('logs and unlocks when the poll request fails', async () => {
    const state = await router();
    const s = server([], { pollStatus: 503 });
    await runScript(AGENT, state, s.host);
    expect(messages(state)).toContain('warning: tikops: poll request failed');
    expect(globalsOf(state).has('tikopsLock')).toBe(false);
  });

  it('runs as a stored script from the scheduler entries the installer adds', async () => {
    const state = await router();
    const s = server([job('sch', ':log info "from scheduler"', 0)]);
    const install = [
      '/system script add name=tikops-poll dont-require-permissions=no policy=ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon source=""',
      '/system scheduler add name=tikops-poll interval=30s policy=ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon on-event="/system script run tikops-poll"',
    ].join('\n');
    await runScript(install, state, s.host);
    state.scripts[0]!.source = AGENT;
    await runScript(state.schedulers[0]!.onEvent, state, s.host);
    expect(s.callbacks).toEqual(['sch:busy', 'sch:done']);
    expect(state.scripts[0]!.runCount).toBe(1);
    expect(state.schedulers[0]!.interval).toBe(30);
  });
});
