import { useEffect, useState } from 'preact/hooks';
import { fleetSummary, listSites, type SiteFilters } from '../api/endpoints';
import * as session from '../api/session';
import type { FleetSummary } from '../api/types';
import { Pager } from '../components/controls';
import { Empty, ErrorBox, Loading } from '../components/feedback';
import { RelTime, SiteStatus } from '../components/status';
import { type Column, Table } from '../components/table';
import { useAsync } from '../lib/hooks';
import { href, navigate, useRoute } from '../lib/router';
import { useTitle } from '../lib/title';

// The fleet: one page of GET /site at a time, filtered by the API (tag, status, version, model,
// q, has_open_fault, all kept in the page's address so a filtered view can be linked), paged with
// X-Next-Cursor; the counts come from GET /fleet/summary. Nothing here grows with the fleet: a
// page of 10,000 sites costs what a page of 50 does.

const SITE_COLUMNS: readonly Column[] = [
  { label: 'Name' },
  { label: 'Status' },
  { label: 'Identity', class: 'hide-narrow' },
  { label: 'Model', class: 'hide-narrow' },
  { label: 'Version' },
  { label: 'Tags', class: 'hide-narrow' },
];

const PAGE_SIZE = 50;
const FILTERS = ['q', 'tag', 'status', 'version', 'model', 'has_open_fault'] as const;

function Summary({ summary }: { summary: FleetSummary }) {
  const { sites, versions, open_faults: faults } = summary;
  const top = versions.slice(0, 3);
  const openFaults = faults.site_offline + faults.site_rebooted;
  return (
    <ul class="summary" aria-label="Fleet summary" data-testid="fleet-summary">
      <li><strong>{sites.total.toLocaleString()}</strong> {sites.total === 1 ? 'site' : 'sites'}</li>
      <li><a href={href('/?status=online')} class="badge badge-online">● Online</a> {sites.online.toLocaleString()}</li>
      <li><a href={href('/?status=offline')} class="badge badge-offline">○ Offline</a> {sites.offline.toLocaleString()}</li>
      <li>
        <a href={href('/?has_open_fault=true')} class={`badge ${openFaults > 0 ? 'badge-offline' : 'badge-never'}`}>⚠ Open faults</a>{' '}
        {openFaults.toLocaleString()}
      </li>
      {top.length > 0 ? (
        <li class="muted">
          Versions:{' '}
          {top.map((v, i) => (
            <span key={v.version ?? 'unknown'}>
              {i > 0 ? ', ' : ''}
              {v.version ? <a href={href(`/?version=${encodeURIComponent(v.version)}`)}>{v.version}</a> : 'not reported'} ({v.sites.toLocaleString()})
            </span>
          ))}
        </li>
      ) : null}
    </ul>
  );
}

/** A text filter that updates the address 300 ms after the last keystroke (one API call per pause, not per key). */
function TextFilter({ label, value, placeholder, onChange }: { label: string; value: string; placeholder: string; onChange: (v: string) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  useEffect(() => {
    if (draft === value) return undefined;
    const t = setTimeout(() => onChange(draft.trim()), 300);
    return () => clearTimeout(t);
  }, [draft]);
  return (
    <label>
      {label}
      <input type="search" value={draft} placeholder={placeholder} onInput={(e) => setDraft(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onChange(draft.trim());
        }} />
    </label>
  );
}

export function FleetPage() {
  useTitle('Fleet');
  const { query } = useRoute();
  const filters: SiteFilters = {};
  for (const k of FILTERS) {
    const v = query.get(k);
    if (v) (filters as Record<string, string>)[k] = v;
  }
  const key = JSON.stringify(filters);
  const filtered = key !== '{}';
  // Cursors of the pages before this one (index 0: the first page, no cursor); reset by a filter change.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  useEffect(() => setCursors([undefined]), [key]);
  const cursor = cursors[cursors.length - 1];
  const { result, reload } = useAsync(() => listSites(filters, PAGE_SIZE, cursor), [key, cursor]);
  const withSummary = session.can('sites:read', 'jobs:read');
  const summary = useAsync(() => (withSummary ? fleetSummary() : Promise.resolve(null)), []);
  const [loadedAt, setLoadedAt] = useState(() => new Date().toISOString());
  useEffect(() => setLoadedAt(new Date().toISOString()), [result.data]);

  const setFilter = (changes: Record<string, string | null>): void => {
    const next = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    const qs = next.toString();
    navigate(qs ? `/?${qs}` : '/', { replace: true });
  };
  const refresh = (): void => {
    reload();
    summary.reload();
  };

  const page = result.data;
  const rows = page?.items ?? [];
  const from = (cursors.length - 1) * PAGE_SIZE + 1;
  const total = !filtered ? summary.result.data?.sites.total : undefined;
  const range = rows.length === 0 ? '' : `${from.toLocaleString()}–${(from + rows.length - 1).toLocaleString()}`;
  const emptyFleet = !filtered && cursors.length === 1 && page && rows.length === 0;
  const versions = summary.result.data?.versions.filter((v) => v.version !== null) ?? [];

  return (
    <div>
      <div class="page-head">
        <h1>Fleet</h1>
        <button type="button" class="button" onClick={refresh} disabled={result.state === 'loading'}>
          {result.state === 'loading' && page ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {summary.result.state === 'error' ? <ErrorBox error={summary.result.error} title="Could not load the summary" /> : null}
      {summary.result.data && !emptyFleet ? <Summary summary={summary.result.data} /> : null}
      {emptyFleet ? (
        <Empty>
          <p><strong>No routers yet.</strong></p>
          <p>
            Create a <a href={href('/runbooks')}>runbook</a> and paste its one-line bootstrap command into a router's
            terminal; the router appears here when it checks in.
          </p>
        </Empty>
      ) : (
        <>
          <form class="filters" role="search" aria-label="Filter sites" onSubmit={(e) => e.preventDefault()}>
            <TextFilter label="Search" value={filters.q ?? ''} placeholder="Start of a name or identity"
              onChange={(v) => setFilter({ q: v })} />
            <TextFilter label="Tag" value={filters.tag ?? ''} placeholder="e.g. branch" onChange={(v) => setFilter({ tag: v })} />
            <label>
              Status
              <select value={filters.status ?? ''} onChange={(e) => setFilter({ status: e.currentTarget.value })}>
                <option value="">All</option>
                <option value="online">Online</option>
                <option value="offline">Offline or never seen</option>
              </select>
            </label>
            <label>
              Version
              <select value={filters.version ?? ''} onChange={(e) => setFilter({ version: e.currentTarget.value })}>
                <option value="">Any</option>
                {filters.version && !versions.some((v) => v.version === filters.version) ? <option value={filters.version}>{filters.version}</option> : null}
                {versions.map((v) => <option key={v.version} value={v.version as string}>{v.version} ({v.sites.toLocaleString()})</option>)}
              </select>
            </label>
            <TextFilter label="Model" value={filters.model ?? ''} placeholder="e.g. RB5009UG+S+" onChange={(v) => setFilter({ model: v })} />
            <label>
              Faults
              <select value={filters.has_open_fault ?? ''} onChange={(e) => setFilter({ has_open_fault: e.currentTarget.value })}>
                <option value="">Any</option>
                <option value="true">With an open fault</option>
                <option value="false">Without open faults</option>
              </select>
            </label>
            {filtered ? (
              <button type="button" class="button ghost filters-clear" onClick={() => navigate('/', { replace: true })}>Clear filters</button>
            ) : null}
          </form>
          {result.state === 'error' ? <ErrorBox error={result.error} title="Could not load the fleet" /> : null}
          {!page && result.state === 'loading' ? <Loading what="the fleet" /> : null}
          {page && rows.length === 0 ? <Empty>No site matches these filters.</Empty> : null}
          {rows.length > 0 ? (
            <Table
              columns={SITE_COLUMNS}
              aria-describedby="fleet-count"
              aria-busy={result.state === 'loading'}
              captionId="fleet-count"
              caption={<>Sites {range}{total !== undefined ? ` of ${total}` : ''}</>}
            >
              {rows.map((s) => (
                <tr key={s.id}>
                  <td><a href={href(`/sites/${s.id}`)}>{s.name}</a></td>
                  <td><SiteStatus site={s} /></td>
                  <td class="hide-narrow">{s.identity ?? <span class="muted">—</span>}</td>
                  <td class="hide-narrow">{s.model ?? <span class="muted">—</span>}</td>
                  <td>{s.software_version ?? <span class="muted">—</span>}</td>
                  <td class="hide-narrow">
                    {s.tags.length > 0
                      ? s.tags.map((t) => <a key={t} class="tag" href={href(`/?tag=${encodeURIComponent(t)}`)} title={`Sites tagged ${t}`}>{t}</a>)
                      : <span class="muted">—</span>}
                  </td>
                </tr>
              ))}
            </Table>
          ) : null}
          <Pager label="Fleet pages" cursors={cursors} setCursors={setCursors} next={page?.next} summary={range ? `${range}${total !== undefined ? ` of ${total.toLocaleString()}` : ''} ${filtered ? 'matching ' : ''}${rows.length === 1 && total === 1 ? 'site' : 'sites'}` : undefined} />
          <p class="muted small">
            Times are relative; hover for the exact time. Loaded <RelTime iso={loadedAt} />.
          </p>
        </>
      )}
    </div>
  );
}
