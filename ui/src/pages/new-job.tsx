import { useState } from 'preact/hooks';
import { createJob, getSite } from '../api/endpoints';
import { ErrorBox } from '../components/feedback';
import { ScriptEditor } from '../components/script-editor';
import { useAction, useAsync } from '../lib/hooks';
import { href, navigate } from '../lib/router';
import { useTitle } from '../lib/title';

// Queue a job on one site (POST /site/{id}/job). The API validates; its errors show inline, and a
// field the message names is marked invalid.

/** Rollback after N seconds arrives with issue 9; the field appears when the API accepts it. */
const ROLLBACK_SUPPORTED = false;

export function NewJobPage({ siteId }: { siteId: string }) {
  useTitle('New job');
  const site = useAsync(() => getSite(siteId), [siteId]);
  const [description, setDescription] = useState('');
  const [script, setScript] = useState('');
  const [needsAck, setNeedsAck] = useState(true);
  const [backup, setBackup] = useState(false);
  const [express, setExpress] = useState(false);
  // One key per form: a submit retried after a lost answer returns the same job instead of a second one.
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const submit = useAction(async () => {
    const job = await createJob(siteId, { idempotencyKey, description, script, needsAck, backup, express });
    navigate(`/sites/${siteId}/jobs/${job.id}`);
  });
  const msg = submit.error?.body.message ?? '';
  const badDescription = /description/i.test(msg);
  const badScript = /script/i.test(msg) || submit.error?.body.code === 'script_too_large';
  const name = site.result.data?.name ?? 'site';
  return (
    <div>
      <p><a href={href(`/sites/${siteId}`)}>← {name}</a></p>
      <h1>New job on {name}</h1>
      <form class="card form" onSubmit={(e) => { e.preventDefault(); void submit.run(); }}>
        <label for="job-description">Description</label>
        <input id="job-description" value={description} required aria-invalid={badDescription ? 'true' : undefined}
          aria-describedby="job-description-help" onInput={(e) => setDescription(e.currentTarget.value)} />
        <p id="job-description-help" class="muted small">3 to 100 characters; shown in the job list and webhooks.</p>
        <label for="job-script">RouterOS script</label>
        <ScriptEditor id="job-script" value={script} onInput={setScript} describedBy="job-script-help" invalid={badScript} />
        <p id="job-script-help" class="muted small">
          Runs on the router as written, inside tikops' wrapper (the router claims it before running it and reports the
          outcome). Works on RouterOS v6 and v7.
        </p>
        <fieldset>
          <legend>Options</legend>
          <label class="check"><input type="checkbox" checked={needsAck} onChange={(e) => setNeedsAck(e.currentTarget.checked)} />
            {' '}Wait for the router to report success or failure</label>
          <label class="check"><input type="checkbox" checked={backup} onChange={(e) => setBackup(e.currentTarget.checked)} />
            {' '}Back up the configuration first (the script runs only if the backup is stored)</label>
          <label class="check"><input type="checkbox" checked={express} onChange={(e) => setExpress(e.currentTarget.checked)} />
            {' '}Express: ask the router to check in now (needs a management endpoint)</label>
          {ROLLBACK_SUPPORTED ? (
            <label>Roll back after (seconds)<input type="number" min={0} /></label>
          ) : null}
        </fieldset>
        {submit.error ? <ErrorBox error={submit.error} title="The job was not queued" /> : null}
        <div class="actions">
          <button type="submit" class="button primary" disabled={submit.pending}>{submit.pending ? 'Queuing…' : 'Queue job'}</button>
          <a class="button ghost" href={href(`/sites/${siteId}`)}>Cancel</a>
        </div>
      </form>
    </div>
  );
}
