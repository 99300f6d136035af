import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/db/sql.js';
import type { FakeHost } from '../../sim/routeros/fake-host.js';
import { createRouterState, runScript } from '../../sim/routeros/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { buildJob, buildSite, poll, type BuiltSite } from '../factories.js';
import { appHost } from '../support/router-host.js';

// Job output and error text (issue 9, item 3), end to end: the wrapper /poll returns runs on the
// RouterOS simulator, whose /tool fetch calls reach this test's API over HTTP.

let app: TestApp;
let small: TestApp;
beforeAll(async () => {
  app = await startApp();
  small = await startApp({ env: { JOB_OUTPUT_MAX_BYTES: '16' } });
});
afterAll(async () => {
  await small.close();
  await app.close();
});

/** A site that reported `version`, one job with `script`, run on a simulated router of that version. */
async function runOn(a: TestApp, version: string, script: string): Promise<{ site: BuiltSite; job: any; host: FakeHost; wrapper: string }> {
  const site = await buildSite(a, 'org-output');
  await a.deps.sql.rows(sql`UPDATE site SET software_version = ${version} WHERE id = ${site.id}::uuid`);
  const created = await buildJob(a, site, { script });
  const wrapper = await poll(a, site);
  const host = appHost();
  await runScript(wrapper, createRouterState({ version }), host, { v6: version.startsWith('6.') });
  const job = (await a.request('GET', `/site/${site.id}/job/${created.id}`, { token: site.auth })).body;
  return { site, job, host, wrapper };
}

const methods = (h: FakeHost): string[] => h.requests.map((r) => `${r.method.toUpperCase()} ${new URL(r.url).searchParams.get('status')!}`);

describe('job output on RouterOS 7.15+', () => {
  it('reports what the payload printed with done, byte for byte', async () => {
    const { job, host } = await runOn(app, '7.16.2 (stable)', ':put "hello"\n:put "wörld ✓"\n:local a 5\n:put ($a * 2)');
    expect(methods(host)).toEqual(['GET busy', 'POST done']);
    expect(job).toMatchObject({ status: 'completed', output: 'hello\nwörld ✓\n10\n', error: null, output_truncated: false, output_supported: true });
  });

  it("reports the error message of a failing payload with fail, and what it printed before", async () => {
    const { job, host } = await runOn(app, '7.15 (stable)', ':put "before"\n:error "boom: disk full"\n:put "never"');
    expect(methods(host)).toEqual(['GET busy', 'POST fail']);
    expect(job).toMatchObject({ status: 'failed', output: 'before\n', error: 'boom: disk full', output_truncated: false, output_supported: true });
  });

  it('reports a syntax error of the payload as its error, with nothing run', async () => {
    const { job } = await runOn(app, '7.16.2 (stable)', ':put "x"\n:if (1=1 do={}');
    expect(job).toMatchObject({ status: 'failed', output: '', output_supported: true });
    expect(job.error).toEqual(expect.any(String));
    expect(job.error.length).toBeGreaterThan(0);
  });

  it('takes output as untrusted text: quotes, dollars, brackets and a fake marker are just text', async () => {
    const { job } = await runOn(app, '7.16.2 (stable)', ':put "\\$(evil) [:error x] \\"q\\" tikopsok"');
    expect(job).toMatchObject({ status: 'completed', output: '$(evil) [:error x] "q" tikopsok\n', error: null });
  });

  it('cuts the output at JOB_OUTPUT_MAX_BYTES and says so', async () => {
    const { job, host } = await runOn(small, '7.16.2 (stable)', ':for i from=1 to=20 do={ :put ("line " . $i) }');
    expect(job).toMatchObject({ status: 'completed', output: 'line 1\nline 2\nli', output_truncated: true, output_supported: true });
    // The router itself sends no more than the cap.
    expect(host.requests.at(-1)!.body).toBe('line 1\nline 2\nli');
  });
});

describe('output with a pre-job backup', () => {
  it('backs up first, then runs the payload with capture', async () => {
    const site = await buildSite(app, 'org-output');
    await app.deps.sql.rows(sql`UPDATE site SET software_version = '7.16.2 (stable)' WHERE id = ${site.id}::uuid`);
    const created = await buildJob(app, site, { backup: true, script: '/ip address add address=192.168.77.1/24 interface=ether3\n:put "added"' });
    const state = createRouterState({ version: '7.16.2 (stable)' });
    const host = appHost();
    await runScript(await poll(app, site), state, host);
    const job = (await app.request('GET', `/site/${site.id}/job/${created.id}`, { token: site.auth })).body;
    expect(job).toMatchObject({ status: 'completed', output: 'added\n', error: null, output_supported: true });
    expect(job.associated_backup).toEqual(expect.any(String));
    expect(state.ipAddresses.some((a) => a.address === '192.168.77.1/24')).toBe(true);
  });
});

describe('routers without output capture', () => {
  for (const version of ['6.49.10 (long-term)', '7.12.1 (stable)']) {
    it(`RouterOS ${version} reports status only, and the job says output_supported: false`, async () => {
      const { job, host, wrapper } = await runOn(app, version, ':put "hello"');
      expect(wrapper).not.toContain('as-string');
      expect(methods(host)).toEqual(['GET busy', 'GET done']);
      expect(job).toMatchObject({ status: 'completed', output: null, error: null, output_truncated: false, output_supported: false });
    });
  }

  it('leaves output_supported null until the router reports an outcome', async () => {
    const site = await buildSite(app, 'org-output');
    const created = await buildJob(app, site);
    const job = (await app.request('GET', `/site/${site.id}/job/${created.id}`, { token: site.auth })).body;
    expect(job).toMatchObject({ status: 'queued', output: null, error: null, output_truncated: false, output_supported: null });
  });
});
