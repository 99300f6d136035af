import { request } from './client';

// How the dashboard proves who it is: a session cookie (issue 11 item 2).
//
// signIn() POSTs the pasted API key (or JWT) to /session; the server answers with an httpOnly,
// SameSite=Strict cookie (Secure in production) that the page never sees, bound to the key's
// organisation and scopes and ended when the key is revoked. What the page keeps is the
// session's CSRF token (in sessionStorage, for this tab): authorize() sends it as X-CSRF-Token on
// every state-changing call, and no Authorization header at all. A new tab asks GET /session for
// the token of the cookie it already has. signOut() DELETEs /session. The pasted credential
// itself is never stored in the browser.

const STORAGE_KEY = 'tikops.csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type Listener = (reason: string | null) => void;
const listeners = new Set<Listener>();

function stored(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: GET /session finds the cookie's session again after a reload
  }
}

function store(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(STORAGE_KEY);
    else sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    // kept in memory only
  }
}

let csrf: string | null = stored();
/** True while signIn() checks a credential that is not the session's yet. */
let verifying = false;

interface SessionState {
  session: { csrf_token: string } | null;
}

// A tab opened without a token may still hold the cookie of a live session (another tab signed
// in): ask once, after every module of the page has loaded (client.ts imports this one).
if (csrf === null) {
  void Promise.resolve()
    .then(() => request<SessionState>('GET', '/session'))
    .then(({ data }) => {
      if (data.session && csrf === null) {
        csrf = data.session.csrf_token;
        store(csrf);
        notify(null);
      }
    })
    .catch(() => undefined);
}

export function isSignedIn(): boolean {
  return csrf !== null;
}

/** Adds this session's CSRF token to a state-changing request (the cookie travels by itself). */
export function authorize(method: string, headers: Headers): void {
  if (csrf && !SAFE_METHODS.has(method.toUpperCase())) headers.set('x-csrf-token', csrf);
}

/**
 * Exchanges a pasted credential for a session (POST /session), then makes `verify`'s call with it;
 * throws the API's error (and keeps no session) if either is refused.
 */
export async function signIn(pasted: string, verify: () => Promise<unknown>): Promise<void> {
  verifying = true;
  try {
    const { data } = await request<{ csrf_token: string }>('POST', '/session', { json: { credential: pasted.trim().replace(/^Bearer\s+/i, '') } });
    csrf = data.csrf_token;
    await verify();
  } catch (err) {
    csrf = null;
    throw err;
  } finally {
    verifying = false;
  }
  store(csrf);
  notify(null);
}

/** Ends the session (DELETE /session, which also clears the cookie); `reason` is shown on the sign-in page. */
export function signOut(reason: string | null = null): void {
  const token = csrf;
  csrf = null;
  store(null);
  void request('DELETE', '/session', { headers: token ? { 'x-csrf-token': token } : {} }).catch(() => undefined);
  notify(reason);
}

/** The API refused the session (401: revoked key, expired, signed out elsewhere): back to the sign-in page with its message. */
export function expired(reason: string): void {
  if (csrf !== null && !verifying) signOut(reason);
}

/** Called on every sign-in and sign-out; returns the unsubscribe function. */
export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify(reason: string | null): void {
  for (const l of listeners) l(reason);
}
