import { describe, expect, it } from 'vitest';
import { textProblem, unstorable, utf8Headers } from '../../src/http/text.js';

describe('the text rule', () => {
  it.each([
    ['Branch office — Zürich 東京 🚀', null],
    ['a\u0000b', 'expected no control characters'],
    ['a\u0007b', 'expected no control characters'],
    ['a\u0085b', 'expected no control characters'], // C1 (NEL)
    ['a\nb', 'expected no control characters'],
    ['a\ud800b', 'expected text without unpaired surrogates'],
    ['a\udc00', 'expected text without unpaired surrogates'],
    ['admin\u202Egnp.exe', 'expected no bidirectional override characters'],
    ['x\u2066y', 'expected no bidirectional override characters'],
  ])('judges %j', (value, problem) => {
    expect(textProblem(value)).toBe(problem);
  });

  it('allows tab and line breaks in multiline fields only', () => {
    expect(textProblem('-----BEGIN\r\n\tX\n', { multiline: true })).toBeNull();
    expect(textProblem('a\u000bb', { multiline: true })).toBe('expected no control characters other than tab and line breaks');
  });

  it('calls NUL and unpaired surrogates unstorable, and nothing else', () => {
    expect(unstorable('a\u0000')).toBe(true);
    expect(unstorable('\ud83d')).toBe(true);
    expect(unstorable('/log info "\t🚀\u202E"')).toBe(false);
  });
});

describe('utf8Headers', () => {
  it('re-reads latin-1 header strings as UTF-8 and refuses bytes that are not UTF-8', () => {
    const asNodeGivesIt = Buffer.from('Café 🚀', 'utf8').toString('latin1');
    expect(utf8Headers({ 'x-description': asNodeGivesIt })['x-description']).toBe('Café 🚀');
    expect(utf8Headers({ a: 'plain', b: ['x'] })).toEqual({ a: 'plain', b: ['x'] });
    expect(() => utf8Headers({ 'x-description': '\xff\xfe' })).toThrow(/header.x-description/);
  });
});
