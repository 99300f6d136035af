import { useEffect, useState } from 'preact/hooks';
import { createRollout, listSites } from '../../api/endpoints';
import type { NewRollout, Site } from '../../api/types';
import { ErrorBox, Loading } from '../../components/feedback';
import { ScriptEditor } from '../../components/script-editor';
import { SiteStatus } from '../../components/status';
import { type Column, Table } from '../../components/table';
import { useAction, useAsync } from '../../lib/hooks';
import { href, navigate, useRoute } from '../../lib/router';
import { useTitle } from '../../lib/title';

// Create a rollout (POST /rollouts, docs/rollouts.md). Targets are tags and/or site ids; the sites
// carrying the tags are previewed (first 50 per tag) so canaries can be ticked. The API validates
// everything; its errors show inline and the field the message names is marked invalid.

const PREVIEW_COLUMNS: readonly Column[] = [
  { label: 'Canary' },
  { label: 'Site' },
  { label: 'Status' },
  { label: 'Version', class: 'hide-narrow' },
];

const PREVIEW = 50;
const splitList = (s: string): string[] => [...new Set(s.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean))];

type Threshold = 'none' | 'count' | 'ratio';

/** The sites carrying any of `tags` (the first PREVIEW of each), each once. */
async function preview(tags: string[]): Promise<Site[]> {
  const pages = await Promise.all(tags.map((tag) => listSites({ tag }, PREVIEW)));
  const seen = new Map<string, Site>();
  for (const p of pages) for (const s of p.items) seen.set(s.id, s);
  return [...seen.values()];
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value]);
  return v;
}

export function NewRolloutPage() {
  useTitle('New rollout');
  const { query } = useRoute();
  const [description, setDescription] = useState('');
  const [script, setScript] = useState('');
  const [tagsText, setTagsText] = useState(query.get('tag') ?? '');
  const [idsText, setIdsText] = useState('');
  const [canaries, setCanaries] = useState<Set<string>>(new Set());
  const [batchSize, setBatchSize] = useState('100');
  const [interval, setInterval_] = useState('60');
  const [threshold, setThreshold] = useState<Threshold>('count');
  const [maxFailures, setMaxFailures] = useState('0');
  const [ratio, setRatio] = useState('10');
  const [skipOffline, setSkipOffline] = useState(false);
  const [approval, setApproval] = useState(false);
  const [launchAt, setLaunchAt] = useState('');
  const [backup, setBackup] = useState(false);
  const [rollback, setRollback] = useState('');
  const tags = splitList(useDebounced(tagsText, 400));
  const sites = useAsync(() => (tags.length > 0 ? preview(tags) : Promise.resolve([])), [tags.join(',')]);

  const toggleCanary = (id: string, on: boolean): void => {
    const next = new Set(canaries);
    if (on) next.add(id);
    else next.delete(id);
    setCanaries(next);
  };
  const submit = useAction(async () => {
    const ids = splitList(idsText);
    const body: NewRollout = {
      description,
      script,
      targets: { ...(tags.length > 0 && { tags }), ...(ids.length > 0 && { site_ids: ids }) },
      canary_site_ids: [...canaries],
      batch_size: Number(batchSize),
      batch_interval_seconds: Number(interval),
      ...(threshold === 'count' && { max_failures: Number(maxFailures) }),
      ...(threshold === 'ratio' && { max_failure_ratio: Number(ratio) / 100 }),
      skip_offline: skipOffline,
      requires_approval: approval,
      ...(launchAt && { launch_at: new Date(launchAt).toISOString() }),
      make_backup: backup,
      ...(rollback && { rollback_after_seconds: Number(rollback) }),
    };
    const r = await createRollout(body);
    navigate(`/rollouts/${r.id}`);
  });
  const msg = submit.error?.body.message ?? '';
  const bad = (re: RegExp): 'true' | undefined => (re.test(msg) ? 'true' : undefined);
  return (
    <div>
      <p><a href={href('/rollouts')}>← Rollouts</a></p>
      <h1>New rollout</h1>
      <form class="card form" onSubmit={(e) => { e.preventDefault(); void submit.run(); }}>
        <label>Description
          <input id="rollout-description" value={description} required aria-invalid={bad(/description/i)} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
        <label for="rollout-script">RouterOS script</label>
        <ScriptEditor id="rollout-script" value={script} onInput={setScript} describedBy="rollout-script-help" invalid={bad(/script/i) === 'true'} />
        <p id="rollout-script-help" class="muted small">Every target runs it as an ordinary job (acknowledged, so each outcome counts).</p>

        <fieldset>
          <legend>Targets</legend>
          <label>Tags <span class="muted small">(sites carrying any of them; separate with spaces or commas)</span>
            <input id="rollout-tags" value={tagsText} aria-invalid={bad(/targets|tag/i)} placeholder="branch-eu" onInput={(e) => setTagsText(e.currentTarget.value)} />
          </label>
          <label>Site ids <span class="muted small">(optional, one per line)</span>
            <textarea id="rollout-site-ids" rows={2} class="mono" value={idsText} aria-invalid={bad(/site_ids|No such site/i)} onInput={(e) => setIdsText(e.currentTarget.value)} />
          </label>
          <TargetPreview tags={tags} sites={sites.result.data} loading={sites.result.state === 'loading'} canaries={canaries} onCanary={toggleCanary} />
        </fieldset>

        <fieldset>
          <legend>Stages</legend>
          <div class="row">
            <label>Batch size<input id="rollout-batch-size" type="number" min={1} max={10000} value={batchSize} aria-invalid={bad(/batch_size/)} onInput={(e) => setBatchSize(e.currentTarget.value)} /></label>
            <label>Seconds between batches<input id="rollout-interval" type="number" min={0} value={interval} aria-invalid={bad(/batch_interval/)} onInput={(e) => setInterval_(e.currentTarget.value)} /></label>
          </div>
          <div class="row">
            <label>Failure threshold
              <select id="rollout-threshold" value={threshold} onChange={(e) => setThreshold(e.currentTarget.value as Threshold)}>
                <option value="count">Pause when more than N jobs fail</option>
                <option value="ratio">Pause when more than a share of jobs fail</option>
                <option value="none">Never pause on failures (canaries still do)</option>
              </select>
            </label>
            {threshold === 'count' ? (
              <label class="narrow">N<input id="rollout-max-failures" type="number" min={0} value={maxFailures} aria-invalid={bad(/max_failures/)} onInput={(e) => setMaxFailures(e.currentTarget.value)} /></label>
            ) : null}
            {threshold === 'ratio' ? (
              <label class="narrow">Share (%)<input id="rollout-ratio" type="number" min={0} max={100} step="any" value={ratio} aria-invalid={bad(/ratio/)} onInput={(e) => setRatio(e.currentTarget.value)} /></label>
            ) : null}
          </div>
          <label class="check"><input type="checkbox" checked={skipOffline} onChange={(e) => setSkipOffline(e.currentTarget.checked)} /> Skip sites that are offline when their batch starts</label>
        </fieldset>

        <fieldset>
          <legend>When and safety</legend>
          <div class="row">
            <label>Launch at <span class="muted small">(empty: now; your time zone)</span>
              <input id="rollout-launch-at" type="datetime-local" value={launchAt} aria-invalid={bad(/launch_at/)} onInput={(e) => setLaunchAt(e.currentTarget.value)} />
            </label>
            <label>Roll back after (seconds) <span class="muted small">(safe apply, 60–3600; empty: off)</span>
              <input id="rollout-rollback" type="number" min={60} max={3600} value={rollback} aria-invalid={bad(/rollback/)} onInput={(e) => setRollback(e.currentTarget.value)} />
            </label>
          </div>
          <label class="check"><input type="checkbox" checked={approval} onChange={(e) => setApproval(e.currentTarget.checked)} /> Require another operator's approval before it launches</label>
          <label class="check"><input type="checkbox" checked={backup} onChange={(e) => setBackup(e.currentTarget.checked)} /> Back up each router's configuration first (RouterOS v7)</label>
        </fieldset>

        {submit.error ? <ErrorBox error={submit.error} title="The rollout was not created" /> : null}
        <div class="actions">
          <button type="submit" class="button primary" disabled={submit.pending}>{submit.pending ? 'Creating…' : approval || launchAt ? 'Create rollout' : 'Start rollout'}</button>
          <a class="button ghost" href={href('/rollouts')}>Cancel</a>
        </div>
      </form>
    </div>
  );
}

function TargetPreview({ tags, sites, loading, canaries, onCanary }: {
  tags: string[];
  sites: Site[] | undefined;
  loading: boolean;
  canaries: Set<string>;
  onCanary: (id: string, on: boolean) => void;
}) {
  if (tags.length === 0) return <p class="muted small">Enter tags to see the sites they select and pick canaries among them.</p>;
  if (!sites) return loading ? <Loading what="the sites" /> : null;
  if (sites.length === 0) return <p class="notice small" role="status">No site carries {tags.length === 1 ? 'this tag' : 'these tags'}.</p>;
  return (
    <div>
      <p class="small" role="status" data-testid="rollout-preview">
        {sites.length.toLocaleString()} {sites.length === 1 ? 'site' : 'sites'}
        {sites.length >= PREVIEW ? ` (first ${PREVIEW} of each tag shown)` : ''}; tick the canaries: they run first, alone, and any failure among them pauses the rollout.
      </p>
      <Table columns={PREVIEW_COLUMNS}>
        {sites.map((s) => (
          <tr key={s.id}>
            <td><input type="checkbox" aria-label={`Canary: ${s.name}`} checked={canaries.has(s.id)} onChange={(e) => onCanary(s.id, e.currentTarget.checked)} /></td>
            <td>{s.name}</td>
            <td><SiteStatus site={s} withSeen={false} /></td>
            <td class="hide-narrow small">{s.software_version ?? '—'}</td>
          </tr>
        ))}
      </Table>
    </div>
  );
}
