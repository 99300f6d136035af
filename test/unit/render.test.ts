import { describe, it, expect } from 'vitest';
import { WRAPPER_END, renderWrapper, wrapperByteLength } from '../../src/routeros/wrapper.js';
import type { WrapperInput } from '../../src/routeros/wrapper.js';
import { rosUnquote } from '../../src/routeros/quote.js';

const TOKEN = '4KuKNp3QzpfwLcg3BUnn1a';

function input(overrides: Partial<WrapperInput> = {}): WrapperInput {
  return {
    token: TOKEN,
    needsAck: true,
    urls: {
      busy: 'https://api.example.net/job/0b7e/update?status=busy&signature=abc',
      done: 'https://api.example.net/job/0b7e/update?status=done&signature=def',
      fail: 'https://api.example.net/job/0b7e/update?status=fail&signature=ghi',
    },
    script: '/ip address add address=192.168.99.1/24 interface=ether2 comment="Managed by X";',
    remaining: 0,
    ...overrides,
  };
}

// Returns the decoded value of `:local <name> "<literal>"` and the line's index.
function localLiteral(wrapper: string, name: string): { value: string; index: number } {
  const lines = wrapper.split('\n');
  const prefix = `:local ${name} `;
  const matches = lines.flatMap((line, index) => (line.startsWith(prefix) ? [index] : []));
  expect(matches).toHaveLength(1);
  const index = matches[0]!;
  return { value: rosUnquote(lines[index]!.slice(prefix.length)), index };
}

function withoutLine(wrapper: string, index: number): string {
  const lines = wrapper.split('\n');
  lines.splice(index, 1);
  return lines.join('\n');
}

function lineIndex(lines: readonly string[], predicate: (line: string) => boolean): number {
  const i = lines.findIndex(predicate);
  expect(i).toBeGreaterThanOrEqual(0);
  return i;
}

const HOSTILE_PAYLOADS: readonly string[] = [
  '} on-error={}; /system reboot; :do {',
  '}',
  '{',
  ':log info "}"\n}\n',
  '# tikops-end\n',
  '/log info "a"\n# tikops-end',
  ':local tikopsDone "http://evil"\n:global tikopsMore\n:set tikopsMore 99\n/tool fetch url=$tikopsDone',
  '/ip address add \\',
  '/ip address add \\\n  address=10.9.9.9/32 interface=lo',
  '/log info "a"\n# note',
  ':log info "crlf"\r\n:log info "x"\r\n',
  ':log info "lone"\r:log info "cr"',
  ':local a "x"; :log info "v=$a $[:len $a] $($a . 1)"',
  ':log info "cost \\$5 path C:\\\\tmp tab\\tx hex \\48\\49"',
  '/tool fetch url="https://h/p?a=1&b=2" output=none',
  '/ip firewall filter add comment="#1; not a command"',
  '/system identity set name="Café ✓ Привет 😀"',
  'esc \x1b del \x7f yuml \u00ff',
  '',
  '   \n\t\n',
  '# only a comment',
  ':if (1=1 do={}',
  '"',
  '\\',
];

describe('renderWrapper', () => {
  it('renders the documented wrapper for an acknowledged job', () => {
    const out = renderWrapper(input({ remaining: 3, script: ':log info "hi"' }));
    expect(out).toBe(
      [
        `# tikops job ${TOKEN}`,
        ':global tikopsMore',
        ':global tikopsLast',
        `:local tikopsJob "${TOKEN}"`,
        String.raw`:local tikopsBusy "https://api.example.net/job/0b7e/update\3Fstatus=busy&signature=abc"`,
        String.raw`:local tikopsDone "https://api.example.net/job/0b7e/update\3Fstatus=done&signature=def"`,
        String.raw`:local tikopsFail "https://api.example.net/job/0b7e/update\3Fstatus=fail&signature=ghi"`,
        String.raw`:local tikopsSrc ":log info \"hi\""`,
        ':local tikopsClaim false',
        ':do {',
        ':local tikopsAck [/tool fetch url=$tikopsBusy output=user as-value]',
        ':if (($tikopsAck->"data") = "claimed") do={ :set tikopsClaim true }',
        '} on-error={}',
        ':if ($tikopsClaim) do={',
        ':local tikopsOk false',
        ':do {',
        ':local tikopsFn [:parse $tikopsSrc]',
        '$tikopsFn',
        ':set tikopsOk true',
        '} on-error={}',
        ':if ($tikopsOk) do={',
        ':set tikopsLast ($tikopsJob . ":ok")',
        ':do { /system scheduler set [find where name="tikops-poll"] comment=($tikopsJob . ":ok") } on-error={}',
        ':do { /tool fetch url=$tikopsDone keep-result=no } on-error={}',
        '} else={',
        ':set tikopsLast ($tikopsJob . ":fail")',
        ':do { /system scheduler set [find where name="tikops-poll"] comment=($tikopsJob . ":fail") } on-error={}',
        ':do { /tool fetch url=$tikopsFail keep-result=no } on-error={}',
        '}',
        ':set tikopsMore 3',
        ':log info ("Job " . $tikopsJob . " finished. Remaining: 3")',
        '} else={',
        ':log warning ("tikops: job " . $tikopsJob . " was not claimed; payload not run")',
        ':set tikopsMore 0',
        '}',
        '# tikops-end',
        '',
      ].join('\n'),
    );
  });

  it('renders a fire-and-forget wrapper without claim or callbacks', () => {
    const out = renderWrapper(input({ needsAck: false, remaining: 1, script: ':log info "hi"' }));
    expect(out).toBe(
      [
        `# tikops job ${TOKEN}`,
        ':global tikopsMore',
        `:local tikopsJob "${TOKEN}"`,
        String.raw`:local tikopsSrc ":log info \"hi\""`,
        ':do {',
        ':local tikopsFn [:parse $tikopsSrc]',
        '$tikopsFn',
        '} on-error={ :log error ("tikops: job " . $tikopsJob . " failed") }',
        ':set tikopsMore 1',
        ':log info ("Job " . $tikopsJob . " finished. Remaining: 1")',
        '# tikops-end',
        '',
      ].join('\n'),
    );
  });

  it('ends with a newline followed by the end marker', () => {
    expect(WRAPPER_END).toBe('# tikops-end\n');
    for (const needsAck of [true, false]) {
      for (const script of HOSTILE_PAYLOADS) {
        const out = renderWrapper(input({ needsAck, script }));
        expect(out.endsWith(`\n${WRAPPER_END}`)).toBe(true);
        // The agent checks exactly the last 13 bytes.
        expect(Buffer.from(out).subarray(-13).toString()).toBe('# tikops-end\n');
      }
    }
  });

  it('keeps hostile payloads byte-identical inside the tikopsSrc literal and nowhere else', () => {
    const benign = renderWrapper(input({ script: 'x' }));
    const benignSrc = localLiteral(benign, 'tikopsSrc');
    for (const needsAck of [true, false]) {
      const benignForMode = renderWrapper(input({ needsAck, script: 'x' }));
      const benignSkeleton = withoutLine(benignForMode, localLiteral(benignForMode, 'tikopsSrc').index);
      for (const script of HOSTILE_PAYLOADS) {
        const out = renderWrapper(input({ needsAck, script }));
        const src = localLiteral(out, 'tikopsSrc');
        expect(Buffer.from(src.value, 'utf8').equals(Buffer.from(script, 'utf8'))).toBe(true);
        // Removing the payload line leaves exactly the wrapper a benign payload produces.
        expect(withoutLine(out, src.index)).toBe(benignSkeleton);
      }
    }
    expect(benignSrc.value).toBe('x');
  });

  it('emits URLs with special characters that unquote byte-identical', () => {
    const urls = {
      busy: 'https://api.example.net/job/u1/update?status=busy&sig=a+b/c==&x=%2F%24',
      done: 'https://api.example.net/job/u1/update?status=done&sig=$(evil)&q="quoted"',
      fail: 'https://api.example.net/job/u1/update?status=fail&sig=\\x&emoji=✓',
    };
    const out = renderWrapper(input({ urls }));
    expect(localLiteral(out, 'tikopsBusy').value).toBe(urls.busy);
    expect(localLiteral(out, 'tikopsDone').value).toBe(urls.done);
    expect(localLiteral(out, 'tikopsFail').value).toBe(urls.fail);
    expect(localLiteral(out, 'tikopsJob').value).toBe(TOKEN);
    // `?` is never raw on the URL lines (v6 help key).
    for (const name of ['tikopsBusy', 'tikopsDone', 'tikopsFail']) {
      const line = out.split('\n').find((l) => l.startsWith(`:local ${name} `))!;
      expect(line).not.toContain('?');
    }
  });

  it('puts comments only at column 0 and uses no CR or indentation', () => {
    for (const needsAck of [true, false]) {
      for (const script of HOSTILE_PAYLOADS) {
        const out = renderWrapper(input({ needsAck, script }));
        expect(out).not.toContain('\r');
        expect(out.charCodeAt(0)).not.toBe(0xfeff);
        for (const line of out.split('\n')) {
          expect(line).not.toMatch(/^\s/);
          expect(line.trimStart().startsWith('#')).toBe(line.startsWith('#'));
        }
        const comments = out.split('\n').filter((l) => l.startsWith('#'));
        expect(comments).toEqual([`# tikops job ${TOKEN}`, '# tikops-end']);
      }
    }
  });

  it('uses space-separated command paths only', () => {
    const out = renderWrapper(input());
    expect(out).not.toMatch(/\/tool\/fetch|\/ip\/|\/system\//);
    expect(out).toContain('/tool fetch');
  });

  it('executes the payload only by parsing tikopsSrc and calling the result', () => {
    for (const needsAck of [true, false]) {
      const out = renderWrapper(input({ needsAck }));
      const lines = out.split('\n');
      const parse = lineIndex(lines, (l) => l === ':local tikopsFn [:parse $tikopsSrc]');
      expect(lines[parse + 1]).toBe('$tikopsFn');
      expect(out.match(/:parse/g)).toHaveLength(1);
      expect(out.match(/\$tikopsSrc/g)).toHaveLength(1);
      expect(out).not.toMatch(/:execute|\/system script run|import /);
    }
  });

  it('claims the job before running it and reports only inside the claimed branch', () => {
    const lines = renderWrapper(input()).split('\n');
    const claimFetch = lineIndex(lines, (l) => l.includes('url=$tikopsBusy') && l.includes('output=user as-value'));
    const claimCheck = lineIndex(lines, (l) => l.includes('($tikopsAck->"data") = "claimed"'));
    const claimedBranch = lineIndex(lines, (l) => l === ':if ($tikopsClaim) do={');
    const parse = lineIndex(lines, (l) => l.includes('[:parse $tikopsSrc]'));
    const done = lineIndex(lines, (l) => l.includes('url=$tikopsDone'));
    const fail = lineIndex(lines, (l) => l.includes('url=$tikopsFail'));
    const unclaimed = lineIndex(lines, (l) => l.includes('was not claimed'));
    const elseLine = unclaimed - 1;
    expect(lines[elseLine]).toBe('} else={');
    expect(claimFetch).toBeLessThan(claimCheck);
    expect(claimCheck).toBeLessThan(claimedBranch);
    for (const i of [parse, done, fail]) {
      expect(i).toBeGreaterThan(claimedBranch);
      expect(i).toBeLessThan(elseLine);
    }
    // Brace depth at the claimed branch's `} else={` is back to the branch's own level.
    let depth = 0;
    for (let i = claimedBranch; i < elseLine; i++) {
      depth += (lines[i]!.match(/\{/g) ?? []).length - (lines[i]!.match(/\}/g) ?? []).length;
    }
    expect(depth).toBe(1);
    expect(lines.filter((l) => l.includes('/tool fetch'))).toHaveLength(3);
  });

  it('stops the agent loop when the claim is refused', () => {
    const lines = renderWrapper(input({ remaining: 5 })).split('\n');
    const unclaimed = lineIndex(lines, (l) => l.includes('was not claimed'));
    expect(lines[unclaimed + 1]).toBe(':set tikopsMore 0');
    expect(lines.filter((l) => l === ':set tikopsMore 5')).toHaveLength(1);
  });

  it('has no fetch at all when no acknowledgement is needed', () => {
    const out = renderWrapper(input({ needsAck: false }));
    expect(out).not.toContain('fetch');
    expect(out).not.toContain('tikopsBusy');
    expect(out).not.toContain('tikopsDone');
    expect(out).not.toContain('tikopsFail');
    expect(out).not.toContain('api.example.net');
  });

  it('reports the given remaining count', () => {
    for (const remaining of [0, 1, 7, 12345]) {
      for (const needsAck of [true, false]) {
        const out = renderWrapper(input({ needsAck, remaining }));
        expect(out).toContain(`:log info ("Job " . $tikopsJob . " finished. Remaining: ${remaining}")\n`);
        expect(out).toContain(`\n:set tikopsMore ${remaining}\n`);
      }
    }
  });

  it('throws on an invalid remaining count', () => {
    for (const remaining of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => renderWrapper(input({ remaining }))).toThrow(RangeError);
      expect(() => wrapperByteLength(input({ remaining }))).toThrow(RangeError);
    }
    expect(() => renderWrapper(input({ remaining: '3' as unknown as number }))).toThrow(RangeError);
  });

  it('throws on a token that is unsafe in the header comment', () => {
    for (const token of ['', 'a\nb', 'a b', 'tok"en', 'x'.repeat(65)]) {
      expect(() => renderWrapper(input({ token }))).toThrow(RangeError);
    }
  });

  it('throws RangeError when the payload or a URL contains NUL', () => {
    expect(() => renderWrapper(input({ script: 'a\u0000b' }))).toThrow(RangeError);
    expect(() => wrapperByteLength(input({ script: 'a\u0000b' }))).toThrow(RangeError);
    expect(() => renderWrapper(input({ urls: { busy: '\u0000', done: 'd', fail: 'f' } }))).toThrow(RangeError);
  });
});

describe('wrapperByteLength', () => {
  it('equals the byte length of the rendered wrapper', () => {
    const urlSets = [
      input().urls,
      { busy: 'b?$"', done: 'd\\é', fail: 'f✓😀' },
      { busy: '', done: '', fail: '' },
    ];
    for (const needsAck of [true, false]) {
      for (const urls of urlSets) {
        for (const script of [...HOSTILE_PAYLOADS, '\x01'.repeat(20 * 1024), 'é'.repeat(10_000)]) {
          for (const remaining of [0, 9, 10, 1_000_000]) {
            const i = input({ needsAck, urls, script, remaining });
            expect(wrapperByteLength(i)).toBe(Buffer.byteLength(renderWrapper(i)));
          }
        }
      }
    }
  });

  it('grows with the encoded, not raw, payload size', () => {
    const base = wrapperByteLength(input({ script: '' }));
    expect(wrapperByteLength(input({ script: 'a'.repeat(100) }))).toBe(base + 100);
    expect(wrapperByteLength(input({ script: '\x01'.repeat(100) }))).toBe(base + 300);
    expect(wrapperByteLength(input({ script: 'é'.repeat(100) }))).toBe(base + 600);
  });
});
