// How the dashboard proves who it is — the one file to change when sign-in moves to a session.
//
// Today: the operator pastes a bearer credential (an operator JWT; the API keys `tko_…` of issue 12
// use the same `Authorization: Bearer` header). It lives in sessionStorage, so it dies with the tab
// and is never sent anywhere but this origin's API.
// Later (issue 11 item 2): signIn() POSTs the key to /session and the server answers with an
// httpOnly, SameSite=Strict cookie; authorize() then adds no Authorization header but the CSRF
// header to every state-changing call; signOut() DELETEs /session. client.ts and the pages stay as
// they are.

const STORAGE_KEY = 'tikops.credential';

type Listener = (reason: string | null) => void;
const listeners = new Set<Listener>();

function stored(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: the operator signs in again after each reload
  }
}

let credential: string | null = stored();
/** True while signIn() checks a credential that is not the session's yet. */
let verifying = false;

export function isSignedIn(): boolean {
  return credential !== null;
}

/** Adds this session's credentials to one API request. */
export function authorize(_method: string, headers: Headers): void {
  if (credential) headers.set('authorization', `Bearer ${credential}`);
}

/**
 * Starts a session with a pasted credential. `verify` makes one authenticated call with it and
 * throws the API's error if the credential is refused; the session is kept only if it succeeds.
 */
export async function signIn(pasted: string, verify: () => Promise<unknown>): Promise<void> {
  credential = pasted.trim().replace(/^Bearer\s+/i, '');
  verifying = true;
  try {
    await verify();
  } catch (err) {
    credential = null;
    throw err;
  } finally {
    verifying = false;
  }
  try {
    sessionStorage.setItem(STORAGE_KEY, credential);
  } catch {
    // kept in memory only
  }
  notify(null);
}

/** Ends the session; `reason` (e.g. the API's 401 message) is shown on the sign-in page. */
export function signOut(reason: string | null = null): void {
  credential = null;
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing stored
  }
  notify(reason);
}

/** The API refused the session's credential (401): back to the sign-in page with its message. */
export function expired(reason: string): void {
  if (credential !== null && !verifying) signOut(reason);
}

/** Called on every sign-in and sign-out; returns the unsubscribe function. */
export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify(reason: string | null): void {
  for (const l of listeners) l(reason);
}
