import { useState } from 'preact/hooks';
import { backupContent, diffBackups, listBackups, requestBackup } from '../../api/endpoints';
import * as session from '../../api/session';
import type { Backup } from '../../api/types';
import { DiffView } from '../../components/diff-view';
import { Empty, ErrorBox, Loading, Section } from '../../components/feedback';
import { RelTime } from '../../components/status';
import { type Column, Table } from '../../components/table';
import { bytes } from '../../lib/format';
import { useAction, useAsync } from '../../lib/hooks';
import { href, navigate } from '../../lib/router';

// Stored configuration exports (GET /site/{id}/backup, newest first) and an on-demand request.
// Downloads go through the API client (the credential is a header, not a cookie), then save a blob.

const BACKUP_COLUMNS: readonly Column[] = [
  { label: 'Taken' },
  { label: 'Size' },
  { label: 'By job', class: 'hide-narrow' },
  { label: 'Actions', hiddenLabel: true },
];

const LIMIT = 50;

async function download(siteId: string, b: Backup): Promise<void> {
  const text = await backupContent(siteId, b.filename);
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${siteId}-${b.filename}`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function SiteBackups({ siteId }: { siteId: string }) {
  const { result } = useAsync(() => listBackups(siteId, LIMIT), [siteId]);
  const request = useAction(async () => {
    const { job } = await requestBackup(siteId);
    navigate(`/sites/${siteId}/jobs/${job}`);
  });
  const get = useAction((b: Backup) => download(siteId, b));
  // The diff shown under the table: from the backup before `to` (the list is newest first) to `to`.
  const [pair, setPair] = useState<{ from: Backup; to: Backup } | null>(null);
  const diff = useAsync(() => (pair ? diffBackups(siteId, pair.from.filename, pair.to.filename) : Promise.resolve(null)), [siteId, pair]);
  return (
    <Section
      title="Backups"
      actions={
        session.can('backups:write') ? (
          <button type="button" class="button" onClick={() => void request.run()} disabled={request.pending}>
            {request.pending ? 'Requesting…' : 'Back up now'}
          </button>
        ) : null
      }
    >
      {request.error ? <ErrorBox error={request.error} title="Backup request failed" /> : null}
      {get.error ? <ErrorBox error={get.error} title="Download failed" /> : null}
      {result.state === 'error' ? <ErrorBox error={result.error} title="Could not load backups" /> : null}
      {!result.data && result.state === 'loading' ? <Loading what="backups" /> : null}
      {result.data?.length === 0 ? <Empty>No backups yet. Jobs with “backup first” and “Back up now” make them.</Empty> : null}
      {result.data && result.data.length > 0 ? (
        <Table columns={BACKUP_COLUMNS}>
          {result.data.map((b, i, all) => (
            <tr key={b.filename}>
              <td><RelTime iso={b.created_at} /> <span class="muted small">{b.filename}</span></td>
              <td>{bytes(b.size)}</td>
              <td class="hide-narrow">{b.job_id ? <a href={href(`/sites/${siteId}/jobs/${b.job_id}`)}>open job</a> : <span class="muted">—</span>}</td>
              <td class="actions">
                <button type="button" class="button small" onClick={() => void get.run(b)} aria-label={`Download backup ${b.filename}`}>
                  Download
                </button>
                {all[i + 1] ? (
                  <button type="button" class="button small" aria-pressed={pair?.to.filename === b.filename}
                    aria-label={`Diff with previous: backup ${b.filename}`}
                    onClick={() => setPair(pair?.to.filename === b.filename ? null : { from: all[i + 1] as Backup, to: b })}>
                    Diff with previous
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
      {pair ? (
        <div class="diff-panel" aria-live="polite">
          <h3>
            Changes from <RelTime iso={pair.from.created_at} /> ({pair.from.filename}) to <RelTime iso={pair.to.created_at} /> ({pair.to.filename})
          </h3>
          {diff.result.state === 'error' ? <ErrorBox error={diff.result.error} title="Could not diff the backups" /> : null}
          {diff.result.state === 'loading' ? <Loading what="the diff" /> : null}
          {diff.result.state === 'ok' && diff.result.data !== null ? <DiffView diff={diff.result.data} /> : null}
        </div>
      ) : null}
      {result.data?.length === LIMIT ? <p class="muted small">Showing the newest {LIMIT}.</p> : null}
    </Section>
  );
}
