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

const STORAGE_KEY = 'tikops.session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type Listener = (reason: string | null) => void;
const listeners = new Set<Listener>();

/** What the page keeps of a session: its CSRF token and the scopes the API reported for it. */
interface Kept {
  csrf: string;
  scopes: string[];
  actor: string;
}

function stored(): Kept | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Partial<Kept> | null;
    return typeof v?.csrf === 'string' && Array.isArray(v.scopes) ? { csrf: v.csrf, scopes: v.scopes.map(String), actor: String(v.actor ?? '') } : null;
  } catch {
    return null; // storage disabled: GET /session finds the cookie's session again after a reload
  }
}

function store(kept: Kept | null): void {
  try {
    if (kept === null) sessionStorage.removeItem(STORAGE_KEY);
    else sessionStorage.setItem(STORAGE_KEY, JSON.stringify(kept));
  } catch {
    // kept in memory only
  }
}

const initial = stored();
let csrf: string | null = initial?.csrf ?? null;
let scopes: ReadonlySet<string> = new Set(initial?.scopes ?? []);
let actor = initial?.actor ?? '';
/** True while signIn() checks a credential that is not the session's yet. */
let verifying = false;

interface SessionInfo {
  csrf_token: string;
  scopes: string[];
  actor: string;
}

interface SessionState {
  session: SessionInfo | null;
}

function keep(info: SessionInfo): void {
  csrf = info.csrf_token;
  scopes = new Set(info.scopes);
  actor = info.actor;
}

function kept(): Kept {
  return { csrf: csrf as string, scopes: [...scopes], actor };
}

// A tab opened without a token may still hold the cookie of a live session (another tab signed
// in): ask once, after every module of the page has loaded (client.ts imports this one).
if (csrf === null) {
  void Promise.resolve()
    .then(() => request<SessionState>('GET', '/session'))
    .then(({ data }) => {
      if (data.session && csrf === null) {
        keep(data.session);
        store(kept());
        notify(null);
      }
    })
    .catch(() => undefined);
}

export function isSignedIn(): boolean {
  return csrf !== null;
}

/**
 * Whether the session's key holds every one of `needed` (GET/POST /session report its scopes).
 * Pages and links the key cannot use are not shown; the API refuses them anyway.
 */
export function can(...needed: string[]): boolean {
  return needed.every((s) => scopes.has(s));
}

/** The session's scopes, and who it acts as (`key:<api key id>` or `jwt:<sub>`). */
export function whoami(): { scopes: string[]; actor: string } {
  return { scopes: [...scopes], actor };
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
    const { data } = await request<SessionInfo>('POST', '/session', { json: { credential: pasted.trim().replace(/^Bearer\s+/i, '') } });
    keep(data);
    await verify();
  } catch (err) {
    csrf = null;
    throw err;
  } finally {
    verifying = false;
  }
  store(kept());
  notify(null);
}

/** Ends the session (DELETE /session, which also clears the cookie); `reason` is shown on the sign-in page. */
export function signOut(reason: string | null = null): void {
  const token = csrf;
  csrf = null;
  scopes = new Set();
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
