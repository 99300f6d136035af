import type { JobStatus, RolloutState, Site, TargetState } from '../api/types';
import { absoluteTime, relativeTime } from '../lib/format';
import { useNow } from '../lib/hooks';

// Status always has words; colour and the glyph only repeat them.

/** A relative time ("12 s ago") with the absolute time on hover and for assistive tech. */
export function RelTime({ iso, empty = '—' }: { iso: string | null | undefined; empty?: string }) {
  const now = useNow();
  if (!iso) return <span class="muted">{empty}</span>;
  const abs = absoluteTime(iso);
  return (
    <time dateTime={iso} title={abs}>
      {relativeTime(iso, now)}
    </time>
  );
}

export type SitePresence = 'online' | 'offline' | 'never';

export function presence(site: Pick<Site, 'has_pulse' | 'last_seen_at'>): SitePresence {
  if (site.has_pulse) return 'online';
  return site.last_seen_at ? 'offline' : 'never';
}

const PRESENCE_LABEL: Record<SitePresence, string> = { online: 'Online', offline: 'Offline', never: 'Never seen' };

/** "● Online · last seen 12 s ago". */
export function SiteStatus({ site, withSeen = true }: { site: Pick<Site, 'has_pulse' | 'last_seen_at'>; withSeen?: boolean }) {
  const p = presence(site);
  return (
    <span class="status-cell">
      <span class={`badge badge-${p}`}>
        <span aria-hidden="true">{p === 'online' ? '●' : p === 'offline' ? '○' : '◌'}</span> {PRESENCE_LABEL[p]}
      </span>
      {withSeen && site.last_seen_at ? (
        <span class="muted small">
          {' '}
          last seen <RelTime iso={site.last_seen_at} />
        </span>
      ) : null}
    </span>
  );
}

const JOB_LABEL: Record<JobStatus, string> = {
  queued: 'Queued',
  delivered: 'Delivered',
  started: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  timed_out: 'Timed out',
  awaiting_confirmation: 'Awaiting confirmation',
  rolled_back: 'Rolled back',
};
const JOB_GLYPH: Record<JobStatus, string> = {
  queued: '…',
  delivered: '→',
  started: '▶',
  completed: '✓',
  failed: '✕',
  cancelled: '⊘',
  timed_out: '⧗',
  awaiting_confirmation: '?',
  rolled_back: '↺',
};

export const TERMINAL: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled', 'timed_out', 'rolled_back']);

export function JobStatusBadge({ status }: { status: JobStatus }) {
  return (
    <span class={`badge badge-job-${status}`} data-status={status}>
      <span aria-hidden="true">{JOB_GLYPH[status]}</span> {JOB_LABEL[status]}
    </span>
  );
}

const ROLLOUT_LABEL: Record<RolloutState, [string, string, string]> = {
  // label, glyph, colour class (the words carry the meaning; colour repeats it)
  pending_approval: ['Waiting for approval', '…', 'badge-job-queued'],
  scheduled: ['Scheduled', '⧗', 'badge-job-queued'],
  running: ['Running', '▶', 'badge-job-started'],
  paused: ['Paused', '‖', 'badge-job-failed'],
  completed: ['Completed', '✓', 'badge-job-completed'],
  cancelled: ['Cancelled', '⊘', 'badge-job-cancelled'],
};

export function RolloutStateBadge({ state }: { state: RolloutState }) {
  const [label, glyph, cls] = ROLLOUT_LABEL[state];
  return (
    <span class={`badge ${cls}`} data-state={state}>
      <span aria-hidden="true">{glyph}</span> {label}
    </span>
  );
}

/** Why a rollout paused, in words (src/rollouts/progress.service.ts pause reasons). */
export const PAUSE_REASON: Record<string, string> = {
  operator: 'paused by an operator',
  canary_failed: 'a canary failed',
  max_failures: 'more jobs failed than the failure threshold allows',
  max_failure_ratio: 'the share of failed jobs passed the failure threshold',
};

const TARGET_ONLY: Record<string, [string, string, string]> = {
  pending: ['Pending', '·', 'badge-never'],
  skipped_offline: ['Skipped (offline)', '↷', 'badge-never'],
  rejected: ['Rejected', '✕', 'badge-job-failed'],
};

/** A rollout target's state: its own until it became a job, then its job's (same words as a job). */
export function TargetStateBadge({ state }: { state: TargetState }) {
  const own = TARGET_ONLY[state];
  if (!own) return <JobStatusBadge status={state as JobStatus} />;
  return (
    <span class={`badge ${own[2]}`} data-status={state}>
      <span aria-hidden="true">{own[1]}</span> {own[0]}
    </span>
  );
}

/** Words for a target state in the counts ("Completed", "Skipped (offline)"). */
export const targetStateLabel = (s: TargetState): string => TARGET_ONLY[s]?.[0] ?? JOB_LABEL[s as JobStatus];
