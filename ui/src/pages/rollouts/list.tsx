import { useState } from 'preact/hooks';
import { listRollouts } from '../../api/endpoints';
import * as session from '../../api/session';
import type { Rollout } from '../../api/types';
import { Pager } from '../../components/controls';
import { Empty, ErrorBox, Loading } from '../../components/feedback';
import { RelTime, RolloutStateBadge } from '../../components/status';
import { type Column, Table } from '../../components/table';
import { useAsync, useInterval } from '../../lib/hooks';
import { useLive } from '../../lib/live';
import { href } from '../../lib/router';
import { useTitle } from '../../lib/title';

// The organisation's rollouts, newest first (GET /rollouts, cursor pages). Read again when a
// rollout changes or one of its jobs does (GET /events/stream); every 5 s while the stream is down
// and a rollout on the page is still moving.

const ROLLOUT_COLUMNS: readonly Column[] = [
  { label: 'State' },
  { label: 'Description' },
  { label: 'Progress' },
  { label: 'Created' },
  { label: 'By', class: 'hide-narrow' },
];

const PAGE_SIZE = 25;
const POLL_MS = 5000;
const MOVING = new Set(['scheduled', 'running']);

/** "12 of 40 settled · 2 failed". */
export function progressText(r: Rollout): string {
  const c = r.counts;
  const failed = c.failed + c.timed_out + c.rolled_back + c.rejected;
  const settled = failed + c.completed + c.cancelled + c.skipped_offline;
  return `${settled.toLocaleString()} of ${c.total.toLocaleString()} settled${failed > 0 ? ` · ${failed.toLocaleString()} failed` : ''}`;
}

export function RolloutsPage() {
  useTitle('Rollouts');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const { result, reload } = useAsync(() => listRollouts(PAGE_SIZE, cursor), [cursor]);
  const page = result.data;
  const stream = useLive((e) => e.kind === 'rollout' || e.rollout_id !== null, reload, 500);
  useInterval(reload, POLL_MS, stream !== 'live' && (page?.items.some((r) => MOVING.has(r.state)) ?? false));
  return (
    <div>
      <div class="page-head">
        <h1>Rollouts</h1>
        {session.can('rollouts:write') ? <a class="button primary" href={href('/rollouts/new')}>New rollout</a> : null}
      </div>
      <p class="muted">One script on many sites in stages: canaries first, then batches, pausing by itself when too many fail.</p>
      {result.state === 'error' ? <ErrorBox error={result.error} title="Could not load rollouts" /> : null}
      {!page && result.state === 'loading' ? <Loading what="rollouts" /> : null}
      {page && page.items.length === 0 && cursors.length === 1 ? (
        <Empty>No rollouts yet.{session.can('rollouts:write') ? ' Start one with “New rollout”.' : ''}</Empty>
      ) : null}
      {page && page.items.length > 0 ? (
        <Table columns={ROLLOUT_COLUMNS} data-testid="rollouts-table">
          {page.items.map((r) => (
            <tr key={r.id}>
              <td><RolloutStateBadge state={r.state} /></td>
              <td><a href={href(`/rollouts/${r.id}`)}>{r.description}</a></td>
              <td class="small">{progressText(r)}</td>
              <td><RelTime iso={r.created_at} /></td>
              <td class="hide-narrow small"><code>{r.created_by}</code></td>
            </tr>
          ))}
        </Table>
      ) : null}
      <Pager label="Rollout pages" cursors={cursors} setCursors={setCursors} next={page?.next} />
      <p class="muted small" role="status">{stream === 'live' ? 'Live: updates as rollouts move.' : ''}</p>
    </div>
  );
}
