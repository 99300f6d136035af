import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { approveReadoption, getSite } from '../api/endpoints';
import * as session from '../api/session';
import type { Site } from '../api/types';
import { ConfirmButton } from '../components/controls';
import { ErrorBox, Loading, Section } from '../components/feedback';
import { RelTime, SiteStatus } from '../components/status';
import { useAction, useAsync } from '../lib/hooks';
import { href } from '../lib/router';
import { useTitle } from '../lib/title';
import { SiteBackups } from './site/backups';
import { SiteHealth } from './site/health';
import { SiteJobs } from './site/jobs';
import { SiteManagement } from './site/management';
import { SiteSchedules } from './site/schedules';
import { SiteTags } from './site/tags';
import { SiteToken } from './site/token';

function Fact({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="fact">
      <dt>{label}</dt>
      <dd>{children ?? <span class="muted">—</span>}</dd>
    </div>
  );
}

function Facts({ site, onChange }: { site: Site; onChange: (s: Site) => void }) {
  return (
    <Section title="Facts">
      <dl class="facts">
        <Fact label="Status"><SiteStatus site={site} /></Fact>
        <Fact label="Identity">{site.identity}</Fact>
        <Fact label="Model">{site.model}</Fact>
        <Fact label="Board">{site.board_name}</Fact>
        <Fact label="RouterOS">{site.software_version}</Fact>
        <Fact label="Architecture">{site.architecture_name}</Fact>
        <Fact label="Serial number">{site.serial_number}</Fact>
        <Fact label="Software ID">{site.software_id}</Fact>
        <Fact label="Last seen from">{site.last_seen_from}</Fact>
        <Fact label="Created"><RelTime iso={site.created_at} /></Fact>
        <Fact label="Site ID"><code class="small">{site.id}</code></Fact>
      </dl>
      <h3 class="subhead">Tags</h3>
      <SiteTags site={site} onChange={onChange} />
    </Section>
  );
}

// A refused re-adoption (the router had no current device token): approving it lets the next
// adoption within the hour proceed (POST /site/{id}/approve-readoption, docs/onboarding.md).
function Readoption({ site }: { site: Site }) {
  const [state, setState] = useState(site.readoption);
  const approve = useAction(async () => setState((await approveReadoption(site.id)).readoption));
  if (!state) return null;
  return (
    <div class="notice" role="status">
      {state.state === 'approved' && state.approved_until ? (
        <p>Re-adoption approved: the next adoption of this router before <RelTime iso={state.approved_until} /> proceeds.</p>
      ) : (
        <p>
          A router asked to be adopted as this site <RelTime iso={state.requested_at} />
          {state.requested_from ? ` from ${state.requested_from}` : ''} without the site's device token, and was refused.
          If this router was reset, approve it and paste the bootstrap command again; if not, revoke the runbook.
        </p>
      )}
      {approve.error ? <ErrorBox error={approve.error} title="Not approved" /> : null}
      {state.state === 'pending' ? (
        <ConfirmButton
          label="Approve re-adoption…"
          confirmLabel="Approve"
          question="The next adoption within an hour takes over this site and its queued jobs. Approve?"
          onConfirm={() => void approve.run()}
          disabled={approve.pending}
        />
      ) : null}
    </div>
  );
}

export function SitePage({ siteId }: { siteId: string }) {
  const { result } = useAsync(() => getSite(siteId), [siteId]);
  // The site as last read or changed here (a tag edit answers with the updated site).
  const [edited, setEdited] = useState<Site | null>(null);
  useEffect(() => setEdited(null), [result.data]);
  const site = edited ?? result.data;
  useTitle(site?.name ?? 'Site');
  if (!site) {
    return (
      <div>
        <p><a href={href('/')}>← Fleet</a></p>
        {result.state === 'error' ? <ErrorBox error={result.error} title="Could not load the site" /> : <Loading what="the site" />}
      </div>
    );
  }
  const deleting = site.deleted_at !== null;
  return (
    <div>
      <p><a href={href('/')}>← Fleet</a></p>
      <div class="page-head">
        <h1>{site.name}</h1>
        {deleting || !session.can('jobs:write') ? null : (
          <a class="button primary" href={href(`/sites/${site.id}/jobs/new`)}>New job</a>
        )}
      </div>
      {deleting ? (
        <p class="notice" role="status">
          This site is being deleted (since <RelTime iso={site.deleted_at} />); it is purged when the router confirms, or{' '}
          <RelTime iso={site.purge_at} /> at the latest. It takes no new jobs.
        </p>
      ) : null}
      <Readoption site={site} />
      <div class="grid">
        <Facts site={site} onChange={setEdited} />
        <SiteHealth siteId={site.id} />
      </div>
      {session.can('jobs:read') ? <SiteJobs siteId={site.id} /> : null}
      {session.can('backups:read') ? <SiteBackups siteId={site.id} /> : null}
      {session.can('backups:read') ? <SiteSchedules site={site} /> : null}
      <div class="grid">
        <SiteManagement siteId={site.id} />
        <SiteToken siteId={site.id} />
      </div>
    </div>
  );
}
