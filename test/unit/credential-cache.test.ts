import { describe, expect, it } from 'vitest';
import type { Credential } from '../../src/http/auth.js';
import { createCredentialCache } from '../../src/http/credential-cache.js';

// The in-memory cache of verified operator credentials (src/http/credential-cache.ts): what it
// keeps, for how long, and when it must ask again.

const jwt = (org: string, expiresAt?: Date): Credential => ({ org, scopes: 'all', actor: 'jwt:-', ...(expiresAt ? { expiresAt } : {}) });
const key = (id: string): Credential => ({ org: 'o', scopes: new Set(['sites:read']), actor: `key:${id}`, keyId: id });

function counting(answer: Credential): { verify: () => Promise<Credential>; calls: () => number } {
  let n = 0;
  return { verify: () => (n++, Promise.resolve(answer)), calls: () => n };
}

const live = () => Promise.resolve();

describe('credential cache', () => {
  it('verifies a JWT once within the maximum age, and again after it', async () => {
    const cache = createCredentialCache({ maxAgeMs: 30_000, entries: 10, caughtUp: live });
    const v = counting(jwt('a'));
    for (const now of [0, 1_000, 29_999]) await cache.lookup('t', false, now, v.verify);
    expect(v.calls()).toBe(1);
    await cache.lookup('t', false, 30_000, v.verify);
    expect(v.calls()).toBe(2);
  });

  it('never keeps a credential past its own expiry', async () => {
    const cache = createCredentialCache({ maxAgeMs: 30_000, entries: 10, caughtUp: live });
    const v = counting(jwt('a', new Date(5_000)));
    await cache.lookup('t', false, 0, v.verify);
    await cache.lookup('t', false, 4_999, v.verify);
    expect(v.calls()).toBe(1);
    await cache.lookup('t', false, 5_000, v.verify);
    expect(v.calls()).toBe(2);
  });

  it('keeps at most `entries`, dropping the least recently used first', async () => {
    const cache = createCredentialCache({ maxAgeMs: 30_000, entries: 2, caughtUp: live });
    const a = counting(jwt('a'));
    const b = counting(jwt('b'));
    const c = counting(jwt('c'));
    await cache.lookup('a', false, 0, a.verify);
    await cache.lookup('b', false, 0, b.verify);
    await cache.lookup('a', false, 1, a.verify); // a is now the most recently used
    await cache.lookup('c', false, 2, c.verify); // b goes
    await cache.lookup('a', false, 3, a.verify);
    await cache.lookup('b', false, 3, b.verify);
    expect([a.calls(), b.calls(), c.calls()]).toEqual([1, 2, 1]);
  });

  it('keeps nothing when its maximum age is 0, and no failure ever', async () => {
    const off = createCredentialCache({ maxAgeMs: 0, entries: 10, caughtUp: live });
    const v = counting(jwt('a'));
    await off.lookup('t', false, 0, v.verify);
    await off.lookup('t', false, 0, v.verify);
    expect(v.calls()).toBe(2);
    const cache = createCredentialCache({ maxAgeMs: 30_000, entries: 10, caughtUp: live });
    let n = 0;
    const failing = (): Promise<Credential> => (n++, Promise.reject(new Error('token_invalid')));
    await expect(cache.lookup('t', false, 0, failing)).rejects.toThrow();
    await expect(cache.lookup('t', false, 0, failing)).rejects.toThrow();
    expect(n).toBe(2);
  });

  it('keeps API keys only while their changes are heard, and forgets a changed key', async () => {
    const cache = createCredentialCache({ maxAgeMs: 30_000, entries: 10, caughtUp: live });
    const v = counting(key('k1'));
    await cache.lookup('s', true, 0, v.verify);
    await cache.lookup('s', true, 0, v.verify);
    expect(v.calls()).toBe(2); // not hearing yet: every lookup asks
    cache.hearingKeys(true);
    await cache.lookup('s', true, 0, v.verify);
    await cache.lookup('s', true, 0, v.verify);
    expect(v.calls()).toBe(3);
    cache.forgetKey('k2');
    await cache.lookup('s', true, 0, v.verify);
    expect(v.calls()).toBe(3);
    cache.forgetKey('k1');
    await cache.lookup('s', true, 0, v.verify);
    expect(v.calls()).toBe(4);
    cache.hearingKeys(false); // changes may be missed from now on: forget every key
    await cache.lookup('s', true, 0, v.verify);
    expect(v.calls()).toBe(5);
  });

  it('does not keep a key whose lookup overlapped a change it heard', async () => {
    const cache = createCredentialCache({ maxAgeMs: 30_000, entries: 10, caughtUp: live });
    cache.hearingKeys(true);
    let n = 0;
    const racing = (): Promise<Credential> => {
      n++;
      cache.forgetKey('k1'); // the revocation is heard while PostgreSQL answers
      return Promise.resolve(key('k1'));
    };
    await cache.lookup('s', true, 0, racing);
    await cache.lookup('s', true, 0, () => (n++, Promise.resolve(key('k1'))));
    expect(n).toBe(2);
  });

  it('asks again when it cannot catch up with key changes', async () => {
    let up = true;
    const cache = createCredentialCache({ maxAgeMs: 30_000, entries: 10, caughtUp: () => (up ? Promise.resolve() : Promise.reject(new Error('down'))) });
    cache.hearingKeys(true);
    const v = counting(key('k1'));
    await cache.lookup('s', true, 0, v.verify);
    await cache.lookup('s', true, 0, v.verify);
    expect(v.calls()).toBe(1);
    up = false;
    await cache.lookup('s', true, 0, v.verify);
    expect(v.calls()).toBe(2);
  });
});
