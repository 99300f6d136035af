// Parsing: statements, comments, continuation, paths, dialects and syntax errors.
import { describe, it, expect } from 'vitest';
import { createFakeHost } from '../../sim/routeros/fake-host.js';
import { ScriptError, checkSyntax, createRouterState, runScript } from '../../sim/routeros/index.js';

async function out(script: string, v6 = false): Promise<string> {
  return (await runScript(script, createRouterState(), createFakeHost(), { v6 })).output;
}

describe('simulator parser', () => {
  it('separates statements by newlines and semicolons', async () => {
    expect(await out(':put 1; :put 2\n:put 3;\n\n;:put 4')).toBe('1\n2\n3\n4\n');
  });

  it('skips comments at line start and after whitespace but keeps # inside words and strings', async () => {
    const script = ['# header', ':put "a#b" # trailing', ':local x abc#def', ':put $x', '  # indented', ':put 1;# after semicolon'].join('\n');
    expect(await out(script)).toBe('a#b\nabc#def\n1\n');
  });

  it('joins lines ending in a backslash outside strings, but not inside a comment', async () => {
    expect(await out(':put \\\n   "joined"')).toBe('joined\n');
    expect(await out('# comment \\\n:put "next line runs"')).toBe('next line runs\n');
    expect(checkSyntax(':put a\\b')).toMatch(/^syntax error/);
  });

  it('accepts menu paths with spaces, with slashes (v7) and relative to a current menu', async () => {
    const state = createRouterState();
    const host = createFakeHost();
    await runScript('/ip address add address=10.0.0.1/24 interface=ether1', state, host);
    await runScript('/ip/address/add address=10.0.0.2/24 interface=ether1', state, host);
    await runScript('/ip address\nadd address=10.0.0.3/24 interface=ether1\n/ system identity set name=r1', state, host);
    expect(state.ipAddresses.map((a) => a.address)).toEqual(['10.0.0.1/24', '10.0.0.2/24', '10.0.0.3/24']);
    expect(state.identity).toBe('r1');
    expect((await runScript(':put [/ip address print count-only]', state, host)).output).toBe('3\n');
  });

  it('rejects slash-separated paths and :onerror at parse time in v6 mode', () => {
    expect(checkSyntax('/ip/address/print', { v6: true })).toBe('syntax error (line 1 column 4)');
    expect(checkSyntax(':put 1\n:onerror e in={ :put 1 } do={}', { v6: true })).toBe('syntax error (line 2 column 2)');
    expect(checkSyntax('/ip/address/print')).toBeNull();
    expect(checkSyntax('/ip address print', { v6: true })).toBeNull();
  });

  it('reports unbalanced braces, brackets, parentheses and quotes with line and column', () => {
    expect(checkSyntax(':if (1=1 do={}')).toBe('syntax error (line 1 column 10)');
    expect(checkSyntax(':put 1\n}')).toBe('syntax error (line 2 column 1)');
    expect(checkSyntax(':do {\n:put 1\n')).toMatch(/^missing closing brace \(line 3 column 1\)$/);
    expect(checkSyntax(':put [:len "a"')).toMatch(/^syntax error/);
    expect(checkSyntax(':put ("a" . "b"')).toMatch(/^syntax error/);
    expect(checkSyntax(':put "a')).toMatch(/^syntax error/);
    expect(checkSyntax(':put 1 ) ')).toMatch(/^expected end of command/);
    expect(checkSyntax('@')).toBe('syntax error (line 1 column 1)');
  });

  it('counts lines the same for LF, CRLF and CR', () => {
    for (const nl of ['\n', '\r\n', '\r']) expect(checkSyntax(`:put 1${nl}:put 2${nl}  }`)).toBe('syntax error (line 3 column 3)');
  });

  it('throws a ScriptError for a syntax error before running anything', async () => {
    const state = createRouterState();
    const err = await runScript(':log info "ran"\n:put (1', state, createFakeHost()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScriptError);
    expect(state.log).toEqual([]);
  });

  it('makes an unknown command a runtime error, not a parse error', async () => {
    expect(checkSyntax('/nonexistent menu print')).toBeNull();
    const state = createRouterState();
    const err = await runScript(':log info "ran"\n/nonexistent menu print', state, createFakeHost()).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'bad command name nonexistent (line 2 column 1)' });
    expect(state.log).toHaveLength(1);
    await expect(runScript(':frobnicate 1', state, createFakeHost())).rejects.toThrow('bad command name frobnicate');
  });

  it('parses block, array and expression arguments in their positions', async () => {
    const script = [
      ':local a {1; "two"; three}',
      ':local m {k="v"; "odd key"=2; n={x=1}}',
      ':put [:len $a]; :put ($a->1); :put ($m->"odd key"); :put ($m->"n"->"x")',
      ':if ([:len $a] = 3) do={ :put yes } else={ :put no }',
      ':local f do={ :return ($1 . $2 . $name) }',
      ':put [$f "a" "b" name="c"]',
    ].join('\n');
    expect(await out(script)).toBe('3\ntwo\n2\n1\ntrue\nabc\n');
  });

  it('parses multi-line blocks, nested command substitution and expressions spanning lines', async () => {
    const script = [':local x (1 +', '  2)', ':if ($x = 3) do={', '  :put [:tostr [:len [:tostr 12345]]]', '} else={', '  :put "no"', '}'].join('\n');
    expect(await out(script)).toBe('5\n');
  });
});
