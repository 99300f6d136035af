import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { cancelJob, getJob, getSite, jobDeliveries, jobEvents } from '../api/endpoints';
import * as session from '../api/session';
import type { Job, JobEvent, WebhookDelivery } from '../api/types';
import { ConfirmButton } from '../components/controls';
import { Empty, ErrorBox, Loading, Section } from '../components/feedback';
import { JobStatusBadge, RelTime, TERMINAL } from '../components/status';
import { ScriptView } from '../components/script-view';
import { absoluteTime } from '../lib/format';
import { useAction, useAsync, useInterval } from '../lib/hooks';
import { useLive } from '../lib/live';
import { href } from '../lib/router';
import { useTitle } from '../lib/title';

// One job: its status (read again on each of its live events, GET /events/stream; every 2 s while
// the stream is down and the job has not settled), timeline from its events, script and
// notify_url deliveries; a queued job can be cancelled.

const POLL_MS = 2000;

const EVENT_LABEL: Record<string, string> = {
  created: 'Queued',
  delivered: 'Delivered to the router',
  lease_expired: 'Delivery lease expired (will be handed out again)',
  started: 'Claimed and running on the router',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  timed_out: 'Timed out',
  express_requested: 'Express check-in requested',
  express_succeeded: 'Express check-in succeeded',
  express_failed: 'Express check-in failed',
  backup_stored: 'Pre-job backup stored',
  backup_failed: 'Pre-job backup failed',
  express_unconfirmed: 'Express check-in accepted, but the router did not poll',
  awaiting_confirmation: 'Done; waiting for a later check-in to confirm (safe apply)',
  confirmed: 'Confirmed: the router still reaches tikops; rollback disarmed',
  rolled_back: 'Rolled back by the router to its pre-job backup',
};

function Timeline({ events }: { events: JobEvent[] }) {
  return (
    <ol class="timeline">
      {events.map((e, i) => (
        <li key={i} class={`event event-${e.type}`}>
          <strong>{EVENT_LABEL[e.type] ?? e.type}</strong>
          {e.attempt > 0 ? <span class="muted small"> · attempt {e.attempt}</span> : null}
          <span class="muted small"> · <RelTime iso={e.at} /> ({absoluteTime(e.at)})</span>
          {e.detail != null ? <pre class="mono small detail">{JSON.stringify(e.detail, null, 2)}</pre> : null}
        </li>
      ))}
    </ol>
  );
}

function Deliveries({ job, deliveries }: { job: Job; deliveries: WebhookDelivery[] | undefined }) {
  if (!job.notify_url) return <Empty>No notify_url: this job sends no webhooks.</Empty>;
  if (!deliveries) return <Loading what="deliveries" />;
  if (deliveries.length === 0) return <Empty>No webhook sent yet to <code>{job.notify_url}</code>.</Empty>;
  return (
    <ul class="list">
      {deliveries.map((d) => (
        <li key={d.id}>
          <strong>{d.type}</strong> · {d.state.replace('_', ' ')} · <code class="small">{d.id}</code>
          <ul class="small">
            {d.attempts.map((a) => (
              <li key={a.attempt}>
                Attempt {a.attempt}: {a.outcome.replace('_', ' ')}
                {a.status_code != null ? ` (HTTP ${a.status_code})` : ''} in {a.duration_ms} ms, <RelTime iso={a.at} />
                {a.error ? <span class="muted"> — {a.error}</span> : null}
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}

/** What the router reported the payload printed, or why there is nothing to show. Untrusted text: rendered as text, never as markup. */
function Output({ job }: { job: Job }) {
  const settled = TERMINAL.has(job.status);
  return (
    <>
      {job.error !== null ? (
        <div class="error-box" data-testid="job-error">
          <strong>The script failed:</strong> <span class="wrap">{job.error}</span>
        </div>
      ) : null}
      {job.output !== null && job.output !== '' ? (
        <pre class="script wrap" data-testid="job-output">{job.output}</pre>
      ) : job.output === '' ? (
        <Empty>The script printed nothing.</Empty>
      ) : job.output_supported === false ? (
        <Empty>
          This router reported the outcome without output: capturing output needs RouterOS 7.15 or later (it runs v6 or 7.0–7.14).
        </Empty>
      ) : !job.needs_acknowledgement ? (
        <Empty>No output: only jobs that need acknowledgement report their outcome and output.</Empty>
      ) : settled ? (
        <Empty>The router reported no output.</Empty>
      ) : (
        <Empty>No output yet: the router reports it with the outcome.</Empty>
      )}
      {job.output_truncated ? (
        <p class="notice small" role="note">Truncated: the output was longer than what the router sent or tikops keeps.</p>
      ) : null}
    </>
  );
}

const Fact = ({ label, children }: { label: string; children: ComponentChildren }) => (
  <div class="fact"><dt>{label}</dt><dd>{children}</dd></div>
);

export function JobPage({ siteId, jobId }: { siteId: string; jobId: string }) {
  const job = useAsync(() => getJob(siteId, jobId), [siteId, jobId]);
  const events = useAsync(() => jobEvents(siteId, jobId), [siteId, jobId]);
  const deliveries = useAsync(() => jobDeliveries(siteId, jobId), [siteId, jobId]);
  const site = useAsync(() => getSite(siteId), [siteId]);
  const j = job.result.data;
  const live = j ? !TERMINAL.has(j.status) : false;
  const refresh = (): void => {
    job.reload();
    events.reload();
    if (j?.notify_url) deliveries.reload();
  };
  const stream = useLive((e) => e.kind === 'job' && e.job_id === jobId, refresh, 100);
  useInterval(refresh, POLL_MS, live && stream !== 'live');
  // When the job settles, read its events (and deliveries) once more: the last live tick may have
  // read them just before the final event was written, and live refresh stops here.
  const wasLive = useRef(false);
  useEffect(() => {
    if (wasLive.current && !live) {
      events.reload();
      deliveries.reload();
    }
    wasLive.current = live;
  }, [live]);
  const cancel = useAction(async () => {
    await cancelJob(siteId, jobId);
    job.reload();
    events.reload();
  });
  useTitle(j ? `Job ${j.token}` : 'Job');
  const back = <p><a href={href(`/sites/${siteId}`)}>← {site.result.data?.name ?? 'Site'}</a></p>;
  if (!j) {
    return <div>{back}{job.result.state === 'error' ? <ErrorBox error={job.result.error} title="Could not load the job" /> : <Loading what="the job" />}</div>;
  }
  return (
    <div>
      {back}
      <div class="page-head">
        <h1>{j.description || 'Job'}</h1>
        <span aria-live="polite" data-testid="job-status"><JobStatusBadge status={j.status} /></span>
      </div>
      {job.result.state === 'error' ? <ErrorBox error={job.result.error} title="Refresh failed" /> : null}
      {cancel.error ? <ErrorBox error={cancel.error} title="Not cancelled" /> : null}
      {j.status === 'queued' && session.can('jobs:write') ? (
        <p>
          <ConfirmButton label="Cancel job…" confirmLabel="Cancel job" question="The router will not get this job. Cancel it?"
            onConfirm={() => void cancel.run()} disabled={cancel.pending} />
        </p>
      ) : null}
      <div class="grid">
        <Section title="Details">
          <dl class="facts">
            <Fact label="Token"><code>{j.token}</code></Fact>
            <Fact label="Created"><RelTime iso={j.created_at} /></Fact>
            <Fact label="Delivered"><RelTime iso={j.delivered_at} empty="not yet" /></Fact>
            <Fact label="Started"><RelTime iso={j.started_at} empty="not yet" /></Fact>
            <Fact label="Finished"><RelTime iso={j.completed_at ?? j.failed_at ?? j.cancelled_at ?? j.timed_out_at} empty="not yet" /></Fact>
            <Fact label="Needs acknowledgement">{j.needs_acknowledgement ? 'Yes' : 'No'}</Fact>
            <Fact label="Backup first">{j.should_backup ? (j.associated_backup ?? 'Yes (not taken yet)') : 'No'}</Fact>
            <Fact label="Express execute">{j.express_execute ? 'Yes' : 'No'}</Fact>
            <Fact label="Lease / timeout">{j.lease_seconds} s / {j.timeout_seconds} s</Fact>
            <Fact label="Idempotency key"><code class="small">{j.idempotency_key}</code></Fact>
          </dl>
        </Section>
        <Section title="Timeline">
          {events.result.state === 'error' ? <ErrorBox error={events.result.error} title="Could not load events" /> : null}
          {events.result.data ? <Timeline events={events.result.data} /> : <Loading what="events" />}
          {live ? (
            <p class="muted small" data-testid="job-live">
              {stream === 'live' ? 'Live: updates as the router reports.' : `Refreshing every ${POLL_MS / 1000} s until the job settles.`}
            </p>
          ) : null}
        </Section>
      </div>
      <Section title="Output">
        <Output job={j} />
      </Section>
      <Section title="Script">
        {j.script ? <ScriptView script={j.script} /> : <Empty>No script (a backup-only job).</Empty>}
      </Section>
      <Section title="Webhook deliveries">
        {deliveries.result.state === 'error' ? <ErrorBox error={deliveries.result.error} title="Could not load deliveries" /> : null}
        <Deliveries job={j} deliveries={deliveries.result.data} />
      </Section>
    </div>
  );
}
