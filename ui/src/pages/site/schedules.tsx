import { useState } from 'preact/hooks';
import { createSchedule, deleteSchedule, listSchedules } from '../../api/endpoints';
import * as session from '../../api/session';
import type { BackupSchedule, Site } from '../../api/types';
import { ConfirmButton } from '../../components/controls';
import { Empty, ErrorBox, Loading, Section } from '../../components/feedback';
import { RelTime } from '../../components/status';
import { useAction, useAsync } from '../../lib/hooks';

// The backup schedules that cover this site (GET /backup-schedules: its own, and those of its
// tags); with backups:write, add one for the site or delete one. The API checks the cron pattern
// and the time zone and answers in its error shape, shown inline.

function covers(s: BackupSchedule, site: Site): boolean {
  return s.site_id === site.id || (s.tag !== null && site.tags.includes(s.tag));
}

export function SiteSchedules({ site }: { site: Site }) {
  const { result, reload } = useAsync(listSchedules, [site.id]);
  const writable = session.can('backups:write') && site.deleted_at === null;
  const [cron, setCron] = useState('0 3 * * *');
  const [zone, setZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const create = useAction(async () => {
    await createSchedule({ site_id: site.id, cron: cron.trim(), time_zone: zone.trim(), spread_minutes: 0 });
    reload();
  });
  const remove = useAction(async (id: string) => {
    await deleteSchedule(id);
    reload();
  });
  const mine = result.data?.filter((s) => covers(s, site));
  return (
    <Section title="Backup schedules" id="schedules">
      {result.state === 'error' ? <ErrorBox error={result.error} title="Could not load the schedules" /> : null}
      {remove.error ? <ErrorBox error={remove.error} title="Not deleted" /> : null}
      {!mine && result.state === 'loading' ? <Loading what="schedules" /> : null}
      {mine?.length === 0 ? <Empty>No schedule backs up this site.</Empty> : null}
      {mine && mine.length > 0 ? (
        <ul class="list">
          {mine.map((s) => (
            <li key={s.id} class="card-head">
              <span>
                <code>{s.cron}</code> <span class="muted small">({s.time_zone}{s.tag ? `, every site tagged ${s.tag}` : ''})</span>
                <br />
                <span class="small">Next <RelTime iso={s.next_run_at} />; last <RelTime iso={s.last_run_at} empty="never" /></span>
              </span>
              {writable ? (
                <ConfirmButton label="Delete…" confirmLabel="Delete schedule" question="Stop these scheduled backups?"
                  onConfirm={() => void remove.run(s.id)} disabled={remove.pending} />
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {writable ? (
        <form class="form" onSubmit={(e) => { e.preventDefault(); void create.run(); }}>
          <div class="row">
            <label>
              Cron pattern
              <input class="mono" value={cron} required onInput={(e) => setCron(e.currentTarget.value)} aria-describedby="cron-help" />
            </label>
            <label>
              Time zone
              <input value={zone} required onInput={(e) => setZone(e.currentTarget.value)} />
            </label>
          </div>
          <p id="cron-help" class="muted small">Five fields, at least an hour apart: <code>0 3 * * *</code> is daily at 03:00.</p>
          <div><button type="submit" class="button" disabled={create.pending}>Add schedule</button></div>
          {create.error ? <ErrorBox error={create.error} title="Schedule not added" /> : null}
        </form>
      ) : null}
    </Section>
  );
}
