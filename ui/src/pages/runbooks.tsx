import { useState } from 'preact/hooks';
import { createRunbook, listRunbooks, revokeRunbook } from '../api/endpoints';
import type { Runbook } from '../api/types';
import { ConfirmButton, CopyButton } from '../components/controls';
import { Empty, ErrorBox, Loading, Section } from '../components/feedback';
import { RelTime } from '../components/status';
import { useAction, useAsync } from '../lib/hooks';
import { useTitle } from '../lib/title';

// Runbooks: onboarding profiles whose one-line bootstrap command adopts a router (docs/onboarding.md).

function Command({ runbook }: { runbook: Runbook }) {
  const id = `cmd-${runbook.id}`;
  return (
    <div class="command">
      <pre id={id} class="mono wrap" tabIndex={0} aria-label={`Bootstrap command of ${runbook.name}`}>{runbook.bootstrap_command}</pre>
      <CopyButton text={runbook.bootstrap_command} label="Copy command" />
    </div>
  );
}

export function RunbooksPage() {
  useTitle('Runbooks');
  const { result, reload } = useAsync(listRunbooks, []);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<Runbook | null>(null);
  const create = useAction(async () => {
    setCreated(await createRunbook(name));
    setName('');
    reload();
  });
  const revoke = useAction(async (id: string) => {
    await revokeRunbook(id);
    reload();
  });
  return (
    <div>
      <h1>Runbooks</h1>
      <p class="muted">
        Paste a runbook's bootstrap command into a RouterOS v6 (6.43+) or v7 terminal: the router installs the tikops agent
        and appears in the fleet. Revoking a runbook stops it adopting routers; routers it adopted keep working.
      </p>
      <Section title="New runbook">
        <form class="form inline" onSubmit={(e) => { e.preventDefault(); void create.run(); }}>
          <label for="runbook-name">Name</label>
          <input id="runbook-name" value={name} required placeholder="Branch routers" onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit" class="button primary" disabled={create.pending}>{create.pending ? 'Creating…' : 'Create runbook'}</button>
        </form>
        {create.error ? <ErrorBox error={create.error} title="Not created" /> : null}
        {created ? (
          <div class="secret" role="status">
            <p>Runbook <strong>{created.name}</strong> created. Its bootstrap command:</p>
            <Command runbook={created} />
          </div>
        ) : null}
      </Section>
      <Section title="All runbooks">
        {result.state === 'error' ? <ErrorBox error={result.error} title="Could not load runbooks" /> : null}
        {revoke.error ? <ErrorBox error={revoke.error} title="Not revoked" /> : null}
        {!result.data && result.state === 'loading' ? <Loading what="runbooks" /> : null}
        {result.data?.length === 0 ? <Empty>No runbooks yet. Create one above.</Empty> : null}
        {result.data && result.data.length > 0 ? (
          <ul class="list runbooks">
            {result.data.map((r) => (
              <li key={r.id}>
                <div class="card-head">
                  <h3>{r.name}</h3>
                  <span class={`badge ${r.revoked_at ? 'badge-offline' : 'badge-ok'}`}>{r.revoked_at ? 'Revoked' : 'Active'}</span>
                </div>
                <p class="muted small">Created <RelTime iso={r.created_at} />{r.revoked_at ? <>, revoked <RelTime iso={r.revoked_at} /></> : null}</p>
                {r.revoked_at ? null : (
                  <div class="actions">
                    <Command runbook={r} />
                    <ConfirmButton label="Revoke…" confirmLabel="Revoke runbook" question="Routers can no longer be adopted with it. Revoke?"
                      onConfirm={() => void revoke.run(r.id)} disabled={revoke.pending} />
                  </div>
                )}
              </li>
            ))}
          </ul>
        ) : null}
      </Section>
    </div>
  );
}
