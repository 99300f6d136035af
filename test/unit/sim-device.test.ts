// /import, /file, /system backup, the scheduler across boots, licenses and device-mode.
import { describe, it, expect } from 'vitest';
import { TEST_CA_PEM, createFakeHost } from '../../sim/routeros/fake-host.js';
import type { FakeHost } from '../../sim/routeros/fake-host.js';
import { RebootSignal, advance, bootRouter, createRouterState, runScript } from '../../sim/routeros/index.js';
import type { RouterState, RouterStateInit } from '../../sim/routeros/index.js';

function router(init: RouterStateInit = {}, files: Record<string, string> = {}): { state: RouterState; host: FakeHost } {
  const state = createRouterState(init);
  for (const [name, contents] of Object.entries(files)) state.files.push({ id: `*F${name}`, name, type: 'script', contents });
  return { state, host: createFakeHost(() => ({ status: 200, body: ':local a 1\n:put ("fetched " . $a)\n' })) };
}

const put = async (script: string, r: { state: RouterState; host: FakeHost }): Promise<string> => (await runScript(script, r.state, r.host)).output;

describe('/import (Configuration Management 328155)', () => {
  it('runs a file that /tool fetch wrote, as one script', async () => {
    const r = router();
    const out = await put('/tool fetch url="https://h/x.rsc" dst-path=x.rsc\n/import file-name=x.rsc\n/import x.rsc', r);
    expect(out).toBe('Opening script file x.rsc\nfetched 1\nScript file loaded and executed successfully\n'.repeat(2));
  });

  it('reads each line on its own with verbose, like a terminal, so locals do not carry over', async () => {
    const r = router({}, { 'v.rsc': ':local a 1\n:put [:typeof $a]\n:if (true) do={\n:put "block"\n}\n' });
    expect(await put('/import file-name=v.rsc verbose=yes', r)).toBe(
      'Opening script file v.rsc\n#line 1\n:local a 1\n#line 2\n:put [:typeof $a]\nnothing\n#line 3\n:if (true) do={\n:put "block"\n}\nblock\nScript file loaded and executed successfully\n',
    );
    const bad = router({}, { 'b.rsc': ':local a 1\n:set a 2\n' });
    await expect(put('/import file-name=b.rsc verbose=yes', bad)).rejects.toThrow('Script Error: syntax error (line 1 column 6)');
  });

  it('finds the errors of a file with verbose dry-run, running nothing', async () => {
    const r = router({}, { 'd.rsc': '/system identity set name=x\nthis is bad\n/ip address add bogus=1\n' });
    const err = await put('/import file-name=d.rsc verbose=yes dry-run', r).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'Script Error: found 2 error(s) in import file' });
    expect((err as { output: string }).output).toContain('bad command name this (line 1 column 1)');
    expect(r.state.identity).toBe('MikroTik');
    await expect(put('/import file-name=d.rsc dry-run', r)).rejects.toThrow('dry-run and from-line need verbose');
  });

  it('lets scripts catch import errors from 7.16 only (Scripting 47579229, "import")', async () => {
    const files = { 'bad.rsc': 'this\n' };
    const catching = ':onerror e in={ /import bad.rsc } do={ :put "Failure - $e" }';
    expect(await put(catching, router({}, files))).toContain('Failure - Script Error: bad command name this (line 1 column 1)');
    const old = router({ version: '7.15.3 (stable)' }, files);
    await expect(put(catching, old)).rejects.toThrow('Script Error: bad command name this');
    await expect(put(':do { /import bad.rsc } on-error={ :put caught }', router({ version: '6.49.10 (long-term)' }, files))).rejects.toThrow('Script Error');
    await expect(put('/import missing.rsc', router())).rejects.toThrow('failure: no such file');
  });
});

describe('/file (Files 2555971)', () => {
  it('lists, sizes, reads in chunks on 7.13+ and removes files', async () => {
    const r = router({}, { 'a.txt': 'héllo world' });
    expect(await put(':put [/file get a.txt size]\n:put ([/file read file=a.txt offset=1 chunk-size=5 as-value]->"data")', r)).toBe('12\néllo\n');
    await expect(put('/file read file=a.txt offset=0 chunk-size=40000', r)).rejects.toThrow('invalid value for argument chunk-size');
    await expect(put('/file read file=a.txt offset=0 chunk-size=4', router({ version: '7.12.1 (stable)' }, { 'a.txt': 'x' }))).rejects.toThrow('bad command name read');
    await put('/file remove [find where name="a.txt"]', r);
    expect(r.state.files).toEqual([]);
  });

  it('creates a file with add contents= on v7 only (v6 has no /file add)', async () => {
    const r = router();
    await put('/file add name=ca.pem contents="PEM"', r);
    expect(r.state.files.map((f) => [f.name, f.contents])).toEqual([['ca.pem', 'PEM']]);
    const old = router({ version: '6.49.10 (long-term)' });
    await expect(put('/file add name=ca.pem contents="PEM"', old)).rejects.toThrow('bad command name add');
    expect(old.state.files).toEqual([]);
  });

  it('fails get of an empty find with an error a script can catch (it crashed the simulator before)', async () => {
    const r = router();
    await expect(put('/file get [find where name=missing.txt] contents', r)).rejects.toThrow('no such item');
    expect((await put(':local v "none"; :do { :set v [/file get [find where name=missing.txt] contents] } on-error={}; :put $v', r)).trim()).toBe('none');
  });

  it('refuses get contents of a file over 60 KB', async () => {
    const r = router({}, { 'big.rsc': 'x'.repeat(61 * 1024) });
    await expect(put(':put [:len [/file get big.rsc contents]]', r)).rejects.toThrow('file is too big');
  });
});

describe('/system backup (Backup 40992852)', () => {
  it('saves the configuration and loads it back with a reboot, leaving no certificates', async () => {
    const r = router({}, { 'ca.crt': TEST_CA_PEM });
    await put('/ip address add address=10.1.1.1/24 interface=ether2\n/system backup save name=before dont-encrypt=yes', r);
    expect(r.state.files.find((f) => f.name === 'before.backup')?.type).toBe('backup');
    await put('/ip address remove [find]\n/interface disable ether1\n/certificate import file-name=ca.crt\n/system scheduler add name=revert interval=1m on-event=":log info x"', r);
    const err = await put('/system backup load name=before.backup password=""', r).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RebootSignal);
    expect(r.state.rebooted).toBe(true);
    expect(r.state.ipAddresses.map((a) => a.address)).toEqual(['10.1.1.1/24']);
    expect(r.state.interfaces.find((i) => i.name === 'ether1')?.disabled).toBe(false);
    expect(r.state.schedulers).toEqual([]);
    // Not restored from the backup (the stricter reading of issue 13's Backup page): none are left.
    expect(r.state.certificates).toEqual([]);
  });

  it('needs the sensitive policy to save', async () => {
    const r = router();
    await expect(runScript('/system backup save name=x', r.state, r.host, { policy: 'read,write' })).rejects.toThrow('not enough permissions (9)');
    await expect(put('/system backup load name=nothing', r)).rejects.toThrow('no such backup file');
  });
});

describe('the scheduler across boots (Scheduler 40992881)', () => {
  it('runs startup entries 3 s after boot, and an interval with startup every interval from boot, also on a running router', async () => {
    const r = router();
    await put(
      '/system scheduler add name=boot start-time=startup interval=0s on-event=":log info boot"\n' +
        '/system scheduler add name=poll start-time=startup interval=30s on-event=":log info poll"\n' +
        '/system scheduler add name=plain interval=1m on-event=":log info plain"',
      r,
    );
    await advance(r.state, r.host, 120_000);
    // "behaves as if start-time and start-date were set to time 3 seconds after console starts up"
    // (Scheduler 40992881): an entry added to a running router runs on the boot-anchored grid.
    const counts = (name: string): number => r.state.log.filter((l) => l.message === name).length;
    expect([counts('boot'), counts('poll'), counts('plain')]).toEqual([0, 4, 2]);
    r.state.log.length = 0;
    bootRouter(r.state, r.host);
    await advance(r.state, r.host, 70_000);
    expect(r.state.log.map((l) => l.message)).toEqual(['boot', 'poll', 'plain', 'poll']);
    expect(r.state.schedulers.map((e) => [e.name, e.runCount])).toEqual([['boot', 1], ['poll', 2], ['plain', 1]]);
  });

  it('boots a router again after a backup load from a scheduler entry, and forgets its globals', async () => {
    const r = router();
    await put(
      ':global g 1\n' +
        '/system scheduler add name=after start-time=startup on-event=":global g; :log info (\\"after reboot g=\\" . [:typeof \\$g])"\n' +
        '/system backup save name=b dont-encrypt=yes\n' +
        '/system scheduler add name=revert interval=10s on-event="/system backup load name=b.backup"',
      r,
    );
    const start = r.host.clockMs;
    await advance(r.state, r.host, 20_000);
    expect(r.state.schedulers.map((e) => e.name)).toEqual(['after']);
    expect(r.state.log.map((l) => l.message)).toEqual(['after reboot g=nothing']);
    expect(r.state.bootedAtMs).toBe(start + 10_000);
    expect(r.state.rebooted).toBe(false);
  });

  it('refuses the scheduler in device-mode home, and new entries on a flagged router (Device-mode 93749258)', async () => {
    const home = router({ deviceMode: { mode: 'home', flagged: false, features: {} } });
    await expect(put('/system scheduler add name=x interval=1m on-event=":put 1"', home)).rejects.toThrow('failure: not allowed by device-mode');
    await expect(put('/tool fetch url="http://h/" output=none', home)).rejects.toThrow('failure: not allowed by device-mode');
    expect(await put(':put [/system device-mode get scheduler]\n:put [/system device-mode get mode]', home)).toBe('false\nhome\n');
    const flagged = router({ deviceMode: { mode: 'advanced', flagged: true, features: {} } });
    await expect(put('/system scheduler add name=x interval=1m on-event=":put 1"', flagged)).rejects.toThrow('failure: configuration flagged');
    await expect(put(':put [/system device-mode get mode]', router({ version: '6.49.10 (long-term)' }))).rejects.toThrow('bad command name device-mode');
  });
});

describe('identity of CHR and x86 (RouterOS license keys 328149)', () => {
  it('has a system-id on CHR and a software-id on RouterBOARDs and x86, and no routerboard menu on either PC', async () => {
    const chr = router({ platform: 'chr' });
    expect(await put(':put [/system license get system-id]', chr)).toBe('xQ5JC4RCIXI\n');
    await expect(put(':put [/system license get software-id]', chr)).rejects.toThrow('input does not match any value of value-name');
    await expect(put(':put [/system routerboard get serial-number]', chr)).rejects.toThrow('bad command name routerboard');
    expect(await put(':put [/system license get software-id]', router({ platform: 'x86' }))).toBe('TRPC-YYR2\n');
    expect(await put(':put [/system license get software-id]', router())).toBe('R98Z-YE17\n');
  });
});
