import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRouterState, runScript, runSchedulerEvent, settle, type Host, type RouterState } from '../../sim/routeros/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { buildDashboard, launchBrowser, type Browser } from '../support/browser.js';
import { eventually, startWorker, type TestWorker } from '../support/worker.js';

// A staged rollout from the dashboard, in headless chromium, against the real API and worker, with
// two RouterOS-simulated routers (sim/routeros) adopted by a runbook's bootstrap command. The
// canary's script fails on the router, the rollout pauses by itself and the progress page shows it
// as it happens (GET /events/stream), then the operator resumes it and it completes. Any console
// error, uncaught exception, failed request or unexpected HTTP error fails the step.

const ORG = 'org-rollout-ui';
// Fails on branch-01 (the canary), runs on branch-02.
const SCRIPT = ':if ([/system identity get name] = "branch-01") do={ :error "simulated failure" }\n:put "dns cache on"';

let app: TestApp;
let worker: TestWorker;
let uiDir: string;
let browser: Browser;
let page: Page;
const routers = new Map<string, RouterState>();

const host: Host = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  async fetch(req) {
    const res = await fetch(req.url, { method: req.method, headers: req.headers, redirect: 'manual', ...(req.body === undefined ? {} : { body: req.body }) });
    return { status: res.status, body: await res.text() };
  },
};

const rolloutState = (p: Page): Promise<string | null> => p.getAttribute('[data-testid="rollout-state"] .badge', 'data-state');
const checkIn = (identity: string): Promise<unknown> => runSchedulerEvent('tikops-poll', routers.get(identity)!, host, { jobName: 'tikops-poll' });

beforeAll(async () => {
  uiDir = await buildDashboard();
  app = await startApp({ env: { UI_DIR: uiDir } });
  worker = await startWorker(app);
  // Two routers adopted with a runbook's bootstrap command, tagged `dns`.
  const runbook = await app.request('POST', '/runbook', { token: app.token(ORG), body: { name: 'Branches' } });
  for (const identity of ['branch-01', 'branch-02']) {
    const state = createRouterState({ identity, version: '7.16.2 (stable)' });
    // Two distinct devices (the hardware identity is what adoption recognises a router by).
    state.routerboard = { ...state.routerboard, 'serial-number': `SN-${identity}` };
    if (state.license) state.license = { ...state.license, 'software-id': `SW-${identity}` };
    await runScript(runbook.body.bootstrap_command, state, host);
    await settle(state);
    routers.set(identity, state);
  }
  const sites = (await app.request('GET', '/site', { token: app.token(ORG) })).body as { id: string }[];
  for (const s of sites) await app.request('PATCH', `/site/${s.id}`, { token: app.token(ORG), body: { tags: ['dns'] } });
  browser = await launchBrowser();
  page = await browser.newPage();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await app?.close();
  if (uiDir) rmSync(uiDir, { recursive: true, force: true });
});

afterEach(() => {
  expect(browser.problems).toEqual([]);
});

describe('a rollout in the dashboard', { timeout: 60_000 }, () => {
  it('signs in with a key that may run rollouts and lists none yet', async () => {
    const key = await app.request('POST', '/api-keys', { token: app.token(ORG), body: { name: 'release manager', scopes: ['sites:read', 'jobs:read', 'jobs:write', 'rollouts:write'] } });
    await page.goto(`${app.url}/ui/`);
    await page.fill('#credential', key.body.secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Rollouts' }).click();
    await page.getByRole('heading', { name: 'Rollouts', level: 1 }).waitFor();
    await page.getByText('No rollouts yet. Start one with “New rollout”.').waitFor();
  });

  it('shows the API error inline, then starts a rollout across a tag with a canary picked from the preview', async () => {
    await page.getByRole('link', { name: 'New rollout' }).click();
    await page.getByRole('heading', { name: 'New rollout' }).waitFor();
    await page.fill('#rollout-description', 'Enable DNS cache');
    await page.fill('#rollout-script', SCRIPT);
    await page.getByRole('button', { name: 'Start rollout' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/The rollout was not created.*site_ids, tags or query is required.*parameter_invalid/s);
    await expect(page.getAttribute('#rollout-tags', 'aria-invalid')).resolves.toBe('true');
    expect(await browser.expectHttpError('POST', /^\/rollouts$/, 400)).toHaveLength(1);

    await page.fill('#rollout-tags', 'dns');
    await page.getByTestId('rollout-preview').getByText('2 sites').waitFor();
    await page.getByLabel('Canary: branch-01').check();
    await page.fill('#rollout-batch-size', '1');
    await page.fill('#rollout-interval', '0');
    await browser.screenshot(page, 'rollout-new');
    await page.getByRole('button', { name: 'Start rollout' }).click();
    await page.getByRole('heading', { name: 'Enable DNS cache', level: 1 }).waitFor();
    expect(await rolloutState(page)).toBe('running');
    // The canary alone is dispatched; the page follows the stream, not a timer.
    await page.getByTestId('rollout-live').getByText('Live: updates as its jobs move.').waitFor();
    const table = page.getByTestId('targets-table');
    await eventually(async () => /canary\s*canaries\s*…\s*Queued.*—\s*·\s*Pending/s.test((await table.textContent()) ?? ''), 10_000);
  });

  it('pauses by itself when the canary fails on its router, and says why', async () => {
    await checkIn('branch-01');
    await eventually(async () => (await rolloutState(page)) === 'paused', 15_000);
    await expect(page.getByTestId('pause-reason').textContent()).resolves.toContain('Paused: a canary failed');
    await expect(page.getByTestId('rollout-counts').textContent()).resolves.toMatch(/Pending\s*1.*Failed\s*1/s);
    await expect(page.getByTestId('targets-table').textContent()).resolves.toMatch(/canaries.*Failed/s);
    // Paused: resume and cancel are offered, pause is not; no approve button for this key.
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    await expect(page.getByRole('button', { name: 'Pause' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Approve' }).count()).resolves.toBe(0);
    await browser.screenshot(page, 'rollout-paused');
    await page.setViewportSize({ width: 390, height: 844 });
    await browser.screenshot(page, 'rollout-paused-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("opens the canary's failed job from the targets table", async () => {
    await page.getByTestId('targets-table').getByRole('link', { name: 'open job' }).click();
    await page.getByTestId('job-error').getByText('simulated failure').waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: 'Enable DNS cache', level: 1 }).waitFor();
  });

  it('resumes: the next batch goes to the other router, which runs it, and the rollout completes', async () => {
    await page.getByRole('button', { name: 'Resume' }).click();
    await eventually(async () => /Queued\s*1/.test((await page.getByTestId('rollout-counts').textContent()) ?? ''), 15_000);
    await checkIn('branch-02');
    await eventually(async () => (await rolloutState(page)) === 'completed', 15_000);
    await expect(page.getByTestId('rollout-counts').textContent()).resolves.toMatch(/Completed\s*1.*Failed\s*1/s);
    await expect(page.getByRole('button', { name: /Resume|Pause|Cancel rollout/ }).count()).resolves.toBe(0);
    await browser.screenshot(page, 'rollout-completed');
    await page.getByRole('link', { name: '← Rollouts' }).click();
    const row = page.getByRole('row', { name: /Enable DNS cache/ });
    await expect(row.textContent()).resolves.toMatch(/Completed.*2 of 2 settled · 1 failed/s);
    await browser.screenshot(page, 'rollouts');
  });

  it('cancels a rollout still waiting for its canary', async () => {
    const sites = (await app.request('GET', '/site?q=branch-02', { token: app.token(ORG) })).body as { id: string }[];
    await page.getByRole('link', { name: 'New rollout' }).click();
    await page.fill('#rollout-description', 'Second change');
    await page.fill('#rollout-script', ':put "second"');
    await page.fill('#rollout-tags', 'dns');
    await page.getByLabel('Canary: branch-02').check();
    await page.getByRole('button', { name: 'Start rollout' }).click();
    await page.getByRole('heading', { name: 'Second change', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Cancel rollout…' }).click();
    await page.getByRole('button', { name: 'Cancel rollout', exact: true }).click();
    await eventually(async () => (await rolloutState(page)) === 'cancelled', 10_000);
    await expect(page.getByTestId('rollout-counts').textContent()).resolves.toMatch(/Cancelled\s*2/);
    // The canary's job was still queued: it is cancelled with the rollout, so its router gets nothing.
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const [canary] = (await app.request('GET', `/rollouts/${id}/targets`, { token: app.token(ORG) })).body as { site_id: string; job_id: string }[];
    expect(canary!.site_id).toBe(sites[0]!.id);
    const job = await app.request('GET', `/site/${canary!.site_id}/job/${canary!.job_id}`, { token: app.token(ORG) });
    expect(job.body.status).toBe('cancelled');
  });

  it('signs out, which closes the event stream without a failed request', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to tikops' }).waitFor();
    await eventually(() => Promise.resolve(app.deps.events.listeners() === 0), 10_000);
  });
});
