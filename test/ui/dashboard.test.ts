import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/db/sql.js';
import { drainSamples } from '../../src/fleet/samples.service.js';
import { createRouterState, runScript, runSchedulerEvent, settle, type Host, type RouterState } from '../../sim/routeros/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { buildDashboard, launchBrowser, SCREENSHOTS, type Browser } from '../support/browser.js';
import { eventually } from '../support/worker.js';

// The operator dashboard in a real browser (headless chromium) against the real API, with a
// RouterOS-simulated router (sim/routeros) that is onboarded with the command the operator copies
// and then really runs the job the operator queues. Steps run in order, as one operator session.
// Any console error, uncaught exception, failed request or unexpected HTTP error fails the step.

const ORG = 'org-dashboard';
const BIG_ORG = 'org-ten-thousand';
const SCRIPT = '/ip address add address=192.168.99.1/24 interface=ether2 comment="guest"\n:put "guest address added"';

let app: TestApp;
let uiDir: string;
let browser: Browser;
let page: Page;
let copiedCommand = '';
/** The API key the operator signs in with (created like `npm run tikops -- keys create` would). */
let key: { id: string; secret: string };
const router: { state: RouterState; gate: Promise<void> | null } = {
  state: createRouterState({ identity: 'branch-01', version: '7.16.2 (stable)' }),
  gate: null,
};

/** The router's network: real HTTP to the test API (redirects not followed, like /tool fetch); a `busy` claim waits while `router.gate` is closed. */
const host: Host = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  async fetch(req) {
    if (router.gate && /\/update\?.*status=busy/.test(req.url)) await router.gate;
    const res = await fetch(req.url, { method: req.method, headers: req.headers, redirect: 'manual', ...(req.body === undefined ? {} : { body: req.body }) });
    return { status: res.status, body: await res.text() };
  },
};

const status = (p: Page): Promise<string | null> => p.getAttribute('[data-testid="job-status"] .badge', 'data-status');

beforeAll(async () => {
  uiDir = await buildDashboard();
  // The management form sets a CGNAT (VPN) address, which a deployment opts in to.
  app = await startApp({ env: { UI_DIR: uiDir, MANAGEMENT_ALLOWLIST: '100.64.0.0/10' } });
  browser = await launchBrowser();
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
  page = await browser.newPage();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (uiDir) rmSync(uiDir, { recursive: true, force: true });
  console.log(`dashboard screenshots: ${SCREENSHOTS}`);
});

afterEach(() => {
  expect(browser.problems).toEqual([]);
});

describe('the operator dashboard in chromium', { timeout: 60_000 }, () => {
  it('asks for an API key, explains a refused one, and signs in with a valid one into an httpOnly session cookie', async () => {
    await page.goto(`${app.url}/ui/`);
    await page.getByRole('heading', { name: 'Sign in to tikops' }).waitFor();
    await page.fill('#credential', 'not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Sign-in failed.*token_invalid/s);
    expect(await browser.expectHttpError('POST', /^\/session$/, 401)).toHaveLength(1);
    await browser.screenshot(page, '01-sign-in-refused');

    const made = await app.request('POST', '/api-keys', { token: app.token(ORG), body: { name: 'dashboard', scopes: ['sites:read', 'sites:write', 'jobs:read', 'jobs:write', 'backups:read', 'backups:write', 'keys:admin', 'audit:read'] } });
    key = made.body;
    await page.fill('#credential', key.secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
    await page.getByText('No routers yet.').waitFor();
    const [cookie] = await browser.context.cookies(app.url);
    expect(cookie).toMatchObject({ name: 'tikops_session', httpOnly: true, sameSite: 'Strict', path: '/' });
    // The page keeps no credential of its own: only the cookie (which scripts cannot read) and the CSRF token.
    const stored = String(await page.evaluate('JSON.stringify({ ...sessionStorage }) + document.cookie'));
    expect(stored).not.toContain(key.secret);
    expect(stored).not.toContain(cookie!.value);
    await browser.screenshot(page, '02-fleet-empty');
  });

  it('creates a runbook and copies its one-line bootstrap command', async () => {
    await page.getByRole('link', { name: 'Runbooks' }).click();
    await page.fill('#runbook-name', 'Branch routers');
    await page.getByRole('button', { name: 'Create runbook' }).click();
    await page.getByText('Runbook Branch routers created').waitFor();
    await page.getByRole('button', { name: 'Copy command' }).first().click();
    await page.getByText('Copied to the clipboard').waitFor();
    copiedCommand = String(await page.evaluate('navigator.clipboard.readText()'));
    expect(copiedCommand).toMatch(/^\/tool fetch url="http:\/\/127\.0\.0\.1:\d+\/bootstrap\/[0-9A-Za-z]{22}"/);
    await browser.screenshot(page, '03-runbooks');
  });

  it('shows the router adopted with that command in the fleet, online', async () => {
    await runScript(copiedCommand, router.state, host);
    // The installer's first check-in runs in the background (:execute): let it finish.
    await settle(router.state);
    await drainSamples(app.deps);
    await page.getByRole('link', { name: 'Fleet' }).click();
    const row = page.getByRole('row', { name: /branch-01/ });
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/Online.*last seen (just now|\d+ s ago).*7\.16\.2/s);
    await browser.screenshot(page, '04-fleet');
    await page.setViewportSize({ width: 390, height: 844 });
    await browser.screenshot(page, '05-fleet-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('opens the site with its facts, 24-hour availability and heartbeat chart', async () => {
    // A day of heartbeats every 30 s, as the sample drain would have written them.
    await app.deps.sql.rows(sql`
      INSERT INTO site_sample (site_id, at, cpu_load, memory_free, disk_free, uptime)
      SELECT s.id, now() - i * interval '30 seconds', 5 + (i % 97) / 4, 800000000 - (i % 400) * 100000, 900000000, 90000 - i * 30
      FROM site s, generate_series(1, 2879) i WHERE s.org_id = ${ORG} ON CONFLICT DO NOTHING`);
    await page.getByRole('link', { name: 'branch-01' }).click();
    await page.getByRole('heading', { name: 'branch-01', level: 1 }).waitFor();
    await page.getByText(/% available over the last 24 h/).waitFor();
    await page.locator('.chart canvas').first().waitFor();
    await page.getByText(/2,880 heartbeats; latest/).waitFor();
    await page.getByText('Not configured: express execute is off').waitFor();
    await expect(page.locator('.facts').first().textContent()).resolves.toContain('7.16.2 (stable)');
    // The management endpoint is absent, which the API answers with a 404 the page explains.
    expect(await browser.expectHttpError('GET', /\/management$/, 404)).toHaveLength(1);
    await browser.screenshot(page, '06-site');
  });

  it('queues a job, shows the API error inline, and follows the job to completed as the router runs it', async () => {
    await page.getByRole('link', { name: 'New job' }).first().click();
    await page.getByRole('heading', { name: 'New job on branch-01' }).waitFor();
    await page.fill('#job-description', 'ab');
    await page.fill('#job-script', SCRIPT);
    await page.getByRole('button', { name: 'Queue job' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/The job was not queued.*x-description.*parameter_invalid/is);
    await expect(page.getAttribute('#job-description', 'aria-invalid')).resolves.toBe('true');
    expect(await browser.expectHttpError('POST', /\/job$/, 400)).toHaveLength(1);
    await browser.screenshot(page, '07-new-job-error');

    await page.fill('#job-description', 'Add guest address');
    // Backed up first: that export (without the guest address) is the older side of the diff below.
    await page.getByLabel(/Back up the configuration first/).check();
    await page.getByRole('button', { name: 'Queue job' }).click();
    await page.getByRole('heading', { name: 'Add guest address' }).waitFor();
    expect(await status(page)).toBe('queued');
    await browser.screenshot(page, '08-job-queued');

    let open = (): void => undefined;
    router.gate = new Promise((r) => (open = r));
    const run = runSchedulerEvent('tikops-poll', router.state, host, { jobName: 'tikops-poll' });
    await eventually(async () => (await status(page)) === 'delivered', 15_000);
    await browser.screenshot(page, '09-job-delivered');
    open();
    router.gate = null;
    await run;
    await eventually(async () => (await status(page)) === 'completed', 15_000);
    expect(router.state.ipAddresses.map((a) => a.address)).toContain('192.168.99.1/24');
    // The page reads the events once more when the job settles.
    const order = /Queued.*Delivered to the router.*Claimed and running on the router.*Pre-job backup stored.*Completed/s;
    await eventually(async () => order.test((await page.locator('.timeline').textContent()) ?? ''), 10_000);
    await browser.screenshot(page, '10-job-completed');
  });

  it("reads the job's output as the router printed it", async () => {
    const output = page.getByTestId('job-output');
    await expect(output.textContent()).resolves.toBe('guest address added\n');
    await expect(page.getByTestId('job-error').count()).resolves.toBe(0);
    await expect(page.locator('section', { hasText: 'Output' }).first().textContent()).resolves.not.toContain('Truncated');
    await output.scrollIntoViewIfNeeded();
    await browser.screenshot(page, '10b-job-output');
  });

  it('lists the job on its site, newest first, with its final status', async () => {
    await page.getByRole('link', { name: '← branch-01' }).click();
    const first = page.locator('section', { hasText: 'Jobs' }).locator('tbody tr').first();
    await first.waitFor();
    await expect(first.textContent()).resolves.toMatch(/Completed.*Add guest address/s);
    expect(await browser.expectHttpError('GET', /\/management$/, 404)).toHaveLength(1);
  });

  it('diffs a backup with the previous one', async () => {
    // A second job with a backup first: its export has the guest address the first job added.
    const siteId = (await app.request('GET', '/site', { token: app.token(ORG) })).body[0].id as string;
    const queued = await app.request('POST', `/api/asynchronous/${siteId}`, {
      token: app.token(ORG),
      body: { description: 'Print identity', script: ':put [/system identity get name]', make_backup: true, needs_acknowledgement: true },
    });
    expect(queued.status, queued.text).toBeLessThan(300);
    await runSchedulerEvent('tikops-poll', router.state, host, { jobName: 'tikops-poll' });
    // The site page shows the new backup once read again.
    await page.reload();
    await page.getByRole('heading', { name: 'branch-01', level: 1 }).waitFor();
    expect(await browser.expectHttpError('GET', /\/management$/, 404)).toHaveLength(1);
    const backups = page.locator('section', { has: page.getByRole('heading', { name: 'Backups' }) });
    await backups.locator('tbody tr').nth(1).waitFor();
    await expect(backups.locator('tbody tr').count()).resolves.toBe(2);
    await backups.getByRole('button', { name: /^Diff with previous/ }).click();
    const diff = page.getByTestId('backup-diff');
    await diff.waitFor();
    const added = await diff.locator('.diff-add').allTextContents();
    expect(added.some((l) => l.startsWith('+') && l.includes('192.168.99.1/24'))).toBe(true);
    await expect(diff.textContent()).resolves.toMatch(/\d+ lines? added/);
    await diff.scrollIntoViewIfNeeded();
    await browser.screenshot(page, '11c-backup-diff');
  });

  it('adds and deletes a backup schedule of the site, with the API refusing a too-frequent one inline', async () => {
    const schedules = page.locator('#schedules');
    await schedules.getByText('No schedule backs up this site.').waitFor();
    await schedules.getByLabel('Time zone').fill('UTC');
    await schedules.getByLabel('Cron pattern').fill('* * * * *');
    await schedules.getByRole('button', { name: 'Add schedule' }).click();
    await expect(schedules.getByRole('alert').textContent()).resolves.toMatch(/Schedule not added.*parameter_invalid/s);
    expect(await browser.expectHttpError('POST', /^\/backup-schedules$/, 400)).toHaveLength(1);
    await schedules.getByLabel('Cron pattern').fill('0 3 * * *');
    await schedules.getByRole('button', { name: 'Add schedule' }).click();
    await schedules.getByText(/Next in \d+ (s|min|h)/).waitFor();
    await expect(schedules.textContent()).resolves.toContain('0 3 * * *');
    await schedules.getByRole('button', { name: 'Delete…' }).click();
    await schedules.getByRole('button', { name: 'Delete schedule' }).click();
    await schedules.getByText('No schedule backs up this site.').waitFor();
  });

  it('saves a management endpoint and rotates the device token only after a confirmation', async () => {
    const mgmt = page.locator('#management');
    await mgmt.getByLabel('Address').fill('100.64.12.7');
    await mgmt.getByLabel('User').fill('tikops-express');
    await mgmt.getByLabel('Password').fill('s3cret');
    await mgmt.getByRole('button', { name: 'Save endpoint' }).click();
    await mgmt.getByText('Express execute reaches this router at https://100.64.12.7:443').waitFor();
    await expect(mgmt.getByLabel('Password').inputValue()).resolves.toBe('');

    await page.getByRole('button', { name: 'Rotate token…' }).click();
    // Nothing happens until the second, explicit click; the confirm button takes the focus.
    await eventually(async () => (await page.evaluate('document.activeElement.textContent')) === 'Rotate now', 5_000);
    await page.getByRole('button', { name: 'Rotate now' }).click();
    const token = await page.getByTestId('device-token').textContent();
    expect(token).toMatch(/^\S{20,}$/);
    // The token the router's agent holds (src/adoption/agent.ts puts it in the poll script) is refused now.
    const held = /Authorization: Bearer ([^,"]+),/.exec(router.state.scripts.map((x) => x.source).join('\n'))?.[1];
    expect(held).toBeTruthy();
    expect(held).not.toBe(token);
    const refused = await fetch(`${app.url}/poll`, { method: 'POST', headers: { authorization: `Bearer ${held}` }, body: 'uptime=1s' });
    expect(refused.status).toBe(401);
    const accepted = await fetch(`${app.url}/poll`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: 'uptime=1s' });
    expect(accepted.status).toBe(200);
    await browser.screenshot(page, '11-site-after-changes');
  });

  it('tags the site and finds it in the fleet by its tag', async () => {
    await page.fill('#new-tag', 'branch-eu');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await page.getByTestId('site-tags').getByRole('link', { name: 'branch-eu' }).waitFor();
    // A tag the API refuses (a comma) is explained inline, in the API's words.
    await page.fill('#new-tag', 'a,b');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Tags not saved.*parameter_invalid/s);
    expect(await browser.expectHttpError('PATCH', /^\/site\/[^/]+$/, 400)).toHaveLength(1);
    await page.fill('#new-tag', '');

    await page.getByRole('link', { name: 'Fleet', exact: true }).click();
    await page.getByRole('row', { name: /branch-01/ }).waitFor();
    await page.getByLabel('Tag', { exact: true }).fill('no-such-tag');
    await page.getByText('No site matches these filters.').waitFor();
    await page.getByLabel('Tag', { exact: true }).fill('branch-eu');
    const row = page.getByRole('row', { name: /branch-01/ });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('branch-eu');
    expect(new URL(page.url()).searchParams.get('tag')).toBe('branch-eu');
    await browser.screenshot(page, '11b-fleet-by-tag');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL(/\/ui\/$/);
    await page.getByRole('link', { name: 'branch-01' }).click();
    await page.getByRole('heading', { name: 'branch-01', level: 1 }).waitFor();
  });

  it('keeps the session over a reload, and can be used from the keyboard with visible focus', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'branch-01', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Fleet', exact: true }).click();
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
    await page.reload();
    await page.getByRole('row', { name: /branch-01/ }).waitFor();
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect(page.evaluate('document.activeElement.id')).resolves.toBe('main');
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Refresh');
    const outline = String(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle'));
    expect(outline).toBe('solid');
  });

  it('creates an API key, shows its secret once, and revokes it', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await page.fill('#key-name', 'ci read-only');
    // Expires in two days, given in the browser's local time (datetime-local has no zone).
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000 + 60_000);
    const local = new Date(inTwoDays.getTime() - inTwoDays.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.fill('#key-expires', local);
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = String(await page.getByTestId('new-key-secret').textContent());
    expect(secret).toMatch(/^tko_/);
    const made = page.getByRole('row', { name: /ci read-only/ });
    await made.waitFor();
    await expect(made.textContent()).resolves.toMatch(/Active.*audit:read, backups:read, jobs:read, sites:read|Active.*sites:read/s);
    await expect(made.textContent()).resolves.toMatch(/expires in (1|2) d/);
    const stored = (await app.request('GET', '/api-keys', { token: app.token(ORG) })).body.find((k: { name: string }) => k.name === 'ci read-only');
    expect(Math.abs(Date.parse(stored.expires_at) - inTwoDays.getTime())).toBeLessThan(60_000);
    await browser.screenshot(page, '12a-api-keys-created');
    // The new key works, until it is revoked here.
    expect((await fetch(`${app.url}/site`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
    await made.getByRole('button', { name: 'Revoke…' }).click();
    await made.getByRole('button', { name: 'Revoke ci read-only' }).click();
    await eventually(async () => (await made.textContent())?.includes('Revoked') ?? false, 5_000);
    expect((await fetch(`${app.url}/site`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
    // Leaving the page drops the secret: it is never shown again.
    await page.reload();
    await page.getByRole('row', { name: /ci read-only/ }).waitFor();
    await expect(page.getByTestId('new-key').count()).resolves.toBe(0);
  });

  it('lists the actions taken in the audit log, filterable by action', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    const table = page.getByTestId('audit-table');
    await table.waitFor();
    const text = String(await table.textContent());
    for (const action of ['runbook.create', 'site.management.set', 'site.rotate_token', 'site.update', 'api_key.create', 'api_key.revoke']) {
      expect(text).toContain(action);
    }
    await browser.screenshot(page, '12b-audit');
    await page.getByLabel('Action', { exact: true }).fill('site.update');
    await page.getByRole('button', { name: 'Filter' }).click();
    await eventually(async () => {
      const actions = await table.locator('tbody tr td:nth-child(2)').allTextContents();
      return actions.length > 0 && actions.every((a) => a === 'site.update');
    }, 5_000);
  });

  it("ends the session when its own API key is revoked from the keys page", async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    const own = page.getByRole('row', { name: /this session/ });
    await own.waitFor();
    await own.getByRole('button', { name: 'Revoke…' }).click();
    await expect(own.textContent()).resolves.toContain('revoking it signs you out');
    await own.getByRole('button', { name: /^Revoke dashboard$/ }).click();
    await page.getByRole('heading', { name: 'Sign in to tikops' }).waitFor();
    await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/You were signed out: The session has ended/);
    expect(await browser.expectHttpError('GET', /^\/api-keys$/, 401)).toHaveLength(1);
    expect((await app.request('GET', '/api-keys', { token: app.token(ORG) })).body.find((k: { id: string }) => k.id === key.id).revoked_at).not.toBeNull();
    await browser.screenshot(page, '13-signed-out-key-revoked');
  });
});

describe('the fleet page against 10,000 sites', { timeout: 60_000 }, () => {
  it('renders one page of the fleet, filtered by the API, and reports the load times', async () => {
    // Every 100th site is tagged pop-<n>: a tag names 100 sites; every 7th has an open outage.
    await app.deps.sql.rows(sql`
      INSERT INTO site (id, org_id, name, identity, model, software_version, serial_number, tags, created_at, updated_at)
      SELECT gen_random_uuid(), ${BIG_ORG}, 'site-' || lpad(i::text, 5, '0'), 'router-' || i, 'RB5009UG+S+',
             CASE WHEN i % 3 = 0 THEN '6.49.10 (long-term)' ELSE '7.16.2 (stable)' END, 'SN' || i,
             ARRAY['pop-' || (i % 100), CASE WHEN i % 2 = 0 THEN 'even' ELSE 'odd' END], now(), now()
      FROM generate_series(1, 10000) i`);
    const measure = async (org: string, route: string, rows: number): Promise<{ ms: number; api: { ms: number; kib: number }; page: Page }> => {
      const p = await browser.newPage();
      // Signed in as that organisation before the page loads: the session cookie is the browser's,
      // and the new tab asks GET /session for it.
      const signedIn = await p.request.post(`${app.url}/session`, { data: { credential: app.token(org) } });
      expect(signedIn.status()).toBe(201);
      const t0 = Date.now();
      await p.goto(`${app.url}/ui${route}`);
      await p.locator('table tbody tr').nth(rows - 1).waitFor();
      const ms = Date.now() - t0;
      // Resource Timing of the page's GET /site (code that runs in the page, hence a string).
      const api = await p.evaluate<{ ms: number; kib: number }>(`(() => {
        const e = performance.getEntriesByType('resource').find((r) => new URL(r.name).pathname === '/site');
        return { ms: Math.round(e.duration), kib: Math.round(e.encodedBodySize / 1024) };
      })()`);
      expect(await p.locator('table tbody tr').count()).toBe(rows);
      return { ms, api, page: p };
    };
    const small = await measure(ORG, '/', 1);
    await small.page.close();
    const big = await measure(BIG_ORG, '/', 50);
    await big.page.getByText('1–50 of 10,000 sites').waitFor();
    await expect(big.page.getByTestId('fleet-summary').textContent()).resolves.toMatch(/10,000 sites.*Offline 10,000.*7\.16\.2 \(stable\) \(6,667\).*6\.49\.10 \(long-term\) \(3,333\)/s);
    await browser.screenshot(big.page, '12-fleet-10000-sites');
    // The next page comes from the API's cursor, not from rows the browser already holds.
    await big.page.getByRole('button', { name: 'Next →' }).click();
    await big.page.getByText('51–100 of 10,000 sites').waitFor();
    await big.page.close();
    const tagged = await measure(BIG_ORG, '/?tag=pop-7&version=6.49.10', 33);
    const names = await tagged.page.locator('table tbody tr td:first-child').allTextContents();
    expect(names.every((n) => Number(n.slice(5)) % 100 === 7 && Number(n.slice(5)) % 3 === 0)).toBe(true);
    await browser.screenshot(tagged.page, '12c-fleet-10000-by-tag');
    await tagged.page.close();
    console.log(
      [
        'fleet page load (navigation to first rows rendered, headless chromium, this machine):',
        `  1 site:                  ${small.ms} ms (GET /site ${small.api.ms} ms, ${small.api.kib} KiB)`,
        `  10,000 sites:            ${big.ms} ms (GET /site ${big.api.ms} ms, ${big.api.kib} KiB); ${(big.ms / small.ms).toFixed(1)}x the 1-site page`,
        `  10,000 sites, tag+version filter: ${tagged.ms} ms (GET /site ${tagged.api.ms} ms, ${tagged.api.kib} KiB)`,
      ].join('\n'),
    );
    // The budget is 1 s on this machine (printed above). What the test holds is relative,
    // measured side by side in this run: a 10,000-site fleet's page costs about what a 1-site
    // fleet's does (one page of rows either way); reading or rendering the whole fleet would not.
    expect(big.ms).toBeLessThan(small.ms * 5);
    expect(tagged.ms).toBeLessThan(small.ms * 5);
  });
});
