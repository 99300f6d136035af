import { useEffect, useState } from 'preact/hooks';
import { deleteManagement, getManagement, putManagement } from '../../api/endpoints';
import type { ManagementEndpoint, ManagementInput } from '../../api/types';
import { ConfirmButton } from '../../components/controls';
import { ErrorBox, Loading, Section } from '../../components/feedback';
import { RelTime } from '../../components/status';
import { useAction, useAsync } from '../../lib/hooks';

// The router's RouterOS REST endpoint that express execute calls (PUT/GET/DELETE /site/{id}/management,
// docs/express-execute.md). The password is write-only: it is sent on every save, never shown.

const EMPTY: ManagementInput = { address: '', use_tls: true, verify_tls: true, ca_pem: null, username: '', password: '', poll_script_name: 'tikops-poll' };

function fromEndpoint(m: ManagementEndpoint): ManagementInput {
  return { address: m.address, port: m.port, use_tls: m.use_tls, verify_tls: m.verify_tls, ca_pem: m.ca_pem, username: m.username, password: '', poll_script_name: m.poll_script_name };
}

async function loadOrNull(siteId: string): Promise<ManagementEndpoint | null> {
  try {
    return await getManagement(siteId);
  } catch (err) {
    if ((err as { body?: { code?: string } }).body?.code === 'management_not_configured') return null;
    throw err;
  }
}

export function SiteManagement({ siteId }: { siteId: string }) {
  const { result, reload } = useAsync(() => loadOrNull(siteId), [siteId]);
  const [form, setForm] = useState<ManagementInput>(EMPTY);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (result.state === 'ok') setForm(result.data ? fromEndpoint(result.data) : EMPTY);
  }, [result]);
  const save = useAction(async () => {
    const caPem = form.use_tls && form.ca_pem?.trim() ? form.ca_pem : null;
    await putManagement(siteId, { ...form, ca_pem: caPem, port: form.port || undefined });
    setSaved(true);
    reload();
  });
  const remove = useAction(async () => {
    await deleteManagement(siteId);
    reload();
  });
  const set = <K extends keyof ManagementInput>(k: K, v: ManagementInput[K]): void => {
    setSaved(false);
    setForm((f) => ({ ...f, [k]: v }));
  };
  const text = (k: 'address' | 'username' | 'password' | 'poll_script_name') => (e: Event) => set(k, (e.currentTarget as HTMLInputElement).value);
  const current = result.data;
  return (
    <Section title="Management endpoint" id="management">
      {result.state === 'error' ? <ErrorBox error={result.error} title="Could not load the endpoint" /> : null}
      {result.state === 'loading' && current === undefined ? <Loading what="the endpoint" /> : null}
      <p class="muted small">
        {current
          ? <>Express execute reaches this router at <code>{current.use_tls ? 'https' : 'http'}://{current.address}:{current.port}</code>; set <RelTime iso={current.updated_at} />.</>
          : 'Not configured: express execute is off for this site. tikops calls the router’s REST API here to make it check in at once.'}
      </p>
      <form class="form" onSubmit={(e) => { e.preventDefault(); void save.run(); }}>
        <div class="row">
          <label>Address<input value={form.address} onInput={text('address')} required placeholder="100.64.12.7" /></label>
          <label class="narrow">Port<input type="number" min={1} max={65535} value={form.port ?? ''} placeholder={form.use_tls ? '443' : '80'}
            onInput={(e) => set('port', Number(e.currentTarget.value) || undefined)} /></label>
        </div>
        <div class="row">
          <label class="check"><input type="checkbox" checked={form.use_tls} onChange={(e) => set('use_tls', e.currentTarget.checked)} /> HTTPS (www-ssl)</label>
          <label class="check"><input type="checkbox" checked={form.verify_tls} disabled={!form.use_tls} onChange={(e) => set('verify_tls', e.currentTarget.checked)} /> Verify the certificate</label>
        </div>
        {form.use_tls ? (
          <label>CA certificate (PEM, optional)
            <textarea class="mono" rows={3} value={form.ca_pem ?? ''} onInput={(e) => set('ca_pem', e.currentTarget.value)} />
          </label>
        ) : null}
        <div class="row">
          <label>User<input value={form.username} onInput={text('username')} required autocomplete="off" /></label>
          <label>Password<input type="password" value={form.password} onInput={text('password')} required autocomplete="new-password" aria-describedby="mgmt-pw-help" /></label>
        </div>
        <p id="mgmt-pw-help" class="muted small">The password is stored sealed and never shown; enter it on every save.</p>
        <label>Poll script name<input value={form.poll_script_name ?? ''} onInput={text('poll_script_name')} /></label>
        {save.error ? <ErrorBox error={save.error} title="Not saved" /> : null}
        {remove.error ? <ErrorBox error={remove.error} title="Not removed" /> : null}
        <div class="actions">
          <button type="submit" class="button primary" disabled={save.pending}>{save.pending ? 'Saving…' : 'Save endpoint'}</button>
          {current ? <ConfirmButton label="Remove" confirmLabel="Remove endpoint" question="Turn express execute off for this site?" onConfirm={() => void remove.run()} /> : null}
          <span role="status" class="small">{saved && !save.pending ? 'Saved.' : ''}</span>
        </div>
      </form>
    </Section>
  );
}
