import { useState } from 'preact/hooks';
import { rotateToken } from '../../api/endpoints';
import { ConfirmButton, CopyButton } from '../../components/controls';
import { ErrorBox, Section } from '../../components/feedback';
import { useAction } from '../../lib/hooks';

// POST /site/{id}/token: a new device token; every older one stops working at once, so the router
// is locked out until it is given the new one. Hence the confirmation, and the token shown once.

export function SiteToken({ siteId }: { siteId: string }) {
  const [token, setToken] = useState<string | null>(null);
  const rotate = useAction(async () => setToken((await rotateToken(siteId)).token));
  return (
    <Section title="Device token">
      <p class="muted small">
        The router authenticates its check-ins with this token. Rotate it if it leaked: the router stops checking in
        until its agent is given the new token (re-run the bootstrap command, or set it by hand).
      </p>
      {rotate.error ? <ErrorBox error={rotate.error} title="Not rotated" /> : null}
      {token ? (
        <div class="secret" role="status">
          <p><strong>New device token</strong> — shown only now:</p>
          <pre class="mono wrap" data-testid="device-token">{token}</pre>
          <CopyButton text={token} label="Copy token" />
        </div>
      ) : null}
      <ConfirmButton
        label="Rotate token…"
        confirmLabel="Rotate now"
        question="The router is locked out until it gets the new token. Rotate?"
        onConfirm={() => void rotate.run()}
        disabled={rotate.pending}
      />
    </Section>
  );
}
