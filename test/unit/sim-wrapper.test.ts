// Hostile payloads run through the real job wrapper (src/routeros/wrapper.ts) on the simulator.
import { describe, it, expect } from 'vitest';
import { renderWrapper } from '../../src/routeros/wrapper.js';
import type { WrapperInput } from '../../src/routeros/wrapper.js';
import { createFakeHost } from '../../sim/routeros/fake-host.js';
import type { FetchReply } from '../../sim/routeros/fake-host.js';
import { createRouterState, globalsOf, exportConfig, runScript, toJs } from '../../sim/routeros/index.js';
import type { RouterState } from '../../sim/routeros/index.js';

const TOKEN = '4KuKNp3QzpfwLcg3BUnn1a';
const URLS = {
  busy: 'https://api.example.net/job/0b7e/update?status=busy&sig=a+b/c==&x=%2F%24',
  done: 'https://api.example.net/job/0b7e/update?status=done&sig=$(evil)&q="quoted"',
  fail: 'https://api.example.net/job/0b7e/update?status=fail&sig=\\x&emoji=✓',
};

interface JobRun {
  state: RouterState;
  /** Callback kinds in call order; other URLs verbatim. */
  calls: string[];
  logs: string[];
}

function kind(url: string): string {
  if (url === URLS.busy) return 'busy';
  if (url === URLS.done) return 'done';
  if (url === URLS.fail) return 'fail';
  return url;
}

async function runJob(
  script: string,
  opts: { v6?: boolean; claim?: FetchReply; state?: RouterState; input?: Partial<WrapperInput> } = {},
): Promise<JobRun> {
  const state = opts.state ?? createRouterState(opts.v6 ? { version: '6.49.6 (long-term)' } : {});
  const host = createFakeHost((req) => (req.url === URLS.busy ? (opts.claim ?? { status: 200, body: 'claimed' }) : { status: 200, body: '' }));
  const wrapper = renderWrapper({ token: TOKEN, needsAck: true, urls: URLS, script, remaining: 0, ...opts.input });
  await runScript(wrapper, state, host, { v6: opts.v6 ?? false });
  return { state, calls: host.requests.map((r) => kind(r.url)), logs: state.log.map((l) => `${l.topic}: ${l.message}`) };
}

const lastJob = (s: RouterState): unknown => toJs(globalsOf(s).get('tikopsLast') ?? { t: 'nothing' });

describe('job wrapper on the simulator', () => {
  it('runs a plain payload, reports done and the address shows in print and state (case 1)', async () => {
    const r = await runJob('/ip address add address=192.168.99.1/24 interface=ether2 comment="Managed by X";');
    expect(r.calls).toEqual(['busy', 'done']);
    expect(r.state.ipAddresses).toMatchObject([{ address: '192.168.99.1/24', interface: 'ether2', comment: 'Managed by X', network: '192.168.99.0' }]);
    const { output } = await runScript('/ip address print', r.state, createFakeHost());
    expect(output).toContain('192.168.99.1/24');
    expect(output).toContain('Managed by X');
    expect(lastJob(r.state)).toBe(`${TOKEN}:ok`);
    expect(r.logs).toContain(`info: Job ${TOKEN} finished. Remaining: 0`);
  });

  it('keeps the payload’s own $ substitution working (case 2)', async () => {
    const r = await runJob(':local a "x"; :log info "v=$a $[:len $a] $($a . 1)"');
    expect(r.calls).toEqual(['busy', 'done']);
    expect(r.logs).toContain('info: v=x 1 x1');
  });

  it('decodes the payload’s own escapes exactly once (case 3)', async () => {
    const r = await runJob(':log info "cost \\$5 path C:\\\\tmp tab\\tx hex \\48\\49"');
    expect(r.calls).toEqual(['busy', 'done']);
    expect(r.logs).toContain('info: cost $5 path C:\\tmp tab\tx hex HI');
  });

  it('turns a breakout attempt into a fail callback without rebooting (case 4)', async () => {
    const r = await runJob('} on-error={}; /system reboot; :do {');
    expect(r.calls).toEqual(['busy', 'fail']);
    expect(r.state.rebooted).toBeFalsy();
    expect(lastJob(r.state)).toBe(`${TOKEN}:fail`);
  });

  it('runs a brace inside a string but fails on a bare brace (case 5)', async () => {
    const ok = await runJob(':log info "}"');
    expect(ok.calls).toEqual(['busy', 'done']);
    expect(ok.logs).toContain('info: }');
    for (const brace of ['}', '{', ':log info "x"\n}\n']) {
      const bad = await runJob(brace);
      expect(bad.calls).toEqual(['busy', 'fail']);
      expect(bad.logs).not.toContain('info: x');
    }
  });

  it('runs a payload whose last line is a comment without a newline (case 6)', async () => {
    const r = await runJob('/log info "a"\n# note');
    expect(r.calls).toEqual(['busy', 'done']);
    expect(r.logs).toContain('info: a');
  });

  it('handles line continuations inside the payload only (case 7)', async () => {
    const joined = await runJob('/ip address add \\\n  address=10.9.9.9/32 interface=lo');
    expect(joined.calls).toEqual(['busy', 'done']);
    expect(joined.state.ipAddresses).toMatchObject([{ address: '10.9.9.9/32', interface: 'lo' }]);
    const dangling = await runJob('/ip address add \\');
    expect(dangling.calls).toEqual(['busy', 'fail']);
    expect(dangling.logs).toContain(`info: Job ${TOKEN} finished. Remaining: 0`);
  });

  it('treats CRLF, lone CR and mixed line ends like LF (case 8)', async () => {
    for (const script of [':log info "a"\r\n:log info "b"\r\n', ':log info "a"\r:log info "b"', ':log info "a"\r\n:log info "b"\n']) {
      const r = await runJob(script);
      expect(r.calls).toEqual(['busy', 'done']);
      expect(r.logs.filter((l) => l === 'info: a' || l === 'info: b')).toEqual(['info: a', 'info: b']);
    }
  });

  it('fetches a URL with ? and & from the payload on v6 and v7 (case 9)', async () => {
    for (const v6 of [false, true]) {
      const r = await runJob('/tool fetch url="https://h/p?a=1&b=2" output=none', { v6 });
      expect(r.calls).toEqual(['busy', 'https://h/p?a=1&b=2', 'done']);
    }
  });

  it('stores # and ; inside strings verbatim (case 10)', async () => {
    const r = await runJob('/ip address add address=10.0.0.1/24 interface=ether3 comment="#1; not a command"');
    expect(r.calls).toEqual(['busy', 'done']);
    expect(r.state.ipAddresses[0]?.comment).toBe('#1; not a command');
  });

  it('round-trips Unicode and control bytes (cases 11 and 12)', async () => {
    for (const comment of ['Café ✓ Привет 😀', 'esc \x1b del \x7f yuml \u00ff']) {
      const r = await runJob(`/ip address add address=10.0.0.1/24 interface=ether3 comment="${comment}"`);
      expect(r.calls).toEqual(['busy', 'done']);
      expect(r.state.ipAddresses[0]?.comment).toBe(comment);
      const identity = await runJob(`/system identity set name="${comment}"`);
      expect(identity.state.identity).toBe(comment);
    }
  });

  it('reports done and changes nothing for empty, blank and comment-only payloads (case 13)', async () => {
    const before = exportConfig(createRouterState());
    for (const script of ['', '   \n\t\n', '# only a comment']) {
      const r = await runJob(script);
      expect(r.calls).toEqual(['busy', 'done']);
      expect(exportConfig(r.state)).toBe(before);
    }
  });

  it('reports fail for :error (case 14)', async () => {
    const r = await runJob(':log info "before"\n:error "boom"\n:log info "after"');
    expect(r.calls).toEqual(['busy', 'fail']);
    expect(r.logs).toContain('info: before');
    expect(r.logs).not.toContain('info: after');
  });

  it('reports fail for an unknown command and still sends the callbacks (case 15)', async () => {
    const r = await runJob('/nonexistent menu print');
    expect(r.calls).toEqual(['busy', 'fail']);
  });

  it('reports fail for a payload syntax error after busy, with nothing from the payload run (case 16)', async () => {
    const r = await runJob(':log info "ran"\n/ip address add address=10.1.1.1/24 interface=ether2\n:if (1=1 do={}');
    expect(r.calls).toEqual(['busy', 'fail']);
    expect(r.logs).not.toContain('info: ran');
    expect(r.state.ipAddresses).toEqual([]);
  });

  it('fails v7 slash paths on v6 and runs them on v7 (case 17)', async () => {
    expect((await runJob('/ip/address/print', { v6: true })).calls).toEqual(['busy', 'fail']);
    expect((await runJob('/ip/address/print')).calls).toEqual(['busy', 'done']);
  });

  it('isolates the wrapper’s locals from the payload (case 18)', async () => {
    const payload = [
      ':log info ("seen=" . $tikopsDone . $tikopsBusy . $tikopsSrc)',
      ':local tikopsDone "http://evil"',
      ':global tikopsLock',
      ':local tikopsMore 99',
      '/tool fetch url=$tikopsDone output=none',
    ].join('\n');
    const r = await runJob(payload, { input: { remaining: 2 } });
    expect(r.calls).toEqual(['busy', 'http://evil', 'done']);
    expect(r.logs).toContain('info: seen=');
    expect(toJs(globalsOf(r.state).get('tikopsMore')!)).toBe(2);
    // Setting the wrapper's global without declaring it does not compile (Scripting 47579229, "Variables").
    const undeclared = await runJob(':set tikopsMore 99\n:log info "ran"', { input: { remaining: 2 } });
    expect(undeclared.calls).toEqual(['busy', 'fail']);
    expect(undeclared.logs).not.toContain('info: ran');
    expect(toJs(globalsOf(undeclared.state).get('tikopsMore')!)).toBe(2);
  });

  it('reports done for :return at the payload’s top level (case 19)', async () => {
    const r = await runJob(':return 5\n:log info "after"');
    expect(r.calls).toEqual(['busy', 'done']);
    expect(r.logs).not.toContain('info: after');
  });

  it('is unaffected by a payload containing the trailer and the wrapper’s variable names (case 22)', async () => {
    const r = await runJob('# tikops-end\n:local tikopsOk false\n:local tikopsClaim false\n:log info "x"\n# tikops-end');
    expect(r.calls).toEqual(['busy', 'done']);
    expect(r.logs).toContain('info: x');
  });

  it('does not run the payload or report when the busy claim is refused', async () => {
    for (const claim of [{ status: 409, body: 'conflict' }, { status: 200, body: 'stale' }, { status: 200, body: 'claimed\n' }]) {
      const r = await runJob('/ip address add address=10.2.2.2/24 interface=ether2', { claim, input: { remaining: 4 } });
      expect(r.calls).toEqual(['busy']);
      expect(r.state.ipAddresses).toEqual([]);
      expect(r.logs).toContain(`warning: tikops: job ${TOKEN} was not claimed; payload not run`);
      expect(toJs(globalsOf(r.state).get('tikopsMore')!)).toBe(0);
      expect(globalsOf(r.state).has('tikopsLast')).toBe(true);
      expect(lastJob(r.state)).toBeNull();
    }
  });

  it('runs a fire-and-forget payload without any fetch', async () => {
    const r = await runJob('/ip address add address=10.3.3.3/24 interface=ether4', { input: { needsAck: false, remaining: 1 } });
    expect(r.calls).toEqual([]);
    expect(r.state.ipAddresses).toHaveLength(1);
    expect(toJs(globalsOf(r.state).get('tikopsMore')!)).toBe(1);
    const failing = await runJob(':error "x"', { input: { needsAck: false } });
    expect(failing.calls).toEqual([]);
    expect(failing.logs).toContain(`error: tikops: job ${TOKEN} failed`);
  });

  it('lets a payload reboot the router, cutting off its done callback', async () => {
    await expect(runJob('/system reboot')).rejects.toMatchObject({ name: 'RebootSignal' });
  });
});
