import type { Credential } from './auth.js';

// Verified operator credentials, kept in memory so a busy client's JWT signature or API key
// lookup is not repeated on every request (issue 10). Bounded three ways: at most `entries`
// (least recently used go first), at most `maxAgeMs` old, and never past the credential's own
// expiry (a JWT's exp, an API key's expires_at).
//
// API keys can be revoked: every change of an api_key row is announced by a trigger with
// pg_notify (prisma/migrations/…_api_key_changed), which each API process hears on a LISTEN
// connection (src/db/listen.ts) and answers with forgetKey. API keys are cached only while
// that connection is up, a lookup that overlapped a change is not cached, and a remembered key
// is used only after `caughtUp` (one round trip on that connection, shared by every request of
// an event-loop turn) has delivered every notification committed before the request: so a
// revocation holds at once on every pod, as when every request looked the key up.

export interface CredentialCache {
  /**
   * The credential `token` stands for: remembered, or `verify`'s answer (remembered when it may
   * be). `isKey`: an API key (cached only while key changes are heard). Failures are not kept.
   */
  lookup(token: string, isKey: boolean, now: number, verify: () => Promise<Credential>): Promise<Credential>;
  /** An API key changed (revoked, deleted, …): forget it, and do not keep a lookup in flight. */
  forgetKey(keyId: string): void;
  /** Whether changes of API keys are heard now; while not, API keys are not cached at all. */
  hearingKeys(live: boolean): void;
}

interface Entry {
  credential: Credential;
  until: number;
}

export function createCredentialCache(opts: {
  maxAgeMs: number;
  entries: number;
  /** Resolves once every API key change committed so far was heard (Listener.caughtUp). */
  caughtUp: () => Promise<void>;
}): CredentialCache {
  const entries = new Map<string, Entry>();
  // Bumped by every key change heard: a key lookup that began before it may hold the old row.
  let epoch = 0;
  let keysLive = false;

  const forgetKeys = (match: (keyId: string) => boolean): void => {
    epoch++;
    for (const [token, e] of entries) if (e.credential.keyId !== undefined && match(e.credential.keyId)) entries.delete(token);
  };

  return {
    async lookup(token, isKey, now, verify) {
      let hit = entries.get(token);
      // A key may have been revoked a moment ago: hear about it first (then `hit` is gone).
      if (hit && isKey) hit = await opts.caughtUp().then(() => entries.get(token), () => undefined);
      if (hit) {
        entries.delete(token);
        if (now < hit.until) {
          entries.set(token, hit); // most recently used last
          return hit.credential;
        }
      }
      const since = epoch;
      const credential = await verify();
      if (opts.maxAgeMs > 0 && (!isKey || (keysLive && since === epoch))) {
        const until = Math.min(now + opts.maxAgeMs, credential.expiresAt?.getTime() ?? Infinity);
        entries.set(token, { credential, until });
        if (entries.size > opts.entries) entries.delete(entries.keys().next().value!);
      }
      return credential;
    },
    forgetKey(keyId) {
      forgetKeys((id) => id === keyId);
    },
    hearingKeys(live) {
      if (live === keysLive) return;
      keysLive = live;
      // Changes made while nobody listened are unknown: start over.
      forgetKeys(() => true);
    },
  };
}
