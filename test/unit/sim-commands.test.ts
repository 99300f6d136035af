// Menu commands: /tool fetch, /system records, the config tree, /export and /system reboot.
import { describe, it, expect } from 'vitest';
import { createFakeHost } from '../../sim/routeros/fake-host.js';
import type { FetchHandler } from '../../sim/routeros/fake-host.js';
import { FETCH_USER_LIMIT, RebootSignal, createRouterState, globalsOf, exportConfig, runScript, toJs } from '../../sim/routeros/index.js';
import type { RouterState } from '../../sim/routeros/index.js';

async function out(script: string, state: RouterState = createRouterState(), handler?: FetchHandler): Promise<string> {
  return (await runScript(script, state, createFakeHost(handler))).output;
}

describe('simulated /tool fetch', () => {
  it('sends method, headers and body and returns status and data with as-value', async () => {
    const host = createFakeHost(() => ({ status: 200, body: 'pong' }));
    // `h` presents a publicly signed certificate; 7.19 verifies it once the built-in CAs are trusted.
    const script = [
      '/certificate settings set builtin-trust-anchors=trusted',
      ':local r [/tool fetch url="https://h/p?a=1&b=2" http-method=post http-header-field="Authorization: Bearer t,X-List: a\\\\,b" http-data="hb=1" output=user as-value check-certificate=yes]',
      ':put ($r->"status"); :put ($r->"data")',
      '/tool fetch url="https://h/put" http-method=put http-header-field=({"A: 1"; "B: 2"}) http-data="x" output=none',
    ].join('\n');
    const { output } = await runScript(script, createRouterState({ version: '7.19.1 (stable)' }), host);
    expect(output).toBe('finished\npong\n');
    expect(host.requests).toEqual([
      { url: 'https://h/p?a=1&b=2', method: 'POST', headers: { Authorization: 'Bearer t', 'X-List': 'a,b' }, body: 'hb=1', checkCertificate: 'yes' },
      { url: 'https://h/put', method: 'PUT', headers: { A: '1', B: '2' }, body: 'x', checkCertificate: 'no' },
    ]);
  });

  it('raises a catchable failure on a non-2xx status', async () => {
    const script = [
      ':do { /tool fetch url="https://h/x" output=none } on-error={ :put "caught" }',
      ':onerror e in={ /tool fetch url="https://h/x" output=user as-value } do={ :put $e }',
    ].join('\n');
    expect(await out(script, createRouterState(), () => ({ status: 404, body: 'nope' }))).toBe('caught\nFetch failed with status 404\n');
    await expect(out('/tool fetch url="https://h/x"', createRouterState(), () => ({ status: 500, body: '' }))).rejects.toThrow(
      'failure: Fetch failed with status 500',
    );
    await expect(out('/tool fetch url="https://h/x"', createRouterState(), () => Promise.reject(new Error('connection timeout')))).rejects.toThrow(
      'failure: connection timeout',
    );
  });

  it('silently truncates output=user data to 65536 bytes', async () => {
    const script = ':local r [/tool fetch url="https://h/big" output=user as-value]; :put [:len ($r->"data")]; :put ($r->"status")';
    expect(await out(script, createRouterState(), () => ({ status: 200, body: 'a'.repeat(70_000) }))).toBe(`${String(FETCH_USER_LIMIT)}\nfinished\n`);
    expect(await out(script, createRouterState(), () => ({ status: 200, body: 'é'.repeat(40_000) }))).toBe(`${String(FETCH_USER_LIMIT)}\nfinished\n`);
    expect(await out(script, createRouterState(), () => ({ status: 200, body: 'é'.repeat(10) }))).toBe('20\nfinished\n');
  });

  it('writes output=file to a file unless keep-result=no', async () => {
    const state = createRouterState();
    await out('/tool fetch url="https://h/dir/a.txt"\n/tool fetch url="https://h/b.txt" keep-result=no\n/tool fetch url="https://h/c" dst-path=c.rsc', state, () => ({ status: 200, body: 'body' }));
    expect(state.files.map((f) => [f.name, f.contents])).toEqual([['a.txt', 'body'], ['c.rsc', 'body']]);
    expect(await out(':put [/file get a.txt contents]', state)).toBe('body\n');
  });

  it('rejects an unknown parameter when the script is compiled, before anything runs', async () => {
    const host = createFakeHost();
    const state = createRouterState();
    const run = runScript(':log info "ran"\n/tool fetch url="https://h/" bogus=1', state, host);
    await expect(run).rejects.toThrow('expected end of command (line 2 column 30)');
    expect(state.log).toEqual([]);
    expect(host.requests).toEqual([]);
  });
});

describe('simulated /system menus', () => {
  it('reads resource keys and the whole record', async () => {
    const state = createRouterState({ uptimeSeconds: 3661, resource: { cpuLoad: 7, boardName: 'CHR' } });
    const script = [
      ':foreach k in={"version";"cpu-load";"free-memory";"total-memory";"free-hdd-space";"board-name";"architecture-name";"uptime"} do={ :put [/system resource get $k] }',
      ':local r [/system resource get]',
      ':put ($r->"board-name"); :put [:typeof ($r->"uptime")]',
    ].join('\n');
    expect(await out(script, state)).toBe('7.16.2 (stable)\n7\n864948224\n1073741824\n400000000\nCHR\narm\n01:01:01\nCHR\ntime\n');
  });

  it('reads identity, license, clock and routerboard, which is missing on CHR', async () => {
    const state = createRouterState({ identity: 'My;Router=1 "x"' });
    expect(await out(':put [/system identity get name]; :put [/system license get software-id]; :put [/system routerboard get model]', state)).toBe(
      'My;Router=1 "x"\nR98Z-YE17\nRB4011iGS+\n',
    );
    expect(await out(':put [/system clock get date]; :put [:typeof [/system clock get time]]', state)).toBe('2025-01-01\ntime\n');
    const chr = createRouterState({ routerboard: null });
    expect(await out(':do { :put [[:parse "/system/routerboard/get"]] } on-error={ :put "no routerboard" }', chr)).toBe('no routerboard\n');
  });

  it('sets the reboot flag and raises RebootSignal, which on-error cannot catch', async () => {
    const state = createRouterState();
    const err = await out(':do { /system reboot } on-error={ :put "caught" }', state).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RebootSignal);
    expect(state.rebooted).toBe(true);
  });
});

describe('simulated config tree', () => {
  it('adds, finds, prints, counts and removes IP addresses', async () => {
    const state = createRouterState();
    const script = [
      ':local id [/ip address add address=10.0.0.1/24 interface=ether1 comment=one]',
      ':put [:typeof $id]',
      '/ip address add address=10.0.1.1 interface=ether2',
      '/ip address add address=10.0.2.1/16 interface=ether3 disabled=yes',
      ':put [/ip address print count-only]',
      ':put [:len [/ip address find]]',
      ':put [:len [/ip address find where interface=ether2]]',
      ':put [:len [/ip address find where disabled]]',
      ':put [:len [/ip address find where comment~"^o" or interface="ether3"]]',
      ':put [/ip address get [find address="10.0.1.1/32"] network]',
      '/ip address remove [find address="10.0.0.1/24"]',
      '/ip address remove 0',
      ':put [/ip address print count-only where !disabled]',
      ':put [/ip address get 0 address]',
    ].join('\n');
    expect(await out(script, state)).toBe('id\n3\n3\n1\n1\n2\n10.0.1.1\n0\n10.0.2.1/16\n');
    expect(state.ipAddresses).toMatchObject([{ address: '10.0.2.1/16', network: '10.0.0.0', disabled: true }]);
  });

  it('validates addresses, interfaces and duplicates', async () => {
    const state = createRouterState();
    await out('/ip address add address=10.0.0.1/24 interface=ether1', state);
    await expect(out('/ip address add address=10.0.0.1/24 interface=ether1', state)).rejects.toThrow('already have such address');
    await expect(out('/ip address add address=10.0.0.300/24 interface=ether1', state)).rejects.toThrow('invalid value for argument address');
    await expect(out('/ip address add address=10.0.0.2/24 interface=wlan9', state)).rejects.toThrow('input does not match any value of interface');
    await expect(out('/ip address add interface=ether1', state)).rejects.toThrow('address not set');
    await expect(out('/ip address remove 5', state)).rejects.toThrow('no such item');
  });

  it('manages scheduler entries', async () => {
    const state = createRouterState();
    const script = [
      '/system scheduler add name=tikops-boot start-time=startup interval=0s on-event=":delay 20s; /system script run tikops-poll"',
      '/system scheduler add name=tikops-poll interval=30s policy=read,write on-event="/system script run tikops-poll"',
      '/system scheduler set [find name=tikops-poll] interval=1m disabled=yes',
      ':put [/system scheduler get tikops-poll interval]',
      ':put [:len [/system scheduler find]]',
      '/system scheduler remove tikops-boot',
      ':put [/system scheduler print count-only]',
    ].join('\n');
    expect(await out(script, state)).toBe('00:01:00\n2\n1\n');
    expect(state.schedulers).toMatchObject([{ name: 'tikops-poll', interval: 60, onEvent: '/system script run tikops-poll', policy: 'read,write', disabled: true }]);
    await expect(out('/system scheduler add name=tikops-poll', state)).rejects.toThrow('item with such name already exists');
    await out('/system scheduler add on-event=":put 1"\n/system scheduler add on-event=":put 2"', state);
    expect(state.schedulers.map((e) => e.name)).toEqual(['tikops-poll', 'schedule1', 'schedule2']);
  });

  it('stores, runs, edits and removes scripts, with job entries while they run', async () => {
    const state = createRouterState();
    const script = [
      ':global n 0',
      '/system script add name=hello dont-require-permissions=yes source=":global n; :set n (\\$n + 1); :put [:len [/system script job find where script=\\"hello\\"]]; :put [:jobname]"',
      '/system script run hello',
      '/system script run [find name=hello]',
      '/system script set hello source=":put changed"',
      '/system script run hello',
      ':put [/system script get hello run-count]',
      ':put [:len [/system script job find]]',
      '/system script remove hello',
      ':put [:len [/system script find]]',
    ].join('\n');
    expect(await out(script, state)).toBe('1\nhello\n1\nhello\nchanged\n3\n1\n0\n');
    expect(toJs(globalsOf(state).get('n')!)).toBe(2);
    expect(state.jobs).toEqual([]);
  });

  it('propagates errors from a stored script to the caller', async () => {
    const state = createRouterState();
    await out('/system script add name=bad source=":error \\"inside\\""', state);
    expect(await out(':do { /system script run bad } on-error={ :put "caught" }', state)).toBe('caught\n');
  });
});

describe('simulated /export', () => {
  it('starts with a dated header and lists the config deterministically', async () => {
    const state = createRouterState({ identity: 'edge 1' });
    await out(
      [
        '/ip address add address=192.168.99.1/24 interface=ether2 comment="Managed by X"',
        '/system scheduler add name=tikops-poll interval=30s on-event="/system script run tikops-poll"',
        '/system script add name=tikops-poll source=":log info \\"poll \\$x?\\"\\n:put \\"Café\\""',
      ].join('\n'),
      state,
    );
    const text = await out('/export', state);
    expect(text.split('\n')[0]).toMatch(/^# \d{4}-\d\d-\d\d \d\d:\d\d:\d\d by RouterOS 7\.16\.2$/);
    expect(text).toContain('/ip address\nadd address=192.168.99.1/24 comment="Managed by X" interface=ether2\n');
    expect(text).toContain('/system identity\nset name="edge 1"\n');
    expect(text).toContain('/system scheduler\nadd interval=30s name=tikops-poll on-event="/system script run tikops-poll"\n');
    expect(text).toContain('add name=tikops-poll source=":log info \\"poll \\$x?\\"\\n:put \\"Caf\\C3\\A9\\""\n');
    expect(await out('/export', state)).toBe(text);
    expect(exportConfig(state, createFakeHost())).toBe(text);
  });

  it('re-imports its own export into an identical router', async () => {
    const state = createRouterState({ identity: 'a "quoted" $name' });
    await out('/ip address add address=10.1.0.1/16 interface=ether5 comment="x;y#z"\n/system script add name=s source=":put \\"\\$a\\""', state);
    const text = await out('/export', state);
    const copy = createRouterState();
    await out(text, copy);
    expect(await out('/export', copy)).toBe(text);
  });

  it('writes export file=name.rsc and captures export with :execute as-string', async () => {
    const state = createRouterState();
    await out('/export file=backup', state);
    expect(state.files[0]?.name).toBe('backup.rsc');
    expect(await out(':put [:pick [:execute "/export" as-string] 0 2]', state)).toBe('# \n');
  });

  it('uses the v6 date format in v6 mode', async () => {
    const state = createRouterState({ version: '6.49.6 (long-term)' });
    expect((await out('/export', state)).split('\n')[0]).toBe('# jan/01/2025 00:00:00 by RouterOS 6.49.6');
  });
});

describe('simulated get of an empty find', () => {
  it('is a catchable "no such item" error, never a value (the bootstrap looks for an agent this way)', async () => {
    await expect(out(':put [/system script get [find where name="tikops-poll"] source]')).rejects.toThrow(/no such item/);
    expect(await out(':local s ""; :do { :set s [/system script get [find where name="tikops-poll"] source] } on-error={ :put "caught" }; :put ("[" . $s . "]")')).toBe('caught\n[]\n');
  });
});
