import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { actOnRollout, getRollout, listRolloutTargets, type RolloutAction } from '../../api/endpoints';
import * as session from '../../api/session';
import type { Rollout, TargetState } from '../../api/types';
import { ConfirmButton, Pager } from '../../components/controls';
import { Empty, ErrorBox, Loading, Section } from '../../components/feedback';
import { ScriptView } from '../../components/script-view';
import { PAUSE_REASON, RelTime, RolloutStateBadge, TargetStateBadge, targetStateLabel } from '../../components/status';
import { type Column, Table } from '../../components/table';
import { duration } from '../../lib/format';
import { useAction, useAsync, useInterval } from '../../lib/hooks';
import { useLive } from '../../lib/live';
import { href } from '../../lib/router';
import { useTitle } from '../../lib/title';
import { progressText } from './list';

// One rollout: its counts per state, the operator's actions its state and the key's scopes allow,
// and its targets in launch order, a page at a time. Read again when the rollout or one of its
// jobs changes (GET /events/stream); every 3 s while the stream is down and it is still moving.

const TARGET_COLUMNS: readonly Column[] = [
  { label: '#' },
  { label: 'Site' },
  { label: 'Batch' },
  { label: 'State' },
  { label: 'Job', class: 'hide-narrow' },
];

const PAGE_SIZE = 50;
const POLL_MS = 3000;
const ORDER: TargetState[] = ['pending', 'queued', 'delivered', 'started', 'awaiting_confirmation', 'completed', 'failed', 'timed_out', 'rolled_back', 'rejected', 'skipped_offline', 'cancelled'];
const GOOD = new Set<TargetState>(['completed']);
const BAD = new Set<TargetState>(['failed', 'timed_out', 'rolled_back', 'rejected']);

const Fact = ({ label, children }: { label: string; children: ComponentChildren }) => (
  <div class="fact"><dt>{label}</dt><dd>{children}</dd></div>
);

function Counts({ r, filter, onFilter }: { r: Rollout; filter: TargetState | ''; onFilter: (s: TargetState | '') => void }) {
  const shown = ORDER.filter((s) => r.counts[s] > 0);
  const total = r.counts.total || 1;
  return (
    <div data-testid="rollout-counts">
      <div class="progress-bar" aria-hidden="true">
        {shown.map((s) => (
          <span key={s} class={`seg ${GOOD.has(s) ? 'seg-ok' : BAD.has(s) ? 'seg-bad' : s === 'pending' || s === 'cancelled' || s === 'skipped_offline' ? 'seg-idle' : 'seg-busy'}`}
            style={{ width: `${(100 * r.counts[s]) / total}%` }} />
        ))}
      </div>
      <p class="small">{progressText(r)}</p>
      <ul class="summary" aria-label="Targets per state">
        <li><button type="button" class="button ghost small" aria-pressed={filter === ''} onClick={() => onFilter('')}>All {r.counts.total.toLocaleString()}</button></li>
        {shown.map((s) => (
          <li key={s}>
            <button type="button" class="button ghost small" aria-pressed={filter === s} onClick={() => onFilter(s)}>
              {targetStateLabel(s)} <strong>{r.counts[s].toLocaleString()}</strong>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Actions({ r, onAct, pending }: { r: Rollout; onAct: (a: RolloutAction) => void; pending: boolean }) {
  const write = session.can('rollouts:write');
  const mine = session.whoami().actor === r.created_by;
  const buttons: ComponentChildren[] = [];
  if (write && r.state === 'running') buttons.push(<button key="p" type="button" class="button" disabled={pending} onClick={() => onAct('pause')}>Pause</button>);
  if (write && r.state === 'paused') buttons.push(<button key="r" type="button" class="button primary" disabled={pending} onClick={() => onAct('resume')}>Resume</button>);
  if (session.can('rollouts:approve') && r.state === 'pending_approval') {
    buttons.push(mine
      ? <span key="a" class="muted small">Another operator must approve it (you created it).</span>
      : <button key="a" type="button" class="button primary" disabled={pending} onClick={() => onAct('approve')}>Approve</button>);
  }
  if (write && r.state !== 'completed' && r.state !== 'cancelled') {
    buttons.push(<ConfirmButton key="c" label="Cancel rollout…" confirmLabel="Cancel rollout" disabled={pending}
      question="Targets not yet dispatched and jobs still queued are cancelled. Cancel?" onConfirm={() => onAct('cancel')} />);
  }
  return buttons.length > 0 ? <div class="actions" role="group" aria-label="Rollout actions">{buttons}</div> : null;
}

function Details({ r }: { r: Rollout }) {
  const t = r.targets;
  const threshold = r.max_failures !== null ? `pause when more than ${r.max_failures} fail` : r.max_failure_ratio !== null ? `pause when more than ${Number((r.max_failure_ratio * 100).toFixed(2))} % fail` : 'none (canaries still pause it)';
  return (
    <dl class="facts">
      <Fact label="Targets">{[t.tags?.length ? `tags ${t.tags.join(', ')}` : '', t.site_ids?.length ? `${t.site_ids.length} named sites` : '', t.query ? 'a site query' : ''].filter(Boolean).join(' + ')}</Fact>
      <Fact label="Canaries">{r.canary_site_ids.length}</Fact>
      <Fact label="Batches">{r.batch_size} {r.batch_size === 1 ? 'site' : 'sites'} each, at least {duration(r.batch_interval_seconds)} apart; {r.batches} dispatched</Fact>
      <Fact label="Failure threshold">{threshold}</Fact>
      <Fact label="Offline sites">{r.skip_offline ? 'skipped' : 'wait for them'}</Fact>
      <Fact label="Safety">{[r.make_backup ? 'backup first' : '', r.rollback_after_seconds ? `roll back after ${r.rollback_after_seconds} s` : ''].filter(Boolean).join(', ') || 'none'}</Fact>
      <Fact label="Created"><RelTime iso={r.created_at} /> by <code class="small">{r.created_by}</code></Fact>
      {r.requires_approval ? <Fact label="Approved">{r.approved_at ? <><RelTime iso={r.approved_at} /> by <code class="small">{r.approved_by}</code></> : 'not yet'}</Fact> : null}
      <Fact label="Launch">{r.started_at ? <RelTime iso={r.started_at} /> : r.launch_at ? <>at <RelTime iso={r.launch_at} /></> : 'when approved'}</Fact>
      {r.next_batch_at ? <Fact label="Next batch">not before <RelTime iso={r.next_batch_at} /></Fact> : null}
      {r.finished_at ? <Fact label="Finished"><RelTime iso={r.finished_at} /></Fact> : null}
    </dl>
  );
}

export function RolloutPage({ rolloutId }: { rolloutId: string }) {
  const rollout = useAsync(() => getRollout(rolloutId), [rolloutId]);
  const [filter, setFilter] = useState<TargetState | ''>('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const targets = useAsync(() => listRolloutTargets(rolloutId, PAGE_SIZE, cursor, filter || undefined), [rolloutId, cursor, filter]);
  const refresh = (): void => {
    rollout.reload();
    targets.reload();
  };
  const r = rollout.result.data;
  const moving = r ? r.state === 'running' || r.state === 'scheduled' : false;
  const stream = useLive((e) => e.rollout_id === rolloutId, refresh, 300);
  useInterval(refresh, POLL_MS, moving && stream !== 'live');
  const act = useAction(async (a: RolloutAction) => {
    await actOnRollout(rolloutId, a);
    refresh();
  });
  useTitle(r ? `Rollout: ${r.description}` : 'Rollout');
  const back = <p><a href={href('/rollouts')}>← Rollouts</a></p>;
  if (!r) {
    return <div>{back}{rollout.result.state === 'error' ? <ErrorBox error={rollout.result.error} title="Could not load the rollout" /> : <Loading what="the rollout" />}</div>;
  }
  const page = targets.result.data;
  const chooseFilter = (s: TargetState | ''): void => {
    setFilter(s);
    setCursors([undefined]);
  };
  return (
    <div>
      {back}
      <div class="page-head">
        <h1>{r.description}</h1>
        <span aria-live="polite" data-testid="rollout-state"><RolloutStateBadge state={r.state} /></span>
      </div>
      {r.state === 'paused' && r.pause_reason ? (
        <p class="notice" role="status" data-testid="pause-reason">Paused: {PAUSE_REASON[r.pause_reason] ?? r.pause_reason}. Resume to go on (failures so far stop counting), or cancel.</p>
      ) : null}
      {rollout.result.state === 'error' ? <ErrorBox error={rollout.result.error} title="Refresh failed" /> : null}
      {act.error ? <ErrorBox error={act.error} title="Not done" /> : null}
      <Actions r={r} onAct={(a) => void act.run(a)} pending={act.pending} />
      <Section title="Progress">
        <Counts r={r} filter={filter} onFilter={chooseFilter} />
        <p class="muted small" data-testid="rollout-live">
          {stream === 'live' ? 'Live: updates as its jobs move.' : moving ? `Refreshing every ${POLL_MS / 1000} s.` : ''}
        </p>
      </Section>
      <Section title="Targets">
        {targets.result.state === 'error' ? <ErrorBox error={targets.result.error} title="Could not load the targets" /> : null}
        {!page && targets.result.state === 'loading' ? <Loading what="targets" /> : null}
        {page && page.items.length === 0 ? <Empty>{filter ? `No target is ${targetStateLabel(filter).toLowerCase()}.` : 'No targets yet: they are chosen when the rollout launches.'}</Empty> : null}
        {page && page.items.length > 0 ? (
          <Table columns={TARGET_COLUMNS} data-testid="targets-table">
            {page.items.map((t) => (
              <tr key={t.site_id}>
                <td>{t.position}</td>
                <td><a href={href(`/sites/${t.site_id}`)}><code class="small">{t.site_id.slice(0, 8)}</code></a>{t.canary ? <span class="badge badge-never"> canary</span> : null}</td>
                <td>{t.batch === null ? '—' : t.batch === 0 ? 'canaries' : t.batch}</td>
                <td><TargetStateBadge state={t.state} />{t.reason ? <span class="muted small"> {t.reason}</span> : null}</td>
                <td class="hide-narrow">{t.job_id ? <a href={href(`/sites/${t.site_id}/jobs/${t.job_id}`)}>open job</a> : <span class="muted">—</span>}</td>
              </tr>
            ))}
          </Table>
        ) : null}
        <Pager label="Target pages" cursors={cursors} setCursors={setCursors} next={page?.next} />
      </Section>
      <div class="grid">
        <Section title="Details"><Details r={r} /></Section>
        <Section title="Script"><ScriptView script={r.script} /></Section>
      </div>
    </div>
  );
}
