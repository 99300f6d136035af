import { describe, expect, it } from 'vitest';
import { decodeKeyset, encodeKeyset, keysetCursor, pageOf, setNextPageHeaders } from '../../src/lib/cursor.js';

describe('keyset cursors', () => {
  it('round-trips a timestamp and a key, slashes and colons included', () => {
    const k = { at: new Date('2026-01-02T03:04:05.678Z'), key: '9a9a3e6f-1b1a-4b1a-8c1a-1e1a1a1a1a1a/1732567800.rsc:x' };
    const c = encodeKeyset(k);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeKeyset(c)).toEqual(k);
    expect(keysetCursor.parse(c)).toEqual(k);
  });

  it('refuses strings it did not write', () => {
    for (const s of ['', 'abc', Buffer.from('12:').toString('base64url'), Buffer.from('x:y').toString('base64url')]) {
      expect(decodeKeyset(s)).toBeNull();
    }
    expect(keysetCursor.safeParse(Buffer.from('nonsense').toString('base64url')).success).toBe(false);
    expect(keysetCursor.safeParse('not a cursor').success).toBe(false);
  });
});

describe('pages', () => {
  it('names a next cursor only when the extra row exists', () => {
    expect(pageOf([1, 2, 3], 2, String)).toEqual({ items: [1, 2], nextCursor: '2' });
    expect(pageOf([1, 2], 2, String)).toEqual({ items: [1, 2], nextCursor: null });
    expect(pageOf([], 2, String)).toEqual({ items: [], nextCursor: null });
  });

  it('links the next page with the same filters and the new cursor', () => {
    const set: Record<string, string> = {};
    setNextPageHeaders((k, v) => (set[k] = v), '/site', { limit: 2, tag: 'eu west', cursor: { old: true }, has_open_fault: true }, 'abc');
    expect(set).toEqual({ 'X-Next-Cursor': 'abc', Link: '</site?limit=2&tag=eu+west&has_open_fault=true&cursor=abc>; rel="next"' });
    const none: Record<string, string> = {};
    setNextPageHeaders((k, v) => (none[k] = v), '/site', { limit: 2 }, null);
    expect(none).toEqual({});
  });
});
