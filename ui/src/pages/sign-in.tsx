import { useState } from 'preact/hooks';
import { listRunbooks } from '../api/endpoints';
import * as session from '../api/session';
import { ErrorBox } from '../components/feedback';
import { useAction } from '../lib/hooks';
import { useTitle } from '../lib/title';

export function SignInPage({ reason }: { reason: string | null }) {
  useTitle('Sign in');
  const [credential, setCredential] = useState('');
  // POST /session exchanges the credential for a session cookie; one cheap call then proves it.
  const signIn = useAction(() => session.signIn(credential, listRunbooks));
  return (
    <main id="main" class="sign-in">
      <h1>Sign in to tikops</h1>
      {reason ? (
        <p class="notice" role="status">
          You were signed out: {reason}
        </p>
      ) : null}
      <form
        class="card form"
        onSubmit={(e) => {
          e.preventDefault();
          void signIn.run();
        }}
      >
        <label for="credential">API key</label>
        <p id="credential-help" class="muted small">
          Paste an API key (<code>tko_…</code>, from <code>npm run tikops -- keys create</code> or the API keys page) or
          an operator JWT. It is exchanged for a session cookie and not kept in the browser; the session has the key's
          scopes and ends when the key is revoked.
        </p>
        <textarea
          id="credential"
          rows={4}
          class="mono"
          value={credential}
          required
          spellcheck={false}
          autocomplete="off"
          aria-describedby="credential-help"
          onInput={(e) => setCredential(e.currentTarget.value)}
        />
        {signIn.error ? <ErrorBox error={signIn.error} title="Sign-in failed" /> : null}
        <div>
          <button type="submit" class="button primary" disabled={signIn.pending || credential.trim() === ''}>
            {signIn.pending ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
    </main>
  );
}
