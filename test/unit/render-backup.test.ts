import { describe, expect, it } from 'vitest';
import { BACKUP_CHUNK_BYTES, backupStep, renderWrapper, wrapperByteLength, type WrapperInput } from '../../src/routeros/wrapper.js';
import { createCallbackSigner } from '../../src/tokens/callback-signature.js';
import { checkSyntax } from '../../sim/routeros/index.js';
import { rosUnquote } from '../../src/routeros/quote.js';

// The wrapper's pre-job backup step (docs/backups.md).

const JOB = '0b7e1d2c-3f4a-4b5c-8d6e-7f8091a2b3c4';

function input(overrides: Partial<WrapperInput> = {}): WrapperInput {
  return {
    token: '4KuKNp3QzpfwLcg3BUnn1a',
    needsAck: true,
    urls: {
      busy: 'https://api.example.net/job/0b7e/update?status=busy&signature=abc',
      done: 'https://api.example.net/job/0b7e/update?status=done&signature=def',
      fail: 'https://api.example.net/job/0b7e/update?status=fail&signature=ghi',
    },
    script: ':log info "payload"',
    remaining: 2,
    backup: {
      part: 'https://api.example.net/job/0b7e/backup?attempt=1&signature=s1',
      commit: 'https://api.example.net/job/0b7e/backup/commit?attempt=1&signature=s1',
    },
    ...overrides,
  };
}

function local(wrapper: string, name: string): string {
  const lines = wrapper.split('\n').filter((l) => l.startsWith(`:local ${name} `));
  expect(lines).toHaveLength(1);
  return rosUnquote(lines[0]!.slice(`:local ${name} `.length));
}

/** Index of the first line equal to `line`, asserting there is exactly one. */
function only(lines: string[], line: string): number {
  expect(lines.filter((l) => l === line), line).toHaveLength(1);
  return lines.indexOf(line);
}

/** Index of the `}` or `} else={` line that closes the block opened on line `open`. */
function closeOf(lines: string[], open: number): number {
  let depth = 0;
  for (let i = open; i < lines.length; i++) {
    if (i > open && depth === 1 && lines[i]!.startsWith('}')) return i;
    depth += (lines[i]!.match(/\{/g) ?? []).length - (lines[i]!.match(/\}/g) ?? []).length;
  }
  throw new Error(`block at ${open} never closes`);
}

describe('renderWrapper with a backup step', () => {
  it('carries the backup URLs and the step source as literals that round-trip exactly', () => {
    const backup = {
      part: 'https://h/job/u1/backup?attempt=7&signature=a+b/c==&x=%2F$(evil)"q"',
      commit: 'https://h/job/u1/backup/commit?attempt=7&signature=\\x✓',
    };
    const out = renderWrapper(input({ backup }));
    expect(local(out, 'tikopsPart')).toBe(backup.part);
    expect(local(out, 'tikopsCommit')).toBe(backup.commit);
    expect(local(out, 'tikopsBkSrc')).toBe(backupStep(false));
    for (const name of ['tikopsPart', 'tikopsCommit', 'tikopsBkSrc']) {
      expect(out.split('\n').find((l) => l.startsWith(`:local ${name} `))).not.toContain('?');
    }
  });

  it('round-trips real signed URLs', () => {
    const urls = createCallbackSigner('k'.repeat(40), 'https://tikops.example.net').backupUrls(JOB, 3);
    const out = renderWrapper(input({ backup: urls }));
    expect(local(out, 'tikopsPart')).toBe(urls.part);
    expect(local(out, 'tikopsCommit')).toBe(urls.commit);
  });

  it('runs the payload only inside the claimed branch and only after the commit said "stored"', () => {
    const lines = renderWrapper(input()).split('\n');
    const claimed = only(lines, ':if ($tikopsClaim) do={');
    const step = only(lines, ':local tikopsBk [$tikopsBkFn tikopsP=$tikopsPart tikopsC=$tikopsCommit tikopsK=$tikopsJob]');
    const stored = only(lines, ':if ($tikopsBk = "stored") do={ :set tikopsBacked true }');
    const backed = only(lines, ':if ($tikopsBacked) do={');
    const payload = only(lines, ':local tikopsFn [:parse $tikopsSrc]');
    const done = lines.findIndex((l) => l.includes('url=$tikopsDone'));
    const reasonFail = only(lines, ':do { /tool fetch url=($tikopsFail . "&reason=backup") keep-result=no } on-error={}');
    const backedElse = closeOf(lines, backed);
    expect(lines[backedElse]).toBe('} else={');
    const claimedElse = closeOf(lines, claimed);
    expect(lines[claimedElse]).toBe('} else={');
    expect(claimed).toBeLessThan(step);
    expect(step).toBeLessThan(stored);
    expect(stored).toBeLessThan(backed);
    for (const i of [payload, done]) {
      expect(i).toBeGreaterThan(backed);
      expect(i).toBeLessThan(backedElse);
    }
    expect(reasonFail).toBeGreaterThan(backedElse);
    expect(reasonFail).toBeLessThan(claimedElse);
    expect(lines[backedElse + 1]).toBe(':set tikopsLast ($tikopsJob . ":fail")');
  });

  it('keeps the v7-only commands inside the step literal, parsed at run time', () => {
    const lines = renderWrapper(input()).split('\n');
    const outside = lines.filter((l) => !l.startsWith(':local tikopsBkSrc ') && !l.startsWith(':local tikopsSrc '));
    expect(outside.join('\n')).not.toMatch(/:execute|export|as-string|http-method/);
    expect(backupStep(false)).toContain(':execute script="/export terse show-sensitive" as-string');
    expect(lines.filter((l) => l.includes('[:parse $tikopsBkSrc]'))).toHaveLength(1);
  });

  it('parses in both dialects: the wrapper as v6 and v7 source, the step as v7 source', () => {
    const out = renderWrapper(input());
    expect(checkSyntax(out, { v6: true })).toBeNull();
    expect(checkSyntax(out)).toBeNull();
    expect(checkSyntax(backupStep(false))).toBeNull();
  });

  it('posts chunks within the /tool fetch http-data limit and commits the count and length it sent', () => {
    expect(BACKUP_CHUNK_BYTES).toBeLessThanOrEqual(64_000);
    expect(backupStep(false)).toContain(`step=${BACKUP_CHUNK_BYTES}`);
    expect(backupStep(false)).toContain(`[:pick $tikopsCfg $tikopsI ($tikopsI + ${BACKUP_CHUNK_BYTES})]`);
    expect(backupStep(false)).toContain('"&parts=" . $tikopsN . "&length=" . $tikopsLen');
    expect(backupStep(false)).toContain(':return ($tikopsR->"data")');
    const opens = (backupStep(false).match(/\{/g) ?? []).length;
    expect((backupStep(false).match(/\}/g) ?? []).length).toBe(opens);
    expect(backupStep(false)).not.toContain('?');
  });

  it('keeps the wrapper rules: end marker, column-0 comments, no CR or indentation', () => {
    const out = renderWrapper(input({ script: '# tikops-end\n} on-error={}\r\n' }));
    expect(out.endsWith('\n# tikops-end\n')).toBe(true);
    expect(out).not.toContain('\r');
    for (const line of out.split('\n')) expect(line).not.toMatch(/^\s/);
    expect(out.split('\n').filter((l) => l.startsWith('#'))).toEqual(['# tikops job 4KuKNp3QzpfwLcg3BUnn1a', '# tikops-end']);
  });

  it('measures exactly what it renders', () => {
    for (const script of ['', 'x', '\x01'.repeat(5_000), 'é✓😀'.repeat(1_000)]) {
      for (const remaining of [0, 7, 123_456]) {
        const i = input({ script, remaining });
        expect(wrapperByteLength(i)).toBe(Buffer.byteLength(renderWrapper(i)));
      }
    }
    const withStep = wrapperByteLength(input());
    expect(withStep).toBeGreaterThan(wrapperByteLength(input({ backup: undefined })) + backupStep(false).length);
  });

  it('refuses a backup step without acknowledgement', () => {
    expect(() => renderWrapper(input({ needsAck: false }))).toThrow(RangeError);
    expect(() => wrapperByteLength(input({ needsAck: false }))).toThrow(RangeError);
  });

  it('leaves wrappers without a backup step unchanged', () => {
    const out = renderWrapper(input({ backup: undefined }));
    expect(out).not.toMatch(/tikopsPart|tikopsCommit|tikopsBk|reason=backup/);
  });
});

describe('backup URL signatures', () => {
  const signer = createCallbackSigner('k'.repeat(40), 'https://tikops.example.net');

  it('binds job and attempt, and is distinct from every callback signature', () => {
    const urls = signer.backupUrls(JOB, 3);
    const sig = new URL(urls.part).searchParams.get('signature')!;
    expect(new URL(urls.commit).searchParams.get('signature')).toBe(sig);
    expect(signer.verifyBackup(JOB, 3, sig)).toBe(true);
    expect(signer.verifyBackup(JOB, 4, sig)).toBe(false);
    expect(signer.verifyBackup(JOB.replace('0b7e', '0b7f'), 3, sig)).toBe(false);
    for (const status of ['busy', 'done', 'fail'] as const) {
      const cb = new URL(signer.url(JOB, status, 3)).searchParams.get('signature')!;
      expect(cb).not.toBe(sig);
      expect(signer.verifyBackup(JOB, 3, cb)).toBe(false);
      expect(signer.verify(JOB, status, 3, sig)).toBe(false);
    }
  });

  it('leaves the callback URLs as they were', () => {
    expect(signer.url(JOB, 'busy', 1)).toMatch(new RegExp(`^https://tikops.example.net/job/${JOB}/update\\?status=busy&attempt=1&signature=[A-Za-z0-9_-]{43}$`));
  });
});
