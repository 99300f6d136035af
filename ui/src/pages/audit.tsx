import { useEffect, useState } from 'preact/hooks';
import { listAudit } from '../api/endpoints';
import type { AuditEvent } from '../api/types';
import { Pager } from '../components/controls';
import { Empty, ErrorBox, Loading } from '../components/feedback';
import { RelTime } from '../components/status';
import { type Column, Table } from '../components/table';
import { useAsync } from '../lib/hooks';
import { href, navigate, useRoute } from '../lib/router';
import { useTitle } from '../lib/title';

// The audit log (GET /audit, audit:read): newest first, one page at a time with X-Next-Cursor,
// filtered by the API on action and target (kept in the address). Summaries are the API's
// redacted JSON, shown as text.

const AUDIT_COLUMNS: readonly Column[] = [
  { label: 'When' },
  { label: 'Action' },
  { label: 'Target' },
  { label: 'Actor', class: 'hide-narrow' },
  { label: 'Details', class: 'hide-narrow' },
];

const PAGE_SIZE = 50;

/** A target such as `site:<uuid>` links to its page when the dashboard has one. */
function Target({ target }: { target: string }) {
  const [kind, id] = target.split(':', 2);
  if (kind === 'site' && id) return <a href={href(`/sites/${id}`)}><code class="small">{target}</code></a>;
  return <code class="small">{target}</code>;
}

function Summary({ event }: { event: AuditEvent }) {
  const entries = Object.entries(event.summary);
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <span class="small mono wrap">
      {entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join('  ')}
    </span>
  );
}

export function AuditPage() {
  useTitle('Audit log');
  const { query } = useRoute();
  const action = query.get('action') ?? '';
  const target = query.get('target') ?? '';
  const [draft, setDraft] = useState({ action, target });
  useEffect(() => setDraft({ action, target }), [action, target]);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  useEffect(() => setCursors([undefined]), [action, target]);
  const cursor = cursors[cursors.length - 1];
  const { result, reload } = useAsync(
    () => listAudit({ action: action || undefined, target: target || undefined }, PAGE_SIZE, cursor),
    [action, target, cursor],
  );
  const apply = (next: { action: string; target: string }): void => {
    const q = new URLSearchParams();
    if (next.action.trim()) q.set('action', next.action.trim());
    if (next.target.trim()) q.set('target', next.target.trim());
    const qs = q.toString();
    navigate(qs ? `/audit?${qs}` : '/audit', { replace: true });
  };
  const rows = result.data?.items ?? [];
  const from = (cursors.length - 1) * PAGE_SIZE + 1;
  return (
    <div>
      <div class="page-head">
        <h1>Audit log</h1>
        <button type="button" class="button" onClick={reload} disabled={result.state === 'loading'}>Refresh</button>
      </div>
      <p class="muted">Every change made through the API, by whom, from where. Newest first.</p>
      <form class="filters" role="search" aria-label="Filter the audit log" onSubmit={(e) => { e.preventDefault(); apply(draft); }}>
        <label>
          Action
          <input type="search" value={draft.action} placeholder="e.g. site.update" onInput={(e) => setDraft({ ...draft, action: e.currentTarget.value })} />
        </label>
        <label>
          Target
          <input type="search" value={draft.target} placeholder="e.g. site:<id>" onInput={(e) => setDraft({ ...draft, target: e.currentTarget.value })} />
        </label>
        <button type="submit" class="button filters-clear">Filter</button>
        {action || target ? <button type="button" class="button ghost filters-clear" onClick={() => apply({ action: '', target: '' })}>Clear filters</button> : null}
      </form>
      {result.state === 'error' ? <ErrorBox error={result.error} title="Could not load the audit log" /> : null}
      {!result.data && result.state === 'loading' ? <Loading what="the audit log" /> : null}
      {result.data && rows.length === 0 ? <Empty>{action || target ? 'No event matches these filters.' : 'Nothing has been recorded yet.'}</Empty> : null}
      {rows.length > 0 ? (
        <Table
          columns={AUDIT_COLUMNS}
          data-testid="audit-table"
          aria-busy={result.state === 'loading'}
          caption={<>Audit events {from}–{from + rows.length - 1}</>}
        >
          {rows.map((e) => (
            <tr key={e.id}>
              <td><RelTime iso={e.at} /></td>
              <td><a href={href(`/audit?action=${encodeURIComponent(e.action)}`)}><code class="small">{e.action}</code></a></td>
              <td><Target target={e.target} /></td>
              <td class="hide-narrow"><code class="small">{e.actor}</code>{e.source ? <span class="muted small"> from {e.source}</span> : null}</td>
              <td class="hide-narrow"><Summary event={e} /></td>
            </tr>
          ))}
        </Table>
      ) : null}
      <Pager label="Audit log pages" cursors={cursors} setCursors={setCursors} next={result.data?.next} summary={rows.length > 0 ? `events ${from}–${from + rows.length - 1}` : undefined} />
    </div>
  );
}
