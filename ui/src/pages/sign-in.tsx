import { useState } from 'preact/hooks';
import { listRunbooks } from '../api/endpoints';
import * as session from '../api/session';
import { ErrorBox } from '../components/feedback';
import { useAction } from '../lib/hooks';
import { useTitle } from '../lib/title';

export function SignInPage({ reason }: { reason: string | null }) {
  useTitle('Sign in');
  const [credential, setCredential] = useState('');
  // One cheap authenticated call proves the credential before it is kept (POST /session later).
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
        <label for="credential">Bearer credential</label>
        <p id="credential-help" class="muted small">
          Paste an operator token (a JWT signed for your organisation; API keys <code>tko_…</code> will work the same
          way). It is kept only in this browser tab and sent only to this server.
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
