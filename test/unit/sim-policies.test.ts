// Script policies, globals per user and background runs.
import { describe, it, expect } from 'vitest';
import { createFakeHost } from '../../sim/routeros/fake-host.js';
import { createRouterState, globalsOf, restExecute, runSchedulerEvent, runScript, settle, toJs } from '../../sim/routeros/index.js';

describe('script policies (Scripting 47579229, "Script repository")', () => {
  it('lets a script run only scripts whose policies it has, unless they do not require permissions', async () => {
    const state = createRouterState();
    const host = createFakeHost();
    await runScript(
      [
        '/system script add name=strong policy=read,write,sensitive source=":log info strong"',
        '/system script add name=bypass policy=read,write,sensitive dont-require-permissions=yes source=":log info bypass"',
        '/system script add name=weak policy=read,write source="/system script run strong"',
        '/system script add name=weak2 policy=read,write source="/system script run bypass"',
      ].join('\n'),
      state,
      host,
    );
    await expect(runScript('/system script run weak', state, host)).rejects.toThrow('not enough permissions (9)');
    await runScript('/system script run weak2', state, host);
    expect(state.log.map((l) => l.message)).toEqual(['bypass']);
    await runScript('/system script run strong', state, host);
    expect(state.log.map((l) => l.message)).toEqual(['bypass', 'strong']);
  });

  it('runs a script with its own policies, and scheduler entries with theirs', async () => {
    const state = createRouterState();
    const host = createFakeHost();
    await runScript(
      [
        '/system script add name=backup policy=read,write source="/export show-sensitive"',
        '/system scheduler add name=ro policy=read on-event="/system identity set name=changed"',
        '/system scheduler add name=rw policy=read,write on-event="/system identity set name=changed"',
      ].join('\n'),
      state,
      host,
    );
    // `/export show-sensitive` needs `sensitive` (User 8978504).
    await expect(runScript('/system script run backup', state, host)).rejects.toThrow('not enough permissions (9)');
    await expect(runSchedulerEvent('ro', state, host)).rejects.toThrow('not enough permissions (9)');
    expect(state.identity).toBe('MikroTik');
    await runSchedulerEvent('rw', state, host);
    expect(state.identity).toBe('changed');
  });

  it('checks the policies of the run against each command', async () => {
    const state = createRouterState();
    const host = createFakeHost();
    await expect(runScript('/system reboot', state, host, { policy: 'read,write' })).rejects.toThrow('not enough permissions (9)');
    await expect(runScript('/tool fetch url=http://h/ output=none', state, host, { policy: 'read,write' })).rejects.toThrow('not enough permissions (9)');
    await expect(runScript('/ip address add address=10.0.0.1/24 interface=ether1', state, host, { policy: 'read' })).rejects.toThrow('not enough permissions (9)');
    expect((await runScript(':put [/system identity get name]', state, host, { policy: 'read' })).output).toBe('MikroTik\n');
    await expect(runScript('/system script add name=x source=""', state, host, { policy: 'read,write,bogus' })).rejects.toThrow('invalid policy list');
    await expect(runScript('/system script add name=x policy=read,bogus source=""', state, host)).rejects.toThrow('invalid value for argument policy');
  });
});

describe('globals per user (Scripting 47579229, "Variables": "accessible from all scripts created by the current user")', () => {
  it('keeps each user’s globals apart: the scheduler runs as the entry’s owner, REST as its user', async () => {
    const state = createRouterState();
    const host = createFakeHost();
    await runScript('/user add name=ops group=full password=x\n/user add name=api group=full password=y', state, host);
    await runScript('/system scheduler add name=tick interval=30s on-event=":global who; :set who \\"scheduler\\""', state, host, { user: 'ops' });
    expect(state.schedulers[0]!.owner).toBe('ops');
    await runScript(':global who "admin"', state, host);
    await runSchedulerEvent('tick', state, host);
    await restExecute(state, host, ':global who "rest"', { user: 'api' });
    await settle(state);
    expect(toJs(globalsOf(state, 'admin').get('who')!)).toBe('admin');
    expect(toJs(globalsOf(state, 'ops').get('who')!)).toBe('scheduler');
    expect(toJs(globalsOf(state, 'api').get('who')!)).toBe('rest');
  });

  it('gives REST users only their group’s policies', async () => {
    const state = createRouterState();
    const host = createFakeHost();
    await runScript('/user group add name=express policy=read,api,rest-api\n/user add name=express group=express password=x', state, host);
    await runScript('/system script add name=poll source=":log info polled"', state, host);
    await expect(restExecute(state, host, '/system script run poll', { user: 'express', asString: true })).rejects.toThrow('not enough permissions (9)');
    await runScript('/system script set poll dont-require-permissions=yes', state, host);
    await restExecute(state, host, '/system script run poll', { user: 'express', asString: true });
    expect(state.log.map((l) => l.message)).toEqual(['polled']);
    await runScript('/user add name=nope group=write password=x\n/user group set write policy=read,write', state, host);
    await expect(restExecute(state, host, ':put 1', { user: 'nope' })).rejects.toThrow('may not use the REST API');
  });
});

describe(':execute without as-string (Scripting 47579229: "Execute the script in the background")', () => {
  it('returns a job id before the script runs, and the script runs afterwards', async () => {
    const state = createRouterState();
    const host = createFakeHost();
    const { output } = await runScript(':global n 0\n:local j [:execute ":global n; :set n 1"]\n:put [:typeof $j]\n:global n\n:put $n', state, host);
    expect(output).toBe('id\n0\n');
    expect(toJs(globalsOf(state).get('n')!)).toBe(0);
    await settle(state);
    expect(toJs(globalsOf(state).get('n')!)).toBe(1);
  });

  it('runs while the caller waits, logs its errors and writes file= when it ends', async () => {
    const state = createRouterState();
    const host = createFakeHost();
    const { output } = await runScript(':global n 0\n:execute ":global n; :set n 1; :put done" file=out.txt\n:execute ":error boom"\n:delay 1s\n:put $n', state, host);
    expect(output).toBe('1\n');
    await settle(state);
    expect(state.files.find((f) => f.name === 'out.txt')?.contents).toBe('done\n');
    expect(state.log).toContainEqual({ topic: 'error', message: 'executed script failed: boom' });
  });
});
