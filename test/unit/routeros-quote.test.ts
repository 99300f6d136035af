import { describe, it, expect } from 'vitest';
import { rosQuote, rosQuotedLength, rosUnquote } from '../../src/routeros/quote.js';
import { prng } from '../../sim/prng.js';

// Biased towards the characters the encoder treats specially.
const INTERESTING = ['\\', '"', '$', '?', '\n', '\r', '\t', '{', '}', '[', ']', ';', '#', ' ', '=', '&', '%', '\x1b', '\x7f', '\x01', '\x1f', 'ÿ', 'é', '✓', '😀', 'П'];

function randomText(rand: () => number): string {
  const len = Math.floor(rand() * 40);
  let s = '';
  for (let i = 0; i < len; i++) {
    const r = rand();
    if (r < 0.4) {
      s += INTERESTING[Math.floor(rand() * INTERESTING.length)]!;
    } else if (r < 0.8) {
      s += String.fromCharCode(0x20 + Math.floor(rand() * 0x5f));
    } else if (r < 0.95) {
      // Any BMP scalar except NUL and surrogates.
      let c = 1 + Math.floor(rand() * 0xfffe);
      if (c >= 0xd800 && c <= 0xdfff) c = 0x4e2d;
      s += String.fromCharCode(c);
    } else {
      s += String.fromCodePoint(0x10000 + Math.floor(rand() * 0xfffff));
    }
  }
  return s;
}

// The inner part of a literal must not contain anything RouterOS would act on:
// raw line breaks, or an unescaped `"`, `$` or `?`; and only the escapes rosQuote
// promises (never \f, \_ or \?).
const ALLOWED_ESCAPE = /^(?:[0-9A-F]{2}|[\\"$nrt])$/;
function inertViolations(literal: string): string[] {
  const problems: string[] = [];
  if (!literal.startsWith('"') || !literal.endsWith('"') || literal.length < 2) problems.push('not wrapped in quotes');
  if (!/^[\x20-\x7e]*$/.test(literal)) problems.push('non-printable or non-ASCII character');
  // Tokenise left to right so `\\_` reads as an escaped backslash then `_`.
  for (const [, escape, raw] of literal.slice(1, -1).matchAll(/\\([0-9A-F]{2}|[\s\S])|([\s\S])/g)) {
    if (escape !== undefined && !ALLOWED_ESCAPE.test(escape)) problems.push(`escape \\${escape}`);
    if (raw !== undefined && /["$?\\\r\n]/.test(raw)) problems.push(`raw ${JSON.stringify(raw)}`);
  }
  return problems;
}

function expectInert(literal: string): void {
  expect(inertViolations(literal)).toEqual([]);
}

it('the inertness check flags raw specials and forbidden escapes', () => {
  expect(inertViolations('"a?b"')).toEqual(['raw "?"']);
  expect(inertViolations('"\\_"')).toEqual(['escape \\_']);
  expect(inertViolations('"\\\\_"')).toEqual([]);
  expect(inertViolations('"$a"')).toEqual(['raw "$"']);
});

const HOSTILE: readonly string[] = [
  '',
  '"',
  '""',
  'say "hi"',
  '$',
  '$a',
  '$[:len $a]',
  '$($a . 1)',
  '} on-error={}; /system reboot; :do {',
  '}',
  '{',
  '?',
  'https://h/p?a=1&b=2',
  'Café ✓ Привет',
  '😀 emoji 👩‍👩‍👧',
  'line1\r\nline2\r\n',
  'lone\rcr',
  'a\tb\tc',
  'esc\x1b[31m',
  'del\x7f',
  'y-umlaut \u00ff',
  'trailing backslash\\',
  '\\',
  '\\\\n',
  '\\"',
  '# comment',
  '/ip address add \\\n  address=10.9.9.9/32',
  '\x01'.repeat(20 * 1024),
];

describe('rosQuote', () => {
  it('matches the sample table of RouterOS escape sequences', () => {
    expect(rosQuote(':log info "value=$a $[:len $a]"')).toBe(String.raw`":log info \"value=\$a \$[:len \$a]\""`);
    expect(rosQuote('url="https://h/p?a=1&b=2"')).toBe(String.raw`"url=\"https://h/p\3Fa=1&b=2\""`);
    expect(rosQuote('Café ✓')).toBe(String.raw`"Caf\C3\A9 \E2\9C\93"`);
    expect(rosQuote('} on-error={}; /system reboot; :do {')).toBe('"} on-error={}; /system reboot; :do {"');
    expect(rosQuote('line1\r\nline2')).toBe(String.raw`"line1\r\nline2"`);
  });

  it('escapes each special byte with the documented sequence', () => {
    expect(rosQuote('\\')).toBe(String.raw`"\\"`);
    expect(rosQuote('"')).toBe(String.raw`"\""`);
    expect(rosQuote('$')).toBe(String.raw`"\$"`);
    expect(rosQuote('?')).toBe(String.raw`"\3F"`);
    expect(rosQuote('\n\r\t')).toBe(String.raw`"\n\r\t"`);
    expect(rosQuote('\x01\x1b\x1f\x7f')).toBe(String.raw`"\01\1B\1F\7F"`);
    expect(rosQuote('\u00ff')).toBe(String.raw`"\C3\BF"`);
    expect(rosQuote('\f\v\x07\x08')).toBe(String.raw`"\0C\0B\07\08"`);
  });

  it('keeps plain ASCII punctuation and spaces literal', () => {
    const plain = "a b;#{}[]()='&%+/,.:<>|~^!@*-_`";
    expect(rosQuote(plain)).toBe(`"${plain}"`);
  });

  it('returns an empty literal for empty input', () => {
    expect(rosQuote('')).toBe('""');
  });

  it('throws RangeError on NUL', () => {
    expect(() => rosQuote('a\u0000b')).toThrow(RangeError);
    expect(() => rosQuote('\u0000')).toThrow(RangeError);
    expect(() => rosQuotedLength('a\u0000b')).toThrow(RangeError);
  });

  it('round-trips hostile inputs through rosUnquote', () => {
    for (const text of HOSTILE) {
      const literal = rosQuote(text);
      expect(rosUnquote(literal)).toBe(text);
      expect(Buffer.from(rosUnquote(literal), 'utf8').equals(Buffer.from(text, 'utf8'))).toBe(true);
    }
  });

  it('produces inert literals for hostile inputs', () => {
    for (const text of HOSTILE) expectInert(rosQuote(text));
  });

  it('grows 20 KB of control bytes exactly threefold plus quotes', () => {
    const text = '\x01'.repeat(20 * 1024);
    expect(rosQuote(text).length).toBe(3 * 20 * 1024 + 2);
    expect(rosQuotedLength(text)).toBe(3 * 20 * 1024 + 2);
  });

  it('reports rosQuotedLength equal to the byte length of the literal', () => {
    for (const text of HOSTILE) {
      expect(rosQuotedLength(text)).toBe(Buffer.byteLength(rosQuote(text)));
    }
  });

  it('counts lone surrogates as the U+FFFD they encode to', () => {
    for (const text of ['\ud800', 'a\udc00b', '\ud83d', '\ud83dx']) {
      expect(rosQuotedLength(text)).toBe(Buffer.byteLength(rosQuote(text)));
      expect(rosUnquote(rosQuote(text))).toBe(text.replace(/[\ud800-\udfff]/g, '\ufffd'));
    }
  });

  it('round-trips thousands of seeded random strings with matching lengths', () => {
    const rand = prng(0x7ec0b5);
    for (let i = 0; i < 4000; i++) {
      const text = randomText(rand);
      const literal = rosQuote(text);
      expect(rosUnquote(literal)).toBe(text);
      expect(rosQuotedLength(text)).toBe(literal.length);
      expectInert(literal);
    }
  });
});

describe('rosUnquote', () => {
  it('decodes every documented escape', () => {
    expect(rosUnquote(String.raw`"\"\\\$\?\n\r\t\_"`)).toBe('"\\$?\n\r\t ');
    expect(rosUnquote(String.raw`"\a\b\v"`)).toBe('\x07\x08\x0b');
    expect(rosUnquote(String.raw`"\48\45\4C\4C\4F"`)).toBe('HELLO');
    expect(rosUnquote(String.raw`"Caf\C3\A9"`)).toBe('Café');
  });

  it('decodes \\f as byte 0xFF rather than form feed', () => {
    // A lone 0xFF is not valid UTF-8, so it surfaces as U+FFFD exactly like \FF.
    expect(rosUnquote(String.raw`"a\fb"`)).toBe(rosUnquote(String.raw`"a\FFb"`));
    expect(rosUnquote(String.raw`"a\fb"`)).not.toContain('\f');
  });

  it('passes raw non-ASCII and raw ? through as UTF-8', () => {
    expect(rosUnquote('"Привет ✓ ?"')).toBe('Привет ✓ ?');
  });

  it('rejects lowercase hex and unknown escapes', () => {
    expect(() => rosUnquote(String.raw`"\4a"`)).toThrow(SyntaxError);
    expect(() => rosUnquote(String.raw`"\x41"`)).toThrow(SyntaxError);
    expect(() => rosUnquote(String.raw`"\{"`)).toThrow(SyntaxError);
    expect(() => rosUnquote(String.raw`"\4"`)).toThrow(SyntaxError);
  });

  it('rejects raw line breaks', () => {
    expect(() => rosUnquote('"a\nb"')).toThrow(SyntaxError);
    expect(() => rosUnquote('"a\rb"')).toThrow(SyntaxError);
  });

  it('rejects literals that are not wrapped in quotes', () => {
    expect(() => rosUnquote('abc')).toThrow(SyntaxError);
    expect(() => rosUnquote('"abc')).toThrow(SyntaxError);
    expect(() => rosUnquote('abc"')).toThrow(SyntaxError);
    expect(() => rosUnquote('"')).toThrow(SyntaxError);
    expect(() => rosUnquote('')).toThrow(SyntaxError);
  });

  it('rejects an unescaped inner quote', () => {
    expect(() => rosUnquote('"a"b"')).toThrow(SyntaxError);
    expect(() => rosUnquote('"a" "b"')).toThrow(SyntaxError);
  });

  it('rejects an escaped closing quote that leaves the literal unterminated', () => {
    expect(() => rosUnquote(String.raw`"abc\"`)).toThrow(SyntaxError);
  });

  it('rejects unescaped $ because it would substitute a variable', () => {
    expect(() => rosUnquote('"$a"')).toThrow(SyntaxError);
  });
});
