import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeHost, type FakeHost } from '../../sim/routeros/fake-host.js';
import { createRouterState, runScript, type RouterState } from '../../sim/routeros/index.js';
import { startApp, type TestApp } from '../support/app.js';
import { buildJob, buildSite, poll, type BuiltSite } from '../factories.js';
import { appHost } from '../support/router-host.js';

// End to end: the wrapper /poll returns runs on the RouterOS simulator (sim/routeros), whose
// /tool fetch calls reach this test's API over HTTP. Only the simulator's RouterOS model is
// assumed here; the server side is real.

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

const PAYLOAD = '/ip address add address=192.168.77.1/24 interface=ether3 comment="added by the job"';

/** A router with about 2,000 addresses, so its export needs several 32,000-byte parts. */
async function bigRouter(): Promise<RouterState> {
  const state = createRouterState({ identity: 'Branch Café' });
  const setup = ':for i from=0 to=1999 do={ /ip address add address=("10." . ($i / 250) . "." . ($i % 250) . ".1/24") interface=ether2 comment=("managed site network number " . $i) }';
  await runScript(setup, state, createFakeHost());
  return state;
}

const kinds = (host: FakeHost): string[] =>
  host.requests.map((r) => {
    const u = new URL(r.url);
    if (u.pathname.endsWith('/update')) return `${u.searchParams.get('status')!}${u.searchParams.has('reason') ? `:${u.searchParams.get('reason')!}` : ''}`;
    if (u.pathname.endsWith('/commit')) return 'commit';
    return `part${u.searchParams.get('part')!}`;
  });

async function job(site: BuiltSite, id: string): Promise<any> {
  return (await app.request('GET', `/site/${site.id}/job/${id}`, { token: site.auth })).body;
}

describe('the backup step on the RouterOS simulator', () => {
  it('uploads the export in parts, gets "stored", then runs the payload', async () => {
    const site = await buildSite(app);
    const created = await buildJob(app, site, { backup: true, script: PAYLOAD });
    const state = await bigRouter();
    const host = appHost();
    await runScript(await poll(app, site), state, host);

    const calls = kinds(host);
    const parts = calls.filter((c) => c.startsWith('part'));
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(calls).toEqual(['busy', ...parts.map((_, i) => `part${i}`), 'commit', 'done']);
    const done = await job(site, created.id);
    expect(done.status).toBe('completed');
    const file = await app.request('GET', `/site/${site.id}/backup/${done.associated_backup.split('/')[1]}`, { token: site.auth });
    const sent = host.requests.filter((r) => new URL(r.url).searchParams.has('part')).map((r) => r.body ?? '').join('');
    expect(file.text).toBe(sent);
    expect(file.text).toContain('comment="managed site network number 1999"');
    // Taken before the payload ran, which did run afterwards.
    expect(file.text).not.toContain('192.168.77.1');
    expect(state.ipAddresses.some((a) => a.address === '192.168.77.1/24')).toBe(true);
    // The export was also written to a file to check its size, and the file is gone.
    expect(state.files).toEqual([]);
  });

  it('skips the payload and fails the job with the reason when a part is lost on the way', async () => {
    const site = await buildSite(app);
    const created = await buildJob(app, site, { backup: true, script: PAYLOAD });
    const state = await bigRouter();
    // A proxy that answers 200 but drops part 1.
    const host = appHost((req) => (new URL(req.url).searchParams.get('part') === '1' ? { status: 200, body: '' } : null));
    await runScript(await poll(app, site), state, host);

    const calls = kinds(host);
    expect(calls[0]).toBe('busy');
    expect(calls.slice(-2)).toEqual(['commit', 'fail:backup']);
    expect(calls).not.toContain('done');
    expect(state.ipAddresses.some((a) => a.address === '192.168.77.1/24')).toBe(false);
    const failed = await job(site, created.id);
    expect(failed).toMatchObject({ status: 'failed', associated_backup: null });
    const events = await app.request('GET', `/site/${site.id}/job/${created.id}/events`, { token: site.auth });
    expect(events.body.slice(-2).map((e: any) => [e.type, e.detail])).toEqual([
      ['backup_failed', { reason: expect.stringContaining('part 1 of') }],
      ['failed', { reason: 'backup failed: truncated' }],
    ]);
    expect(state.log.map((l) => l.message)).toContain(`tikops: job ${created.token} backup failed; payload not run`);
  });

  it('fails the job without any upload when the router cannot export (RouterOS v6)', async () => {
    const site = await buildSite(app);
    const created = await buildJob(app, site, { backup: true, script: PAYLOAD });
    // v6 has neither `:execute … as-string` nor `show-sensitive`: the step does not compile.
    const state = createRouterState({ version: '6.49.10 (long-term)' });
    const host = appHost();
    await runScript(await poll(app, site), state, host);
    expect(kinds(host)).toEqual(['busy', 'fail:backup']);
    expect((await job(site, created.id)).status).toBe('failed');
  });
});
