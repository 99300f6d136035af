import { useMemo } from 'preact/hooks';
import { listSites } from '../api/endpoints';
import type { Site } from '../api/types';
import { Pager } from '../components/controls';
import { Empty, ErrorBox, Loading } from '../components/feedback';
import { presence, RelTime, SiteStatus, type SitePresence } from '../components/status';
import { matches } from '../lib/format';
import { useAsync } from '../lib/hooks';
import { href, navigate, useRoute } from '../lib/router';
import { useTitle } from '../lib/title';

// The fleet: every site with its presence, searchable and paged. listSites reads every page of
// GET /site, so search, the status filter and paging run here; passing them through to the API's
// filters (?q=, ?status=, cursors) is the next step for very large fleets. Only one page of rows is
// rendered.

const PAGE_SIZE = 50;

function Summary({ sites }: { sites: Site[] }) {
  const counts = { online: 0, offline: 0, never: 0 } as Record<SitePresence, number>;
  const versions = new Map<string, number>();
  for (const s of sites) {
    counts[presence(s)]++;
    const v = s.software_version ?? 'unknown';
    versions.set(v, (versions.get(v) ?? 0) + 1);
  }
  const top = [...versions].sort((a, b) => b[1] - a[1]).slice(0, 3);
  return (
    <ul class="summary" aria-label="Fleet summary">
      <li><strong>{sites.length.toLocaleString()}</strong> {sites.length === 1 ? 'site' : 'sites'}</li>
      <li><span class="badge badge-online">● Online</span> {counts.online.toLocaleString()}</li>
      <li><span class="badge badge-offline">○ Offline</span> {counts.offline.toLocaleString()}</li>
      {counts.never > 0 ? <li><span class="badge badge-never">◌ Never seen</span> {counts.never.toLocaleString()}</li> : null}
      {top.length > 0 ? <li class="muted">Versions: {top.map(([v, n]) => `${v} (${n.toLocaleString()})`).join(', ')}</li> : null}
    </ul>
  );
}

export function FleetPage() {
  useTitle('Fleet');
  const { query } = useRoute();
  const q = query.get('q') ?? '';
  const status = (query.get('status') ?? 'all') as SitePresence | 'all';
  const page = Math.max(1, Number(query.get('page')) || 1);
  const { result, reload } = useAsync(listSites, []);
  const sorted = useMemo(
    () => (result.data ? [...result.data].sort((a, b) => a.name.localeCompare(b.name)) : []),
    [result.data],
  );
  const filtered = useMemo(
    () => sorted.filter((s) => (status === 'all' || presence(s) === status) &&
      matches(q, [s.name, s.identity, s.model, s.software_version, s.serial_number, ...(s.tags ?? [])])),
    [sorted, q, status],
  );
  const loadedAt = useMemo(() => new Date().toISOString(), [result.data]);
  /** Filters replace the history entry; page turns push one (Back returns to the previous page). */
  const setQuery = (changes: Record<string, string | number | null>, push = false): void => {
    const next = new URLSearchParams(query);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '' || v === 'all' || (k === 'page' && v === 1)) next.delete(k);
      else next.set(k, String(v));
    }
    const qs = next.toString();
    navigate(qs ? `/?${qs}` : '/', { replace: !push });
  };
  const pages = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
  const current = Math.min(page, pages);
  const rows = filtered.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE);
  const from = filtered.length === 0 ? 0 : (current - 1) * PAGE_SIZE + 1;

  return (
    <div>
      <div class="page-head">
        <h1>Fleet</h1>
        <button type="button" class="button" onClick={reload} disabled={result.state === 'loading'}>
          {result.state === 'loading' && result.data ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {result.state === 'error' ? <ErrorBox error={result.error} title="Could not load the fleet" /> : null}
      {!result.data && result.state === 'loading' ? <Loading what="the fleet" /> : null}
      {result.data && result.data.length === 0 ? (
        <Empty>
          <p><strong>No routers yet.</strong></p>
          <p>
            Create a <a href={href('/runbooks')}>runbook</a> and paste its one-line bootstrap command into a router's
            terminal; the router appears here when it checks in.
          </p>
        </Empty>
      ) : null}
      {result.data && result.data.length > 0 ? (
        <>
          <Summary sites={result.data} />
          <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
            <label>
              Search
              <input type="search" value={q} placeholder="Name, identity, model, version, serial"
                onInput={(e) => setQuery({ q: e.currentTarget.value, page: null })} />
            </label>
            <label>
              Status
              <select value={status} onChange={(e) => setQuery({ status: e.currentTarget.value, page: null })}>
                <option value="all">All</option>
                <option value="online">Online</option>
                <option value="offline">Offline</option>
                <option value="never">Never seen</option>
              </select>
            </label>
          </form>
          {filtered.length === 0 ? (
            <Empty>No site matches these filters.</Empty>
          ) : (
            <div class="table-wrap">
              <table class="table" aria-describedby="fleet-count">
                <caption id="fleet-count" class="visually-hidden">
                  Sites {from}–{from + rows.length - 1} of {filtered.length}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="hide-narrow">Identity</th>
                    <th scope="col" class="hide-narrow">Model</th>
                    <th scope="col">Version</th>
                    <th scope="col" class="hide-narrow">Tags</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((s) => (
                    <tr key={s.id}>
                      <td><a href={href(`/sites/${s.id}`)}>{s.name}</a></td>
                      <td><SiteStatus site={s} /></td>
                      <td class="hide-narrow">{s.identity ?? <span class="muted">—</span>}</td>
                      <td class="hide-narrow">{s.model ?? <span class="muted">—</span>}</td>
                      <td>{s.software_version ?? <span class="muted">—</span>}</td>
                      <td class="hide-narrow">
                        {s.tags && s.tags.length > 0 ? s.tags.map((t) => <span key={t} class="tag">{t}</span>) : <span class="muted">—</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager label="Fleet pages" page={current} hasPrev={current > 1} hasNext={current < pages}
            onPrev={() => setQuery({ page: current - 1 }, true)} onNext={() => setQuery({ page: current + 1 }, true)}
            summary={`${from.toLocaleString()}–${(from + rows.length - 1).toLocaleString()} of ${filtered.length.toLocaleString()} ${filtered.length === 1 ? 'site' : 'sites'}`} />
          <p class="muted small">
            Created and checked in as the API reports it; times are relative, hover for the exact time. Loaded{' '}
            <RelTime iso={loadedAt} />.
          </p>
        </>
      ) : null}
    </div>
  );
}
