import { EXEC_MARKER } from './router.js';
import type { Ledger } from './ledger.js';
import type { Operator } from './operator.js';

// A staged rollout across a simulated fleet (npm run sim -- --rollout): tags every site, creates a
// rollout across the tag with a canary and a failure threshold, and prints its progress.

export interface RolloutOptions {
  tag: string;
  batchSize: number;
  batchIntervalSeconds: number;
  maxFailures?: number | undefined;
  /** Routers whose identity ends in this digit fail the script (`:error`), to see a threshold pause. */
  failSuffix?: string | undefined;
}

interface Rollout {
  id: string;
  state: string;
  pause_reason: string | null;
  batches: number;
  counts: Record<string, number>;
}

/**
 * The rollout's script: logs the execution marker with the router's identity (so the ledger counts
 * each router's run), and fails on the routers `failSuffix` names.
 */
export function rolloutScript(failSuffix?: string): string {
  const log = `:log info ("${EXEC_MARKER}rollout:" . [/system identity get name])`;
  if (failSuffix === undefined) return log;
  const last = ':local n [/system identity get name]; :local last [:pick $n ([:len $n] - 1) [:len $n]]';
  return `${log}\n${last}\n:if ($last = "${failSuffix}") do={ :error "simulated failure" }`;
}

/** Tags every site, then creates the rollout across the tag with `siteIds[0]` as its canary. */
export async function startRollout(operator: Operator, siteIds: string[], o: RolloutOptions): Promise<Rollout> {
  for (const id of siteIds) await operator.request('PATCH', `/site/${id}`, { tags: [o.tag] });
  return operator.request<Rollout>('POST', '/rollouts', {
    description: `sim rollout across ${o.tag}`,
    script: rolloutScript(o.failSuffix),
    targets: { tags: [o.tag] },
    canary_site_ids: siteIds.slice(0, 1),
    batch_size: o.batchSize,
    batch_interval_seconds: o.batchIntervalSeconds,
    ...(o.maxFailures === undefined ? {} : { max_failures: o.maxFailures }),
  });
}

/** One line of progress: the state and every non-zero count. */
export function progressLine(r: Rollout, startedMs: number): string {
  const counts = Object.entries(r.counts)
    .filter(([k, v]) => v > 0 && k !== 'total')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const why = r.pause_reason ? ` (${r.pause_reason})` : '';
  return `${((Date.now() - startedMs) / 1000).toFixed(1).padStart(6)}s  ${r.state}${why}  batches=${r.batches}  ${counts}  of ${r.counts.total}`;
}

/** Prints the rollout's progress every `everyMs` until it ends (completed, cancelled, paused) or `untilMs`. */
export async function followRollout(operator: Operator, id: string, everyMs: number, untilMs: number): Promise<Rollout> {
  const started = Date.now();
  let last = '';
  for (;;) {
    const r = await operator.request<Rollout>('GET', `/rollouts/${id}`);
    const line = progressLine(r, started);
    if (line.slice(8) !== last) console.log(line);
    last = line.slice(8);
    if (['completed', 'cancelled', 'paused'].includes(r.state) || Date.now() >= untilMs) return r;
    await new Promise((res) => setTimeout(res, everyMs));
  }
}

/**
 * Tells the ledger which job each router ran (its payload logs `rollout:<identity>`; deliveries
 * are seen by token, callbacks by id), so the summary counts one job per target.
 */
export async function linkTargets(operator: Operator, ledger: Ledger, id: string): Promise<void> {
  for (let cursor: string | null = ''; cursor !== null; ) {
    const page: { items: { site_id: string; job_id: string | null }[]; next: string | null } = await operator.page(`/rollouts/${id}/targets?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    for (const t of page.items) {
      if (!t.job_id) continue;
      const [site, job] = await Promise.all([
        operator.request<{ identity: string | null }>('GET', `/site/${t.site_id}`),
        operator.request<{ token: string }>('GET', `/site/${t.site_id}/job/${t.job_id}`),
      ]);
      ledger.link(`rollout:${site.identity ?? ''}`, job.token, t.job_id);
    }
    cursor = page.next;
  }
}
