import { describe, expect, it } from 'vitest';
import { dialectFor } from '../../src/adoption/adoption.service.js';
import { renderAgent, renderInstall, renderRemoval, schedulerAdd, type InstallInput } from '../../src/routeros/agent.js';
import { WRAPPER_END } from '../../src/routeros/wrapper.js';
import { ENCODER_FN } from '../../src/routeros/facts-script.js';
import { encodeHeartbeatBytes, parseHeartbeat } from '../../src/routeros/heartbeat.js';
import { rosQuote, rosUnquote } from '../../src/routeros/quote.js';
import { bootstrapCommand, renderBootstrap } from '../../src/routeros/bootstrap.js';
import { createFakeHost } from '../../sim/routeros/fake-host.js';
import { checkSyntax, createRouterState, runScript } from '../../sim/routeros/index.js';

const PLAIN = { verify: false, caPem: null };
const SITE = '9a9a3e6f-1b1a-4b1a-8c1a-1e1a1a1a1a1a';
const TOKEN = 'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIz';
const HOSTILE = ['x" } on-error={}; /system reset-configuration; :do { "', '$tikopsLock $[:put 1] $(1+1)', 'C:\\tmp\\ ?help #1', 'Café ✓ Привет 🚀', 'line\nbreak\r\ttab', '\u001b\u007f'];

function install(over: Partial<InstallInput> = {}): string {
  return renderInstall({
    siteId: SITE,
    token: TOKEN,
    publicUrl: 'https://tikops.example.net',
    dialect: 'v7',
    intervalSeconds: 30,
    siteName: 'HQ',
    runbookName: 'Branches',
    major: 7,
    ntpServers: ['pool.ntp.org'],
    trust: PLAIN,
    ...over,
  });
}

/** Every double-quoted literal of a script (comment lines skipped), as written. */
function literals(script: string): string[] {
  const out: string[] = [];
  for (const line of script.split('\n')) {
    if (line.startsWith('#')) continue;
    for (let i = 0; i < line.length; i++) {
      if (line[i] !== '"') continue;
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      out.push(line.slice(i, j + 1));
      i = j;
    }
  }
  return out;
}

/** The script with its literals blanked out: only code is left. */
const code = (script: string): string => literals(script).reduce((s, l) => s.replace(l, '""'), script);

const agentOf = (script: string): string => rosUnquote(/ source=(".*")$/m.exec(script)![1]!);
const localOf = (script: string, name: string): string => rosUnquote(new RegExp(`^:local ${name} (".*")$`, 'm').exec(script)![1]!);

describe('the agent installer', () => {
  it('decodes every literal it writes, for v6 and v7, with the agent itself one literal', () => {
    for (const dialect of ['v6', 'v7'] as const) {
      const script = install({ dialect });
      for (const lit of literals(script)) expect(() => rosUnquote(lit), lit.slice(0, 80)).not.toThrow();
      const agent = agentOf(script);
      expect(agent).toBe(renderAgent({ siteId: SITE, token: TOKEN, publicUrl: 'https://tikops.example.net', dialect , trust: PLAIN }));
      for (const lit of literals(agent)) expect(() => rosUnquote(lit), lit.slice(0, 80)).not.toThrow();
    }
  });

  it('carries hostile tokens and URLs byte for byte', () => {
    for (const token of HOSTILE) {
      const agent = renderAgent({ siteId: SITE, token, publicUrl: 'https://h.example/x?y=$z', dialect: 'v6' , trust: PLAIN });
      expect(localOf(agent, 'tkHdr')).toBe(`Authorization: Bearer ${token},Content-Type: text/plain`);
      expect(localOf(agent, 'tkUrl')).toBe('https://h.example/x?y=$z/poll');
    }
  });

  it('shows hostile identities and runbook names only as data', () => {
    for (const name of HOSTILE) {
      const script = install({ siteName: name, runbookName: name });
      const put = rosUnquote(/^:put (".*")$/m.exec(script)![1]!);
      expect(put).toBe(`tikops: site "${name}" (${SITE}) adopted using runbook "${name}".`);
      expect(script.split('\n').filter((l) => l.startsWith(':put ')).length).toBe(1);
    }
  });

  it('has the lock, the heartbeat, the end-marker check and the drain loop, for v6 and v7', () => {
    for (const dialect of ['v6', 'v7'] as const) {
      const agent = renderAgent({ siteId: SITE, token: 't', publicUrl: 'https://h', dialect , trust: PLAIN });
      // The lock lives in the agent script's comment, which every user's run sees (globals are per user).
      expect(agent).toContain(':do { :set tkHeld [/system script get [find where name="tikops-poll"] comment] } on-error={}');
      expect(agent).toContain(':if ([:len $tkHeld] > 0) do={ :do { :local tkAge ($tkNow - [:totime $tkHeld]); :if ($tkAge >= 0s && $tkAge < 15m) do={ :set tkBusy true } } on-error={} }');
      expect(agent).toContain(':do { /system script set [find where name="tikops-poll"] comment=[:tostr $tkNow] } on-error={}');
      expect(agent.trimEnd().split('\n').slice(-2)).toEqual([':do { /system script set [find where name="tikops-poll"] comment="" } on-error={}', '}']);
      expect(agent).not.toContain('tikopsLock');
      expect(agent).toContain(':do { :set tkLast [/system scheduler get [find where name="tikops-poll"] comment] } on-error={}');
      expect(agent).toContain(':while ($tikopsMore > 0 && $tkRounds < 10) do={');
      expect(agent).toContain('http-data=$tkBody output=user as-value');
      expect(agent).toContain(`:if ([:pick $tkData ($tkLen - ${Buffer.byteLength(WRAPPER_END)}) $tkLen] = ${rosQuote(WRAPPER_END)}) do={`);
      expect(agent).toContain(':local tkFn [:parse $tkData]\n$tkFn');
      expect(agent).toContain(ENCODER_FN);
    }
  });

  it('stores an agent without :onerror in either dialect, so it parses on every version (a downgrade below 7.15 keeps it alive)', () => {
    for (const dialect of ['v6', 'v7'] as const) {
      const agent = renderAgent({ siteId: SITE, token: 't', publicUrl: 'https://h', dialect, trust: PLAIN });
      expect(agent).not.toContain(':onerror');
      expect(agent).toContain('} on-error={ :log warning "tikops: poll request failed" }');
      expect(checkSyntax(agent, { version: '7.14.3 (stable)' })).toBeNull();
      expect(checkSyntax(agent, { v6: true })).toBeNull();
    }
  });

  it('writes v6-safe code: space-separated paths, comments only at column 0, LF only', () => {
    const scripts = [install({ dialect: 'v6' }), agentOf(install({ dialect: 'v6' })), renderBootstrap('https://h', 'T'.repeat(22), PLAIN), renderRemoval({ siteId: SITE, publicUrl: 'https://h', trust: PLAIN })];
    for (const s of scripts) {
      expect(code(s)).not.toMatch(/\/[a-z-]+\/[a-z-]+/);
      expect(s).not.toMatch(/^[ \t]+#/m);
      expect(s).not.toContain('\r');
    }
  });

  it('installs two scheduler entries that run the named script, after removing any earlier agent', () => {
    const lines = install().split('\n');
    const at = (prefix: string): number => lines.findIndex((l) => l.startsWith(prefix));
    expect(at(':do { /system script remove [find where name="tikops-poll"] }')).toBeLessThan(at('/system script add name="tikops-poll"'));
    expect(lines.filter((l) => l.startsWith('/system scheduler add'))).toEqual([
      '/system scheduler add name="tikops-poll" start-time=startup interval=30s policy=ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon on-event="/system script run tikops-poll"',
      '/system scheduler add name="tikops-boot" start-time=startup interval=0s policy=ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon on-event=":delay 20s; :do { /system script set [find where name=\\"tikops-poll\\"] comment=\\"\\" } on-error={}; /system script run tikops-poll"',
    ]);
  });

  it('escapes $ in on-event code so nothing is substituted when the entry is added', () => {
    const line = schedulerAdd('x', ':global tikopsMore; :if ($tikopsMore < 100) do={ :put $tikopsMore }', 'interval=1m');
    expect(line).toContain('on-event=":global tikopsMore; :if (\\$tikopsMore < 100) do={ :put \\$tikopsMore }"');
    expect(rosUnquote(/on-event=(".*")$/.exec(line)![1]!)).toBe(':global tikopsMore; :if ($tikopsMore < 100) do={ :put $tikopsMore }');
  });
});

describe('the removal payload', () => {
  it('confirms before it removes the agent, only if the agent is this site\'s, and holds no token', () => {
    const script = renderRemoval({ siteId: SITE, publicUrl: 'https://h', trust: PLAIN });
    for (const lit of literals(script)) expect(() => rosUnquote(lit)).not.toThrow();
    expect(script).toContain(`[:find $tkSrc ${rosQuote(SITE)}]`);
    expect(script.indexOf('/notify/delete')).toBeLessThan(script.indexOf('/system scheduler remove'));
    expect(script).toContain('http-header-field=$tkHdr');
    expect(script).not.toMatch(/Bearer [A-Za-z0-9_-]/);
  });
});

describe('the bootstrap', () => {
  it('is one terminal line that fetches and imports the bootstrap script', () => {
    const cmd = bootstrapCommand('https://tikops.example.net', '4KuKNp3QzpfwLcg3BUnn1a', PLAIN);
    expect(cmd).toBe('/tool fetch url="https://tikops.example.net/bootstrap/4KuKNp3QzpfwLcg3BUnn1a" dst-path="tikops-bootstrap.rsc"; /import file-name="tikops-bootstrap.rsc"');
  });

  it('reports the facts to /adopt, imports the answer from a file and cleans up', () => {
    const s = renderBootstrap('https://h', '4KuKNp3QzpfwLcg3BUnn1a', PLAIN);
    for (const lit of literals(s)) expect(() => rosUnquote(lit)).not.toThrow();
    expect(localOf(s, 'tkAdopt')).toBe('https://h/adopt/4KuKNp3QzpfwLcg3BUnn1a');
    expect(s).toContain('http-data=$tkHb dst-path="tikops-adopt.rsc"');
    expect(s.indexOf('/import file-name="tikops-adopt.rsc"')).toBeLessThan(s.indexOf('/file remove [find where name="tikops-adopt.rsc"] }', s.indexOf('/import')));
    expect(s).toContain('/system device-mode get scheduler');
  });

  it("sends the installed agent's Authorization header with the adoption, Content-Type alone without an agent", () => {
    const s = renderBootstrap('https://h', '4KuKNp3QzpfwLcg3BUnn1a', PLAIN);
    expect(localOf(s, 'tkHdr')).toBe('Content-Type: text/plain');
    expect(s).toContain(':do { :set tkSrc [/system script get [find where name="tikops-poll"] source] } on-error={}');
    expect(s).toContain(':local tkAt [:find $tkSrc "Authorization: Bearer "]');
    expect(s).toContain('http-method=post http-header-field=$tkHdr http-data=$tkHb');
    // What the removal job reads out of the agent is what renderAgent writes into it.
    const agent = renderAgent({ siteId: SITE, token: 'TOKEN123', publicUrl: 'https://h', dialect: 'v7', trust: PLAIN });
    const at = agent.indexOf('Authorization: Bearer ');
    expect(agent.slice(at, agent.indexOf('"', at))).toBe('Authorization: Bearer TOKEN123,Content-Type: text/plain');
  });
});

describe('the heartbeat encoder on a simulated router', () => {
  it('agrees with the server encoder and the parser byte for byte over 0x01-0xFF (v6 and v7)', async () => {
    const hex = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');
    const bytes = Array.from({ length: 255 }, (_, i) => i + 1);
    const src = `${ENCODER_FN}\n${bytes.map((b) => `:put ("<" . [$tkEnc "\\${hex(b)}"] . ">")`).join('\n')}`;
    for (const v6 of [false, true]) {
      const state = createRouterState({ version: v6 ? '6.49.10 (long-term)' : '7.16.2 (stable)' });
      const { output } = await runScript(src, state, createFakeHost(), { v6 });
      const lines = output.split('\n').slice(0, 255);
      bytes.forEach((b, i) => {
        const server = encodeHeartbeatBytes(Uint8Array.of(b));
        expect([b, lines[i]]).toEqual([b, `<${server}>`]);
        // One byte is valid UTF-8 only below 0x80; above it is read as latin-1: the same code point.
        expect(parseHeartbeat(`v=${server}`).fields.v).toBe(String.fromCharCode(b));
      });
    }
    // The server's table refuses NUL, which no script value can hold anyway.
    expect(encodeHeartbeatBytes(Uint8Array.of(0))).toBe('%00');
    expect(() => parseHeartbeat('v=%00')).toThrow('NUL');
  });

  it('percent-encodes separators, control bytes and every byte from 0x7F, which the parser decodes back', async () => {
    const state = createRouterState({});
    for (const value of HOSTILE.concat(['a;b=c%d', '100%', ''])) {
      const { output } = await runScript(`${ENCODER_FN}\n:put [$tkEnc ${rosQuote(value)}]`, state, createFakeHost());
      const encoded = output.replace(/\n$/, '');
      expect(encoded).toMatch(/^[\x20-\x7e]*$/);
      expect(encoded).not.toMatch(/[;=]/);
      expect(parseHeartbeat(`name=${encoded};uptime=1s`).fields.name).toBe(value);
    }
  });
});

describe('dialectFor', () => {
  it.each([
    ['6.43', 'v6'],
    ['6.49.10 (long-term)', 'v6'],
    ['7.1', 'v6'],
    ['7.14.3 (stable)', 'v6'],
    ['7.15', 'v7'],
    ['7.16.2 (stable)', 'v7'],
    ['7.17beta2 (testing)', 'v7'],
  ])('%s → %s', (version, dialect) => {
    expect(dialectFor(version).dialect).toBe(dialect);
  });

  it.each(['', '6.42.12', '5.26', 'latest'])('refuses %j', (version) => {
    expect(() => dialectFor(version)).toThrow(/version/);
  });
});
