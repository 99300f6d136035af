// Values, variables, scopes, control flow, functions, :parse and :execute.
import { describe, it, expect } from 'vitest';
import { createFakeHost } from '../../sim/routeros/fake-host.js';
import { StepLimitError, createRouterState, globalsOf, fromJs, runScript, toJs } from '../../sim/routeros/index.js';
import type { RouterState } from '../../sim/routeros/index.js';

async function out(script: string, state: RouterState = createRouterState()): Promise<string> {
  return (await runScript(script, state, createFakeHost())).output;
}

describe('simulator values', () => {
  it('names types like RouterOS', async () => {
    const exprs = ['"s"', '5', 'true', '15m', '{1;2}', '[:parse ":put 1"]', '$undeclared', '[:find "abc" "z"]', '[:tonum "x"]'];
    const { output } = await runScript(exprs.map((e) => `:put [:typeof ${e}]`).join('\n'), createRouterState(), createFakeHost());
    expect(output.split('\n').slice(0, -1)).toEqual(['str', 'num', 'bool', 'time', 'array', 'code', 'nothing', 'nil', 'nil']);
    expect(await out(':local x; :put [:typeof $x]')).toBe('nothing\n');
  });

  it('parses, prints, adds and compares times', async () => {
    const script = [
      ':put 15m',
      ':put 1d02:15:38',
      ':put 00:00:29',
      ':put 2w3d04:05:06',
      ':put (1d02:15:38 + 00:00:22)',
      ':put (10m - 15m)',
      ':put (15m > 10m)',
      ':put ((1h - 50m) < 15m)',
      ':put (2 * 1h)',
      ':put [:totime "2d0h5m10s"]',
      ':put [:tonsec 10:00]',
    ].join('\n');
    expect(await out(script)).toBe(
      '00:15:00\n1d02:15:38\n00:00:29\n2w3d04:05:06\n1d02:16:00\n-00:05:00\ntrue\ntrue\n02:00:00\n2d00:05:10\n36000000000000\n',
    );
  });

  it('returns uptime as a time value that advances with the host clock', async () => {
    const state = createRouterState();
    const host = createFakeHost();
    state.bootedAtMs = host.clockMs - 93338_000;
    expect((await runScript(':local u [/system resource get uptime]; :put [:typeof $u]; :put $u', state, host)).output).toBe('time\n1d01:55:38\n');
    expect((await runScript(':delay 2s; :put [/system resource get uptime]', state, host)).output).toBe('1d01:55:40\n');
  });

  it('does integer arithmetic, concatenation and boolean logic', async () => {
    const script = [':put (7 / 2)', ':put (7 % 3)', ':put (1 + 2 * 3)', ':put ("a" . 1 . true)', ':put (!true || (1 < 2 && 2 >= 2))', ':put (1 = 1 and "a" != "b")', ':put ("abc" ~ "^a.c\\$")', ':put (-5 + 2)'].join('\n');
    expect(await out(script)).toBe('3\n1\n7\na1true\ntrue\ntrue\ntrue\n-3\n');
  });

  it('implements :len, :pick, :find, :tostr, :tonum and :toarray on strings and arrays', async () => {
    const script = [
      ':put [:len "hello"]',
      ':put [:pick "hello" 1]',
      ':put [:pick "hello" 1 3]',
      ':put [:pick "hello" 3 99]',
      ':put [:find "hello" "l"]',
      ':put [:find "hello" "l" 2]',
      ':local a {"x";"y";"z"}',
      ':put [:len $a]',
      ':put [:pick $a 1]',
      ':put [:pick $a 1 3]',
      ':put [:find $a "z"]',
      ':put ([:tonum "42"] + 1)',
      ':put [:len [:toarray "a,b,c"]]',
      ':put [:tostr {a=1;b=2}]',
    ].join('\n');
    expect(await out(script)).toBe('5\ne\nel\nlo\n2\n3\n3\ny\ny;z\n2\n43\n3\na=1;b=2\n');
  });

  it('sets and appends array elements with value semantics', async () => {
    const script = [':local a {1;2}', ':local b $a', ':set ($a->0) 9', ':set ($a->2) 3', ':set ($a->"k") "v"', ':put $a', ':put $b'].join('\n');
    expect(await out(script)).toBe('9;2;3;k=v\n1;2\n');
  });
});

describe('simulator variables and scope', () => {
  it('keeps locals block-scoped and visible to nested blocks', async () => {
    const script = [':local a 1', ':if (true) do={ :local b 2; :set a 3; :put ($a + $b) }', ':put $a', ':put [:typeof $b]'].join('\n');
    expect(await out(script)).toBe('5\n3\nnothing\n');
  });

  it('shares globals across runs of one router only when declared', async () => {
    const state = createRouterState();
    await out(':global g 5', state);
    expect(await out(':put [:typeof $g]', state)).toBe('nothing\n');
    expect(await out(':global g; :put $g; :set g ($g + 1)', state)).toBe('5\n');
    expect(toJs(globalsOf(state).get('g')!)).toBe(6);
    await out(':global g; :set g', state);
    expect(globalsOf(state).has('g')).toBe(false);
    globalsOf(state).set('h', fromJs('from host ✓'));
    expect(await out(':global h; :put $h', state)).toBe('from host ✓\n');
  });

  it('runs parsed code in its own scope that sees only globals it declares', async () => {
    const state = createRouterState();
    const script = [
      ':global g "global"',
      ':local secret "local"',
      ':local f [:parse ":put (\\"[\\" . \\$secret . \\"]\\"); :put (\\"[\\" . \\$g . \\"]\\"); :global g; :put \\$g; :local secret \\"mine\\""]',
      '$f',
      ':put $secret',
    ].join('\n');
    expect(await out(script, state)).toBe('[]\n[]\nglobal\nlocal\n');
  });

  it('calls code values with $fn and [$fn], and local functions with arguments and :return', async () => {
    const script = [
      ':local c [:parse ":put called"]',
      '$c',
      '[$c]',
      ':local add do={ :return ($1 + $2) }',
      ':put [$add 2 3]',
      ':local greet do={ :return ("hi " . $name) }',
      ':put [$greet name="bob"]',
      ':global fact do={ :global fact; :if ($1 <= 1) do={ :return 1 }; :return ($1 * [$fact ($1 - 1)]) }',
      ':put [$fact 5]',
    ].join('\n');
    expect(await out(script)).toBe('called\ncalled\n5\nhi bob\n120\n');
  });

  it('parses the same source once and reuses the parsed code', async () => {
    expect(await out(':local s ":put 1"; :put ([:parse $s] = [:parse $s]); :put ([:parse $s] = [:parse ":put 2"])')).toBe('true\nfalse\n');
  });
});

describe('simulator control flow', () => {
  it('runs :for, :foreach, :while and :do while loops', async () => {
    const script = [
      ':for i from=1 to=3 do={ :put $i }',
      ':for i from=3 to=1 do={ :put $i }',
      ':foreach x in={"a";"b"} do={ :put $x }',
      ':foreach k,v in={b=2;a=1} do={ :put ($k . $v) }',
      ':local n 0',
      ':while ($n < 2) do={ :set n ($n + 1) }',
      ':put $n',
      ':do { :set n ($n - 1) } while=($n > 0)',
      ':put $n',
    ].join('\n');
    expect(await out(script)).toBe('1\n2\n3\n3\n2\n1\na\nb\na1\nb2\n2\n0\n');
  });

  it('catches :error, runtime errors and :parse syntax errors with on-error and :onerror', async () => {
    const script = [
      ':do { :error "boom" } on-error={ :put "caught boom" }',
      ':do { /nonexistent print } on-error={ :put "caught bad command" }',
      ':do { :local f [:parse ":if (1=1 do={}"]; :put "not here" } on-error={ :put "caught parse" }',
      ':onerror e in={ :error "bam" } do={ :put ("e=" . $e) }',
      ':onerror e { :parse "}" } do={ :put $e }',
      ':put "after"',
    ].join('\n');
    expect(await out(script)).toBe('caught boom\ncaught bad command\ncaught parse\ne=bam\nsyntax error (line 1 column 1)\nafter\n');
  });

  it('fails the whole run on an uncaught error and keeps the output so far', async () => {
    const err = await runScript(':put "before"\n:error "boom"\n:put "after"', createRouterState(), createFakeHost()).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ScriptError', message: 'boom', output: 'before\n' });
  });

  it('ends a script at a top-level :return', async () => {
    expect(await out(':put 1\n:return 5\n:put 2')).toBe('1\n');
  });

  it('delegates :delay to the host sleep', async () => {
    const host = createFakeHost();
    const start = host.clockMs;
    await runScript(':delay 1500ms; :delay 2s; :delay 1m', createRouterState(), host);
    expect(host.clockMs - start).toBe(63_500);
  });

  it('captures output with :execute as-string', async () => {
    expect(await out(':local r [:execute script=":put inner; :put [:len \\"abc\\"]" as-string]; :put ("got " . $r)')).toBe('got inner\n3\n\n');
    expect(await out(':put [:execute {:put block} as-string]')).toBe('block\n\n');
  });

  it('stops a runaway loop with a step limit that scripts cannot catch', async () => {
    const run = runScript(':do { :while (true) do={} } on-error={ :put "caught" }', createRouterState(), createFakeHost(), { maxSteps: 1000 });
    await expect(run).rejects.toBeInstanceOf(StepLimitError);
  });

  it('logs with :log and /log at every level', async () => {
    const state = createRouterState();
    await out(':log info "i"; :log warning "w"; :log error "e"; :log debug "d"; /log info message="m"', state);
    expect(state.log).toEqual([
      { topic: 'info', message: 'i' },
      { topic: 'warning', message: 'w' },
      { topic: 'error', message: 'e' },
      { topic: 'debug', message: 'd' },
      { topic: 'info', message: 'm' },
    ]);
  });
});
