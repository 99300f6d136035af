import { useState } from 'preact/hooks';
import { createKey, listKeys, revokeKey } from '../api/endpoints';
import * as session from '../api/session';
import type { ApiKey, ApiKeyWithSecret } from '../api/types';
import { ConfirmButton, CopyButton } from '../components/controls';
import { Empty, ErrorBox, Loading, Section } from '../components/feedback';
import { RelTime } from '../components/status';
import { type Column, Table } from '../components/table';
import { useAction, useAsync } from '../lib/hooks';
import { useTitle } from '../lib/title';

// API keys (keys:admin): create one with some of this session's scopes (the API allows no more)
// and see its secret once; revoke one (revoking this session's own key ends the session: the next
// call answers 401 and the dashboard returns to the sign-in page with the API's message).

const KEY_COLUMNS: readonly Column[] = [
  { label: 'Key' },
  { label: 'State' },
  { label: 'Scopes' },
  { label: 'History', class: 'hide-narrow' },
  { label: 'Actions', hiddenLabel: true },
];

const SCOPE_HELP: Record<string, string> = {
  'sites:read': 'read sites, health and faults',
  'sites:write': 'change sites, tags, tokens, endpoints',
  'jobs:read': 'read jobs and their output',
  'jobs:write': 'queue and cancel jobs',
  'backups:read': 'read and diff backups',
  'backups:write': 'request backups, schedules',
  'rollouts:write': 'create and steer rollouts',
  'rollouts:approve': 'approve rollouts',
  'keys:admin': 'manage API keys',
  'audit:read': 'read the audit log',
};

function Created({ made }: { made: ApiKeyWithSecret }) {
  return (
    <div class="secret" role="status" data-testid="new-key">
      <p>
        Key <strong>{made.name}</strong> created. Copy its secret now: <strong>it is not shown again</strong>.
      </p>
      <pre class="mono wrap" tabIndex={0} aria-label="The new key's secret" data-testid="new-key-secret">{made.secret}</pre>
      <CopyButton text={made.secret} label="Copy secret" />
    </div>
  );
}

function KeyRow({ k, own, onRevoke, pending }: { k: ApiKey; own: boolean; onRevoke: () => void; pending: boolean }) {
  const state = k.revoked_at ? 'Revoked' : k.expires_at && Date.parse(k.expires_at) <= Date.now() ? 'Expired' : 'Active';
  return (
    <tr data-key-id={k.id}>
      <td>
        <strong>{k.name}</strong> {own ? <span class="badge badge-never">this session</span> : null}
        <div class="muted small"><code>{k.prefix}…</code></div>
      </td>
      <td><span class={`badge ${state === 'Active' ? 'badge-ok' : 'badge-offline'}`}>{state}</span></td>
      <td class="small">{k.scopes.join(', ')}</td>
      <td class="hide-narrow small">
        Created <RelTime iso={k.created_at} /> by <code>{k.created_by}</code>
        <br />
        Last used <RelTime iso={k.last_used_at} empty="never" />
        {k.expires_at ? <>; expires <RelTime iso={k.expires_at} /></> : null}
      </td>
      <td>
        {k.revoked_at ? (
          <span class="muted small"><RelTime iso={k.revoked_at} /></span>
        ) : (
          <ConfirmButton label="Revoke…" confirmLabel={`Revoke ${k.name}`}
            question={own ? 'This is the key of this session: revoking it signs you out. Revoke?' : 'Anything using this key stops working. Revoke?'}
            onConfirm={onRevoke} disabled={pending} />
        )}
      </td>
    </tr>
  );
}

export function KeysPage() {
  useTitle('API keys');
  const { scopes: mine, actor } = session.whoami();
  const { result, reload } = useAsync(listKeys, []);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(new Set(mine.filter((s) => s.endsWith(':read'))));
  const [made, setMade] = useState<ApiKeyWithSecret | null>(null);
  // datetime-local is the viewer's local time; the API takes an instant (ISO 8601).
  const [expires, setExpires] = useState('');
  const create = useAction(async () => {
    setMade(await createKey(name, mine.filter((s) => chosen.has(s)), expires ? new Date(expires).toISOString() : null));
    setName('');
    setExpires('');
    reload();
  });
  const revoke = useAction(async (id: string) => {
    await revokeKey(id);
    reload();
  });
  const toggle = (s: string, on: boolean): void => {
    const next = new Set(chosen);
    if (on) next.add(s);
    else next.delete(s);
    setChosen(next);
  };
  return (
    <div>
      <h1>API keys</h1>
      <p class="muted">
        Keys let scripts and this dashboard use the API. Send one as <code>Authorization: Bearer tko_…</code>. A key can have at
        most the scopes of the key that creates it.
      </p>
      <Section title="New key">
        <form class="form" onSubmit={(e) => { e.preventDefault(); void create.run(); }}>
          <label for="key-name">Name</label>
          <input id="key-name" value={name} required maxLength={100} placeholder="deploy pipeline" onInput={(e) => setName(e.currentTarget.value)} />
          <label for="key-expires">Expires <span class="muted small">(optional; your time zone; empty: never)</span></label>
          <input id="key-expires" type="datetime-local" value={expires} aria-describedby="key-expires-help"
            aria-invalid={create.error && /expires_at/.test(create.error.body.message) ? 'true' : undefined}
            onInput={(e) => setExpires(e.currentTarget.value)} />
          <p id="key-expires-help" class="muted small">After this the key is refused (401), and dashboard sessions signed in with it end.</p>
          <fieldset class="scopes">
            <legend>Scopes</legend>
            {mine.map((s) => (
              <label key={s} class="check">
                <input type="checkbox" checked={chosen.has(s)} onChange={(e) => toggle(s, e.currentTarget.checked)} />
                <code>{s}</code> <span class="muted small">{SCOPE_HELP[s] ?? ''}</span>
              </label>
            ))}
          </fieldset>
          <div>
            <button type="submit" class="button primary" disabled={create.pending}>{create.pending ? 'Creating…' : 'Create key'}</button>
          </div>
        </form>
        {create.error ? <ErrorBox error={create.error} title="Not created" /> : null}
        {made ? <Created made={made} /> : null}
      </Section>
      <Section title="All keys">
        {result.state === 'error' ? <ErrorBox error={result.error} title="Could not load the keys" /> : null}
        {revoke.error ? <ErrorBox error={revoke.error} title="Not revoked" /> : null}
        {!result.data && result.state === 'loading' ? <Loading what="the keys" /> : null}
        {result.data?.length === 0 ? <Empty>No API keys yet.</Empty> : null}
        {result.data && result.data.length > 0 ? (
          <Table columns={KEY_COLUMNS} data-testid="keys-table">
            {result.data.map((k) => (
              <KeyRow key={k.id} k={k} own={actor === `key:${k.id}`} pending={revoke.pending} onRevoke={() => void revoke.run(k.id)} />
            ))}
          </Table>
        ) : null}
      </Section>
    </div>
  );
}
