// What the simulator refuses per RouterOS version, each case a leniency it used to have.
import { describe, it, expect } from 'vitest';
import { createFakeHost } from '../../sim/routeros/fake-host.js';
import { checkSyntax, createRouterState, runScript } from '../../sim/routeros/index.js';

const V6 = '6.49.10 (long-term)';

async function run(script: string, version = '7.16.2 (stable)'): Promise<string> {
  return (await runScript(script, createRouterState({ version }), createFakeHost())).output;
}

describe('v7-only features on a v6 router', () => {
  it('refuses :convert, :jobname and :timestamp as bad command names when they run', async () => {
    for (const cmd of [':convert to=hex "a"', ':jobname', ':timestamp']) {
      const name = cmd.slice(1).split(' ')[0]!;
      await expect(run(`:put [${cmd}]`, V6)).rejects.toThrow(`bad command name ${name} (line 1 column 7)`);
      expect(await run(`:put [:typeof [${cmd}]]`)).not.toBe('');
    }
  });

  it('refuses :onerror when parsing, before 7.15 too', () => {
    const script = ':onerror e in={ :error "x" } do={ :put $e }';
    expect(checkSyntax(script, { version: V6 })).toBe('syntax error (line 1 column 2)');
    expect(checkSyntax(script, { version: '7.14.3 (stable)' })).toBe('syntax error (line 1 column 2)');
    expect(checkSyntax(script, { version: '7.15 (stable)' })).toBeNull();
  });

  it('refuses :execute … as-string when compiling', () => {
    expect(checkSyntax(':local r [:execute script="/export" as-string]', { version: V6 })).toBe('expected end of command (line 1 column 37)');
    expect(checkSyntax(':local r [:execute {/export} as-string]', { version: V6 })).toBe('expected end of command (line 1 column 30)');
    expect(checkSyntax(':local r [:execute script="/export" as-string]')).toBeNull();
  });

  it('knows show-sensitive on v7 and hide-sensitive on v6 (Configuration Management 328155)', () => {
    expect(checkSyntax('/export terse show-sensitive', { version: V6 })).toBe('expected end of command (line 1 column 15)');
    expect(checkSyntax('/export show-sensitive=yes', { version: V6 })).toBe('expected end of command (line 1 column 9)');
    expect(checkSyntax('/export hide-sensitive')).toBe('expected end of command (line 1 column 9)');
    expect(checkSyntax('/export terse show-sensitive')).toBeNull();
    expect(checkSyntax('/export hide-sensitive', { version: V6 })).toBeNull();
  });
});

describe('compile-time checks', () => {
  it('refuses :set of an undeclared variable before anything runs (Scripting 47579229, "Variables")', async () => {
    const state = createRouterState();
    const err = await runScript(':log info "ran"\n:set myVar "my value"', state, createFakeHost()).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'syntax error (line 2 column 6)' });
    expect(state.log).toEqual([]);
    expect(checkSyntax(':local myVar; :set myVar "my value"')).toBeNull();
    expect(checkSyntax(':global g; :set g 1; :set ($g->"k") 2')).toBeNull();
  });

  it('scopes declarations to their block and to what follows them', () => {
    expect(checkSyntax('{ :local a 1 }\n:set a 2')).toBe('syntax error (line 2 column 6)');
    expect(checkSyntax(':set a 2\n:local a 1')).toBe('syntax error (line 1 column 6)');
    expect(checkSyntax(':local a 1\n:if (true) do={ :set a 2 }')).toBeNull();
    expect(checkSyntax(':for i from=1 to=2 do={ :set i 5 }')).toBeNull();
    expect(checkSyntax(':foreach k,v in={1} do={ :set v 2; :set k 3 }')).toBeNull();
    // Parsed code is compiled on its own: the caller's declarations do not count.
    expect(checkSyntax(':local a 1\n:local f [:parse ":set a 2"]')).toBeNull();
    expect(checkSyntax(':set a 2', { v6: true })).toBe('syntax error (line 1 column 6)');
  });

  it('refuses unknown parameters of menu and : commands when compiling, not when they run', async () => {
    expect(checkSyntax('/ip address add address=10.0.0.1/24 interface=ether1 bogus=1')).toBe('expected end of command (line 1 column 54)');
    expect(checkSyntax(':if (false) do={ /system identity set nam=x }')).toBe('expected end of command (line 1 column 39)');
    // Even in a branch that never runs, and before the lines ahead of it run.
    const state = createRouterState();
    await expect(runScript(':log info "x"\n:if (false) do={ /system identity set nam=x }', state, createFakeHost())).rejects.toThrow('expected end of command (line 2 column 39)');
    expect(state.log).toEqual([]);
    expect(checkSyntax(':put "a" "b"')).toBe('expected end of command (line 1 column 10)');
    expect(checkSyntax(':put message="a" "b"')).toBe('expected end of command (line 1 column 18)');
    expect(checkSyntax(':local x do=1 bogus=2')).toBe('expected end of command (line 1 column 15)');
    // Relative commands are checked against the menu they run in.
    expect(checkSyntax('/ip address\nadd address=10.0.0.1/24 interface=ether1 name=x')).toBe('expected end of command (line 2 column 42)');
    expect(checkSyntax('/system identity\nset name=x')).toBeNull();
    // print filters only after `where` (Scripting 47579229, "print parameters").
    expect(checkSyntax('/ip address print interface=ether1')).toBe('expected end of command (line 1 column 19)');
    expect(checkSyntax('/ip address print count-only where interface=ether1')).toBeNull();
  });

  it('leaves unknown command names to run time, where they fail', async () => {
    expect(checkSyntax(':if (false) do={ /nonexistent menu print }')).toBeNull();
    expect(await run(':if (false) do={ /nonexistent print }\n:put ok')).toBe('ok\n');
  });
});
