import { useState } from 'preact/hooks';
import { listJobs } from '../../api/endpoints';
import { Pager } from '../../components/controls';
import { Empty, ErrorBox, Loading, Section } from '../../components/feedback';
import { JobStatusBadge, RelTime, TERMINAL } from '../../components/status';
import { type Column, Table } from '../../components/table';
import { useAsync, useInterval } from '../../lib/hooks';
import { useLive } from '../../lib/live';
import { href } from '../../lib/router';

// A site's jobs, newest first, paged with the API's X-Next-Cursor. The page is read again when
// one of the site's jobs is created or changes (GET /events/stream, ui/src/lib/live.ts); while the
// stream is down and a job on the page is still moving, every few seconds instead.

const JOB_COLUMNS: readonly Column[] = [
  { label: 'Status' },
  { label: 'Description' },
  { label: 'Created' },
  { label: 'Token', class: 'hide-narrow' },
];

const PAGE_SIZE = 20;
const POLL_MS = 3000;

export function SiteJobs({ siteId }: { siteId: string }) {
  // cursors[i] opens page i + 1; the first page has none.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const { result, reload } = useAsync(() => listJobs(siteId, PAGE_SIZE, cursor), [siteId, cursor]);
  const moving = result.data?.items.some((j) => !TERMINAL.has(j.status)) ?? false;
  const stream = useLive((e) => e.kind === 'job' && e.site_id === siteId, reload);
  useInterval(reload, POLL_MS, moving && stream !== 'live');
  const page = result.data;
  return (
    <Section title="Jobs" actions={<a class="button" href={href(`/sites/${siteId}/jobs/new`)}>New job</a>}>
      {result.state === 'error' ? <ErrorBox error={result.error} title="Could not load jobs" /> : null}
      {!page && result.state === 'loading' ? <Loading what="jobs" /> : null}
      {page && page.items.length === 0 ? <Empty>No jobs yet. Queue one with “New job”.</Empty> : null}
      {page && page.items.length > 0 ? (
        <Table columns={JOB_COLUMNS}>
          {page.items.map((j) => (
            <tr key={j.id}>
              <td><JobStatusBadge status={j.status} /></td>
              <td><a href={href(`/sites/${siteId}/jobs/${j.id}`)}>{j.description || <em>(no description)</em>}</a></td>
              <td><RelTime iso={j.created_at} /></td>
              <td class="hide-narrow"><code>{j.token}</code></td>
            </tr>
          ))}
        </Table>
      ) : null}
      <Pager label="Job pages" cursors={cursors} setCursors={setCursors} next={page?.next} />
      <p class="muted small" role="status" data-testid="jobs-live">
        {stream === 'live' ? 'Live: updates as jobs change.' : moving ? `Refreshing every ${POLL_MS / 1000} s while jobs are in progress.` : ''}
      </p>
    </Section>
  );
}
