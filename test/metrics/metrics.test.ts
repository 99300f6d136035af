import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { buildJob, buildSite, callback, parseWrapper, poll } from '../factories.js';
import { promlint } from '../support/promlint.js';
import { refreshFleetGauges } from '../../src/fleet/gauges.service.js';
import { sweepOffline } from '../../src/fleet/sweep.service.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('GET /metrics', () => {
  it('counts polls by result, queue depth and HTTP latency per route', async () => {
    const site = await buildSite(app);
    await buildJob(app, site);
    await buildJob(app, site);
    const before = (await app.request('GET', '/metrics')).text;
    expect(sample(before, 'tikops_queue_depth', 'queue="jobs"')).toBe(2);
    const w = parseWrapper(await poll(app, site));
    await poll(app, site);
    await callback(app, w.busy!);
    await callback(app, w.done!);
    // Backlog gauges are refreshed at most every 5 s however often /metrics is scraped …
    const cached = (await app.request('GET', '/metrics')).text;
    expect(sample(cached, 'tikops_queue_depth', 'queue="jobs"')).toBe(2);
    // … while counters are live.
    expect(sample(cached, 'tikops_polls_total', 'result="job"') - sample(before, 'tikops_polls_total', 'result="job"')).toBe(1);
    app.clock.advance(5_000);
    const after = (await app.request('GET', '/metrics')).text;
    expect(sample(after, 'tikops_polls_total', 'result="job"') - sample(before, 'tikops_polls_total', 'result="job"')).toBe(1);
    expect(sample(after, 'tikops_polls_total', 'result="idle"') - sample(before, 'tikops_polls_total', 'result="idle"')).toBe(1);
    expect(sample(after, 'tikops_queue_depth', 'queue="jobs"')).toBe(1);
    expect(sample(after, 'tikops_http_request_duration_seconds_count', 'route="/poll"')).toBeGreaterThanOrEqual(2);
    expect(after).toContain('tikops_queue_lag_seconds{queue="outbox"');
    expect(promlint(after)).toEqual([]);
  });

  it('reports fleet-wide site and fault gauges from the snapshot one worker computes, and the build', async () => {
    const before = (await app.request('GET', '/metrics')).text;
    // No worker has computed a snapshot for this deployment yet: no fleet gauges rather than zeros.
    expect(before).not.toContain('tikops_sites{');
    const quiet = await buildSite(app);
    const heard = await buildSite(app);
    await poll(app, heard);
    await poll(app, quiet);
    app.clock.advance(10 * 30_000 + 1_000);
    await poll(app, heard);
    await sweepOffline(app.deps);
    const snapshot = await refreshFleetGauges(app.deps);
    app.clock.advance(5_000);
    const text = (await app.request('GET', '/metrics')).text;
    expect(sample(text, 'tikops_sites', 'state="offline"')).toBe(snapshot.sites.offline);
    expect(snapshot.sites.offline).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tikops_sites', 'state="online"')).toBe(snapshot.sites.online);
    expect(sample(text, 'tikops_open_faults', 'type="site_offline"')).toBe(snapshot.openFaults.site_offline);
    expect(text).toContain('tikops_open_faults{type="site_rebooted"');
    expect(text).toMatch(/tikops_build_info\{version="0\.1\.0",node="v\d+\.\d+\.\d+",role="api"\} 1/);
    expect(promlint(text)).toEqual([]);
  });

  it('counts polls answered 4xx as rejected', async () => {
    const site = await buildSite(app);
    const before = (await app.request('GET', '/metrics')).text;
    const bad = await app.request('POST', '/poll', { headers: { authorization: 'Bearer nope' }, body: '' });
    expect(bad.status).toBe(401);
    const malformed = await app.request('POST', '/poll', { headers: { authorization: `Bearer ${site.token}` }, body: 'uptime=abc;cpu-load=3' });
    expect(malformed.status).toBe(400);
    await poll(app, site);
    const after = (await app.request('GET', '/metrics')).text;
    const delta = (result: string): number => sample(after, 'tikops_polls_total', `result="${result}"`) - sample(before, 'tikops_polls_total', `result="${result}"`);
    expect(delta('rejected')).toBe(2);
    expect(delta('idle')).toBe(1);
  });

  it('requires the metrics token when one is configured', async () => {
    const locked = await startApp({ env: { METRICS_TOKEN: 'm'.repeat(24) } });
    try {
      expect((await locked.request('GET', '/metrics')).status).toBe(401);
      const ok = await locked.request('GET', '/metrics', { headers: { authorization: `Bearer ${'m'.repeat(24)}` } });
      expect(ok.status).toBe(200);
    } finally {
      await locked.close();
    }
  });
});
