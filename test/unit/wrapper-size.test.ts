import { describe, expect, it } from 'vitest';
import { payloadByteLength, renderWrapper, wrapperOverhead, type WrapperInput } from '../../src/routeros/wrapper.js';
import { rosQuote, rosQuotedTwiceLength } from '../../src/routeros/quote.js';

// Job creation sizes the wrapper arithmetically (src/jobs/jobs.service.ts: one overhead per set of
// options, plus the payload's quoted length); delivery renders it. The two must agree byte for byte
// in both dialects: without output capture (v6, and v7 before 7.15) and with it (v7.15+).

/** A deterministic generator (mulberry32), so a failure names a reproducible case. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Every class of character the quoting treats differently: plain, the four escaped ASCII
// characters, named escapes, other control bytes, DEL, 2-, 3- and 4-byte UTF-8, lone surrogates.
const ALPHABET = ['a', 'Z', '0', ' ', '/', '=', '\\', '"', '$', '?', '\n', '\r', '\t', '\x01', '\x1f', '\x7f', 'é', 'ß', '✓', '€', '😀', '\ud800', '\udc00', '{', '}', ';', '#'];

function script(next: () => number): string {
  const n = Math.floor(next() * 300);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)]!;
  return s;
}

const URL = 'https://tikops.example.net/job/00000000-0000-0000-0000-000000000000/update?status=busy&attempt=99&signature=abc';
const BACKUP = { part: `${URL}&step=part`, commit: `${URL}&step=commit` };

function options(next: () => number): Omit<WrapperInput, 'script'> {
  const backup = next() < 0.5;
  const needsAck = backup || next() < 0.7;
  const verify = next() < 0.5;
  return {
    token: '4KuKNp3QzpfwLcg3BUnn1a',
    needsAck,
    urls: { busy: URL, done: URL, fail: URL },
    remaining: Math.floor(next() * 1_000_000),
    backup: backup ? BACKUP : undefined,
    rollback: backup && next() < 0.5 ? { seconds: 60 + Math.floor(next() * 3_540), trust: { verify, caPem: null } } : undefined,
    verify,
  };
}

describe('wrapper size arithmetic', () => {
  it('equals the rendered length for many scripts and options, without and with output capture', () => {
    const next = random(10);
    for (let i = 0; i < 400; i++) {
      const opts = options(next);
      const capture = opts.needsAck && next() < 0.5 ? { marker: `tikops${'ab12'.repeat(6)}`, maxBytes: 1 + Math.floor(next() * 60_000) } : undefined;
      const overhead = wrapperOverhead({ ...opts, capture });
      // One overhead serves every script under the same options.
      for (let j = 0; j < 5; j++) {
        const s = script(next);
        const rendered = renderWrapper({ ...opts, capture, script: s });
        expect(overhead + payloadByteLength(s, capture !== undefined), JSON.stringify({ i, j, s })).toBe(Buffer.byteLength(rendered));
      }
    }
  });

  it('counts a literal inside a literal exactly', () => {
    const next = random(20);
    for (let i = 0; i < 500; i++) {
      const s = script(next);
      expect(rosQuotedTwiceLength(s)).toBe(rosQuote(rosQuote(s)).length);
    }
  });

  it('refuses NUL like rendering does', () => {
    expect(() => payloadByteLength('a\u0000b', false)).toThrow(RangeError);
    expect(() => payloadByteLength('a\u0000b', true)).toThrow(RangeError);
  });
});
