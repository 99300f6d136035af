import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { eventually } from './worker.js';

// Browser tests: Debian's chromium driven by playwright-core (Playwright's own browser download
// does not work offline), over the dashboard built fresh from ui/ for this run.

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = resolve('test-results', 'screenshots');

/** Builds ui/ into a temporary folder (what `npm run build` puts in dist/ui) and returns it. */
export async function buildDashboard(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'tikops-ui-build-'));
  await build({ configFile: resolve('ui/vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

export interface Problem {
  kind: 'console' | 'pageerror' | 'requestfailed' | 'http';
  text: string;
  url: string;
}

export interface Browser {
  context: BrowserContext;
  /** Console errors, uncaught exceptions, failed requests and HTTP errors seen so far. */
  problems: Problem[];
  /**
   * Waits for `count` HTTP errors matching `method path-regex status` (and chromium's console line
   * for each), removes them from `problems` and returns them: the errors a step expects.
   */
  expectHttpError(method: string, path: RegExp, status: number, count?: number): Promise<Problem[]>;
  newPage(width?: number, height?: number): Promise<Page>;
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/** Launches headless chromium with a fresh profile; watches every page for problems. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does) or set CHROMIUM_PATH`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'tikops-chromium-'));
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Without the background-networking flags chromium keeps calling home on a network that is closed here.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const problems: Problem[] = [];
  const watch = (page: Page): void => {
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push({ kind: 'console', text: m.text(), url: m.location().url });
    });
    page.on('pageerror', (e) => problems.push({ kind: 'pageerror', text: e.stack ?? e.message, url: page.url() }));
    page.on('requestfailed', (r) => {
      // A reload or a navigation cancels the page's fetches still in flight: that is the browser
      // doing its job (net::ERR_ABORTED), not a request the API failed.
      if (r.failure()?.errorText === 'net::ERR_ABORTED') return;
      problems.push({ kind: 'requestfailed', text: `${r.method()} ${r.failure()?.errorText ?? ''}`, url: r.url() });
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push({ kind: 'http', text: `${r.request().method()} ${r.status()}`, url: r.url() });
    });
  };
  context.on('page', watch);
  for (const p of context.pages()) watch(p);

  return {
    context,
    problems,
    async expectHttpError(method, path, status, count = 1) {
      const find = (): { hits: Problem[]; logged: Problem[] } => {
        const hits = problems.filter((p) => p.kind === 'http' && p.text === `${method} ${status}` && path.test(new URL(p.url).pathname));
        // Chromium also logs each failed fetch as a console error naming its URL.
        const logged = problems.filter((p) => p.kind === 'console' && /Failed to load resource/.test(p.text) && hits.some((h) => h.url === p.url));
        return { hits, logged };
      };
      // Page events reach the test asynchronously: wait for them rather than racing the page.
      const found = await eventually(() => {
        const f = find();
        return Promise.resolve(f.hits.length >= count && f.logged.length >= count ? f : null);
      }, 5000).catch(() => find());
      for (const p of [...found.hits, ...found.logged]) problems.splice(problems.indexOf(p), 1);
      return found.hits;
    },
    async newPage(width = 1280, height = 800) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      return page;
    },
    async screenshot(page, name) {
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
