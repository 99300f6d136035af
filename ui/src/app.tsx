import { useEffect, useRef, useState } from 'preact/hooks';
import * as session from './api/session';
import { href, match, useRoute } from './lib/router';
import { AuditPage } from './pages/audit';
import { FleetPage } from './pages/fleet';
import { JobPage } from './pages/job';
import { KeysPage } from './pages/keys';
import { NewJobPage } from './pages/new-job';
import { RolloutsPage } from './pages/rollouts/list';
import { NewRolloutPage } from './pages/rollouts/new';
import { RolloutPage } from './pages/rollouts/progress';
import { RunbooksPage } from './pages/runbooks';
import { SignInPage } from './pages/sign-in';
import { SitePage } from './pages/site';

// The shell: sign-in gate, header navigation, and the route table.

function Routes({ path }: { path: string }) {
  let m: Record<string, string> | null;
  if (match('/', path)) return <FleetPage />;
  if (match('/runbooks', path)) return <RunbooksPage />;
  if (match('/rollouts', path)) return <RolloutsPage />;
  if (match('/rollouts/new', path)) return <NewRolloutPage />;
  if ((m = match('/rollouts/:rolloutId', path))) return <RolloutPage key={m.rolloutId} rolloutId={m.rolloutId as string} />;
  if (match('/audit', path)) return <AuditPage />;
  if (match('/keys', path)) return <KeysPage />;
  if ((m = match('/sites/:siteId/jobs/new', path))) return <NewJobPage siteId={m.siteId as string} />;
  if ((m = match('/sites/:siteId/jobs/:jobId', path))) return <JobPage siteId={m.siteId as string} jobId={m.jobId as string} />;
  if ((m = match('/sites/:siteId', path))) return <SitePage key={m.siteId} siteId={m.siteId as string} />;
  return (
    <div>
      <h1>Page not found</h1>
      <p>
        There is no dashboard page at this address. <a href={href('/')}>Go to the fleet</a>.
      </p>
    </div>
  );
}

export function App() {
  const { path } = useRoute();
  const [signedIn, setSignedIn] = useState(session.isSignedIn());
  const [reason, setReason] = useState<string | null>(null);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  useEffect(
    () =>
      session.onSessionChange((why) => {
        setSignedIn(session.isSignedIn());
        setReason(why);
      }),
    [],
  );
  // After a navigation, move focus to the new page so keyboard and screen-reader users start there.
  useEffect(() => {
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [path]);

  if (!signedIn) return <SignInPage reason={reason} />;
  const nav = (to: string, label: string, active: boolean) => (
    <a href={href(to)} class="nav-link" aria-current={active ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a href={href('/')} class="brand">
          tikops
        </a>
        <nav aria-label="Main">
          {nav('/', 'Fleet', path === '/' || path.startsWith('/sites'))}
          {session.can('jobs:read') ? nav('/rollouts', 'Rollouts', path.startsWith('/rollouts')) : null}
          {session.can('sites:read') ? nav('/runbooks', 'Runbooks', path.startsWith('/runbooks')) : null}
          {session.can('audit:read') ? nav('/audit', 'Audit log', path.startsWith('/audit')) : null}
          {session.can('keys:admin') ? nav('/keys', 'API keys', path.startsWith('/keys')) : null}
        </nav>
        <button type="button" class="button ghost" onClick={() => session.signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Routes path={path} />
      </main>
    </>
  );
}
