import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { buildJob, buildSite, callback, parseWrapper, poll } from '../factories.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

describe('POST /poll', () => {
  it('answers 200 text/plain with an empty body when nothing is pending', async () => {
    const site = await buildSite(app);
    const res = await app.request('POST', '/poll', {
      headers: { authorization: `Bearer ${site.token}` },
      body: 'uptime=00:00:29',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toBe('');
  });

  it('rejects a missing, forged or truncated device token with 401 in the error shape', async () => {
    const site = await buildSite(app);
    const forged = site.token.slice(0, -2) + (site.token.endsWith('AA') ? 'BB' : 'AA');
    for (const auth of [undefined, 'Bearer nope', `Bearer ${forged}`, `Bearer ${site.token.slice(0, 40)}`, `Bearer ${app.token('org-a')}`]) {
      const res = await app.request('POST', '/poll', { headers: auth ? { authorization: auth } : {}, body: '' });
      expect(res.status).toBe(401);
      expect(res.body.type).toBe('authentication_error');
    }
  });

  it('rejects a malformed heartbeat with 400 naming the field, and hands out nothing', async () => {
    const site = await buildSite(app);
    await buildJob(app, site);
    const res = await app.request('POST', '/poll', {
      headers: { authorization: `Bearer ${site.token}` },
      body: 'uptime=abc;cpu-load=3',
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('heartbeat_invalid');
    expect(res.body.message).toContain('uptime');
    expect(parseWrapper(await poll(app, site)).script).toContain('/ip address add');
  });

  it('hands out one job per poll in FIFO order, wrapped, with the remaining count', async () => {
    const site = await buildSite(app);
    const a = await buildJob(app, site, { script: ':log info "first"', needsAck: false });
    const b = await buildJob(app, site, { script: ':log info "second"', needsAck: false });
    const c = await buildJob(app, site, { script: ':log info "third"', needsAck: false });
    const got = [parseWrapper(await poll(app, site)), parseWrapper(await poll(app, site)), parseWrapper(await poll(app, site))];
    expect(got.map((w) => w.token)).toEqual([a.token, b.token, c.token]);
    expect(got.map((w) => w.remaining)).toEqual([2, 1, 0]);
    expect(await poll(app, site)).toBe('');
  });

  it('ends every job response with the documented end marker', async () => {
    const site = await buildSite(app);
    await buildJob(app, site);
    expect((await poll(app, site)).endsWith('\n# tikops-end\n')).toBe(true);
  });

  it('returns nothing while a job is delivered or started (single flight), then the next one', async () => {
    const site = await buildSite(app);
    const first = await buildJob(app, site, { script: ':log info "one"' });
    const second = await buildJob(app, site, { script: ':log info "two"' });
    const w = parseWrapper(await poll(app, site));
    expect(w.token).toBe(first.token);
    expect(await poll(app, site)).toBe('');
    expect((await callback(app, w.busy!)).text).toBe('claimed');
    expect(await poll(app, site)).toBe('');
    expect((await callback(app, w.done!)).status).toBe(200);
    expect(parseWrapper(await poll(app, site)).token).toBe(second.token);
  });

  it('completes a job that needs no acknowledgement when it is handed out', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site, { needsAck: false });
    const text = await poll(app, site);
    expect(text).not.toContain('/tool fetch');
    const got = await app.request('GET', `/site/${site.id}/job/${job.id}`, { token: site.auth });
    expect(got.body.status).toBe('completed');
    expect(got.body.completed_at).not.toBeNull();
  });

  it('hands an unclaimed job out again after its lease, voiding the earlier delivery', async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site);
    const first = parseWrapper(await poll(app, site));
    expect(await poll(app, site)).toBe('');
    app.clock.advance(app.config.jobLeaseSeconds * 1000 + 1000);
    const second = parseWrapper(await poll(app, site));
    expect(second.token).toBe(job.token);
    expect(second.busy).not.toBe(first.busy);
    expect((await callback(app, first.busy!)).status).toBe(409);
    expect((await callback(app, second.busy!)).text).toBe('claimed');
    const events = await app.request('GET', `/site/${site.id}/job/${job.id}/events`, { token: site.auth });
    expect(events.body.map((e: { type: string }) => e.type)).toEqual(['created', 'delivered', 'lease_expired', 'delivered', 'started']);
  });

  it('never hands a claimed job out again, however long it runs', async () => {
    const site = await buildSite(app);
    await buildJob(app, site);
    await buildJob(app, site);
    const w = parseWrapper(await poll(app, site));
    expect((await callback(app, w.busy!)).text).toBe('claimed');
    app.clock.advance(10 * app.config.jobLeaseSeconds * 1000);
    expect(await poll(app, site)).toBe('');
  });

  it('stops accepting a token once the site token is rotated', async () => {
    const site = await buildSite(app);
    const rotated = await app.request('POST', `/site/${site.id}/token`, { token: site.auth });
    expect(rotated.status).toBe(200);
    const old = await app.request('POST', '/poll', { headers: { authorization: `Bearer ${site.token}` }, body: '' });
    expect(old.status).toBe(401);
    expect(await poll(app, { token: rotated.body.token })).toBe('');
  });

  it('carries hostile payloads byte for byte inside the wrapper literal', async () => {
    const site = await buildSite(app);
    const payloads = [
      '} on-error={}; /system reboot; :do {',
      ':local a "x"; :log info "v=$a $[:len $a] $($a . 1)"',
      ':log info "cost \\$5 path C:\\\\tmp tab\\tx hex \\48\\49"',
      '/tool fetch url="https://h/p?a=1&b=2" output=none',
      'comment="Café ✓ Привет 🚀"\r\n/log info "a"\r# note',
      '/ip address add \\\n  address=10.9.9.9/32 interface=lo\\',
      ':local tikopsDone "http://evil"; :global tikopsMore; # tikops-end',
      '\u001b\u007f\u00ff"\'`;#{}[]()',
    ];
    for (const script of payloads) {
      await buildJob(app, site, { script, needsAck: false });
      const text = await poll(app, site);
      expect(parseWrapper(text).script).toBe(script);
      expect(text.split('\n').filter((l) => l.startsWith(':local tikopsSrc')).length).toBe(1);
    }
  });

  it("settles a claimed job from the agent's last-job report when its outcome callback was lost", async () => {
    const site = await buildSite(app);
    const job = await buildJob(app, site);
    const next = await buildJob(app, site);
    const w = parseWrapper(await poll(app, site));
    expect((await callback(app, w.busy!)).text).toBe('claimed');
    // The done callback never arrives; the agent's next heartbeat says how the job ended.
    const text = await poll(app, site, `uptime=1d02:16:08;last-job=${job.token}:ok`);
    expect(parseWrapper(text).token).toBe(next.token);
    const got = await app.request('GET', `/site/${site.id}/job/${job.id}`, { token: site.auth });
    expect(got.body.status).toBe('completed');
    const events = await app.request('GET', `/site/${site.id}/job/${job.id}/events`, { token: site.auth });
    expect(events.body.at(-1)).toMatchObject({ type: 'completed', detail: { source: 'heartbeat last-job' } });
  });

  it('records a reported failure, and ignores reports for jobs that are not running', async () => {
    const site = await buildSite(app);
    const running = await buildJob(app, site);
    const queued = await buildJob(app, site);
    const w = parseWrapper(await poll(app, site));
    await callback(app, w.busy!);
    expect(await poll(app, site, `uptime=1d02:16:08;last-job=${queued.token}:ok`)).toBe('');
    expect((await app.request('GET', `/site/${site.id}/job/${queued.id}`, { token: site.auth })).body.status).toBe('queued');
    await poll(app, site, `uptime=1d02:16:38;last-job=${running.token}:fail`);
    expect((await app.request('GET', `/site/${site.id}/job/${running.id}`, { token: site.auth })).body.status).toBe('failed');
  });
});
