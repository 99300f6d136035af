// String literals: every documented escape, UTF-8 bytes, and `$` substitution.
import { describe, it, expect } from 'vitest';
import { rosQuote, rosUnquote } from '../../src/routeros/quote.js';
import { createFakeHost } from '../../sim/routeros/fake-host.js';
import { checkSyntax, createRouterState, decodeLiteral, runScript } from '../../sim/routeros/index.js';
import { prng } from '../../sim/prng.js';

const INTERESTING = ['\\', '"', '$', '?', '\n', '\r', '\t', '{', '}', '[', ']', ';', '#', ' ', '=', '&', '%', '\x1b', '\x7f', '\x01', 'ÿ', 'é', '✓', '😀', 'П', '$[', '$(', '\\n'];

function randomText(rand: () => number): string {
  const len = Math.floor(rand() * 40);
  let s = '';
  for (let i = 0; i < len; i++) {
    const r = rand();
    if (r < 0.4) s += INTERESTING[Math.floor(rand() * INTERESTING.length)]!;
    else if (r < 0.85) s += String.fromCharCode(0x20 + Math.floor(rand() * 0x5f));
    else s += String.fromCodePoint(0x80 + Math.floor(rand() * 0x2000));
  }
  return s;
}

async function put(expr: string): Promise<string> {
  return (await runScript(`:put ${expr}`, createRouterState(), createFakeHost())).output;
}

describe('simulator string literals', () => {
  it('decodes rosQuote output exactly like rosUnquote', () => {
    const rand = prng(7);
    for (let i = 0; i < 2000; i++) {
      const text = randomText(rand);
      const literal = rosQuote(text);
      expect(decodeLiteral(literal)).toBe(rosUnquote(literal));
      expect(decodeLiteral(literal)).toBe(text);
    }
  });

  it('gives scripts the same text rosQuote encoded', async () => {
    const rand = prng(11);
    const texts = Array.from({ length: 50 }, () => randomText(rand));
    const script = texts.map((t, i) => `:local v${String(i)} ${rosQuote(t)}\n:put $v${String(i)}`).join('\n');
    const { output } = await runScript(script, createRouterState(), createFakeHost());
    expect(output).toBe(texts.map((t) => `${t}\n`).join(''));
  });

  it('implements every escape of the documented table, with \\? on v6 only', () => {
    expect(decodeLiteral(String.raw`"\"\\\n\r\t\$\_"`)).toBe('"\\\n\r\t$ ');
    // `\?` was "Removed since v7.1rc2" (Scripting 47579229, "Constant Escape Sequences").
    expect(decodeLiteral(String.raw`"a\?b"`, { v6: true })).toBe('a?b');
    expect(() => decodeLiteral(String.raw`"a\?b"`)).toThrow('syntax error (line 1 column 3)');
    expect(checkSyntax(String.raw`:put "help\?"`)).toBe('syntax error (line 1 column 11)');
    expect(checkSyntax(String.raw`:put "help\?"`, { v6: true })).toBeNull();
    expect(decodeLiteral(String.raw`"\a\b\v"`)).toBe('\x07\x08\x0b');
    expect(decodeLiteral(String.raw`"\48\45\4C\4C\4F"`)).toBe('HELLO');
    expect(decodeLiteral(String.raw`"\C3\A9\E2\9C\93"`)).toBe('é✓');
  });

  it('treats \\f as byte 0xFF and counts bytes, not characters', async () => {
    expect(await put(String.raw`("\f" = "\FF")`)).toBe('true\n');
    expect(await put(String.raw`[:len "\f"]`)).toBe('1\n');
    expect(await put('[:len "é✓"]')).toBe('5\n');
    expect(await put('[:pick "é✓" 2 5]')).toBe('✓\n');
  });

  it('rejects unknown escapes, lowercase hex and raw line breaks as syntax errors', () => {
    for (const bad of [String.raw`:put "\x41"`, String.raw`:put "\{"`, String.raw`:put "\4a"`, String.raw`:put "\4"`, ':put "a\nb"', ':put "open']) {
      expect(checkSyntax(bad)).toMatch(/^syntax error \(line \d+ column \d+\)$/);
    }
    expect(() => decodeLiteral(String.raw`"\q"`)).toThrow(/syntax error \(line 1 column 2\)/);
  });

  it('joins a backslash-newline inside quotes, dropping the next line’s indentation', async () => {
    expect(await put('"abc\\\n    def"')).toBe('abcdef\n');
    expect(await put('"abc\\\r\n\tdef"')).toBe('abcdef\n');
  });

  it('substitutes $var, $"quoted-var", $[cmd] and $(expr) inside strings', async () => {
    const script = [
      ':local a "x"',
      ':local "my-var" "q"',
      ':local aM "whole"',
      ':put "v=$a $[:len $a] $($a . 1) $"my-var" $aM $a\\4D \\$a"',
      ':put "nested $[:pick "abc" 1] ok"',
    ].join('\n');
    const { output } = await runScript(script, createRouterState(), createFakeHost());
    expect(output).toBe('v=x 1 x1 q whole xM $a\nnested b ok\n');
  });

  it('rejects a $ that starts no substitution', () => {
    expect(checkSyntax(':put "cost $ 5"')).toMatch(/^syntax error/);
  });
});
