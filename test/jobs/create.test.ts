import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { buildJob, buildSite, parseWrapper, poll, type BuiltSite } from '../factories.js';

let app: TestApp;
let site: BuiltSite;
beforeAll(async () => {
  app = await startApp();
  site = await buildSite(app);
});
afterAll(async () => {
  await app.close();
});

function rawCreate(headers: Record<string, string>, body: string, s: BuiltSite = site) {
  return app.request('POST', `/site/${s.id}/job`, {
    token: s.auth,
    headers: { 'content-type': 'text/plain', 'x-idempotency-key': randomUUID(), 'x-description': 'Add guest address', ...headers },
    body,
  });
}

describe('POST /site/{siteId}/job', () => {
  it('creates a queued job with every field of the Job object and the documented defaults', async () => {
    const key = randomUUID();
    const res = await rawCreate({ 'x-idempotency-key': key }, '/ip address add address=192.168.99.1/24 interface=ether2');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      site_id: site.id,
      idempotency_key: key,
      description: 'Add guest address',
      express_execute: false,
      needs_acknowledgement: true,
      should_backup: false,
      associated_backup: null,
      started_at: null,
      completed_at: null,
      failed_at: null,
      script: '/ip address add address=192.168.99.1/24 interface=ether2',
      status: 'queued',
    });
    expect(res.body.token).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(res.body.log_url).toBe(`/site/${site.id}/job/${res.body.id}/events`);
    // An absolute path on this API: the job's events, as is.
    const events = await app.request('GET', res.body.log_url, { token: site.auth });
    expect(events.status).toBe(200);
    expect(events.body.map((e: { type: string }) => e.type)).toEqual(['created']);
  });

  it('refuses a script sent with another content type than text/plain (415), and queues nothing', async () => {
    const json = { script: '/system reboot', description: 'not a script' };
    for (const type of ['application/json', 'application/x-www-form-urlencoded', 'text/html']) {
      const res = await rawCreate({ 'content-type': type }, JSON.stringify(json));
      expect(res.status, type).toBe(415);
      expect(res.body.code, type).toBe('unsupported_media_type');
      expect(res.body.message).toContain('text/plain');
    }
    const s2 = await buildSite(app);
    const refused = await rawCreate({ 'content-type': 'application/json' }, JSON.stringify(json), s2);
    expect(refused.status).toBe(415);
    expect((await app.request('GET', `/site/${s2.id}/job`, { token: s2.auth })).body).toEqual([]);
    // text/plain with a charset is text/plain.
    expect((await rawCreate({ 'content-type': 'text/plain; charset=utf-8' }, ':log info "x"', s2)).status).toBe(201);
  });

  it('honours the boolean headers in any letter case', async () => {
    const res = await rawCreate({ 'x-needs-ack': 'FALSE', 'x-backup': 'true', 'x-express-execute': 'True' }, ':log info "x"');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ needs_acknowledgement: false, should_backup: true, express_execute: true });
  });

  it.each([
    ['x-idempotency-key', { 'x-idempotency-key': '' }, 'parameter_invalid'],
    ['x-idempotency-key', { 'x-idempotency-key': 'not-a-uuid' }, 'parameter_invalid'],
    ['x-description', { 'x-description': 'ab' }, 'parameter_invalid'],
    ['x-description', { 'x-description': 'x'.repeat(101) }, 'parameter_invalid'],
    ['x-needs-ack', { 'x-needs-ack': 'yes' }, 'parameter_invalid'],
    ['x-backup', { 'x-backup': '1' }, 'parameter_invalid'],
    ['x-express-execute', { 'x-express-execute': '' }, 'parameter_invalid'],
  ])('rejects a bad %s header with 400 naming it', async (name, headers, code) => {
    const res = await rawCreate(headers, ':log info "x"');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
    expect(res.body.message).toContain(name);
  });

  it('requires the idempotency key and description headers', async () => {
    for (const missing of ['x-idempotency-key', 'x-description']) {
      const headers: Record<string, string> = { 'content-type': 'text/plain', 'x-idempotency-key': randomUUID(), 'x-description': 'Add guest' };
      delete headers[missing];
      const res = await app.request('POST', `/site/${site.id}/job`, { token: site.auth, headers, body: ':log info "x"' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('parameter_missing');
      expect(res.body.message).toContain(missing);
    }
  });

  it('rejects an empty script, NUL bytes and invalid UTF-8', async () => {
    expect((await rawCreate({}, '')).body.code).toBe('parameter_missing');
    const nul = await rawCreate({}, ':log info "a\u0000b"');
    expect(nul.status).toBe(400);
    expect(nul.body.message).toContain('script');
    const bytes = await fetch(`${app.url}/site/${site.id}/job`, {
      method: 'POST',
      headers: { authorization: `Bearer ${site.auth}`, 'x-idempotency-key': randomUUID(), 'x-description': 'bad bytes' },
      body: Buffer.from([0x3a, 0xff, 0xfe, 0x41]),
    });
    expect(bytes.status).toBe(400);
  });

  it('refuses a script whose wrapped form would exceed the fetch limit, and accepts one just under', async () => {
    const limit = app.config.wrapperLimitBytes;
    // Find the largest plain-ASCII payload that still fits, by bisection over the API itself.
    let lo = 1000;
    let hi = limit;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const res = await rawCreate({}, 'a'.repeat(mid));
      if (res.status === 201) lo = mid;
      else {
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('script_too_large');
        hi = mid;
      }
    }
    expect(lo).toBeGreaterThan(limit - 2000);
    // A payload that grows 3× when encoded is refused at a third of the size.
    const grown = await rawCreate({}, '\u0001'.repeat(Math.ceil(lo / 3) + 10));
    expect(grown.body.code).toBe('script_too_large');
    // The biggest accepted job really is deliverable within the limit.
    const s2 = await buildSite(app);
    await buildJob(app, s2, { script: 'a'.repeat(lo) });
    const text = await poll(app, s2);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(limit);
    expect(parseWrapper(text).script).toBe('a'.repeat(lo));
  });

  it('answers 413 for a body over the size limit', async () => {
    const res = await rawCreate({}, 'a'.repeat(app.config.bodyLimitBytes + 10));
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('body_too_large');
  });

  it('answers 404 for an unknown site and 400 for a malformed site id', async () => {
    const res = await app.request('POST', `/site/${randomUUID()}/job`, {
      token: site.auth,
      headers: { 'x-idempotency-key': randomUUID(), 'x-description': 'nope' },
      body: ':log info "x"',
    });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('site_not_found');
    const bad = await app.request('POST', '/site/xyz/job', { token: site.auth, body: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('siteId');
  });
});

describe('idempotency', () => {
  it('returns the original job (200) when the same key is replayed', async () => {
    const key = randomUUID();
    const first = await rawCreate({ 'x-idempotency-key': key }, ':log info "once"');
    const again = await rawCreate({ 'x-idempotency-key': key }, ':log info "once"');
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it('answers 409 idempotency_key_reused for the same key with another script or option', async () => {
    const key = randomUUID();
    await rawCreate({ 'x-idempotency-key': key }, ':log info "a"');
    const other = await rawCreate({ 'x-idempotency-key': key }, ':log info "b"');
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('idempotency_key_reused');
    const flag = await rawCreate({ 'x-idempotency-key': key, 'x-backup': 'true' }, ':log info "a"');
    expect(flag.status).toBe(409);
  });

  it('creates exactly one job for concurrent requests with one key, and queues it once', async () => {
    const s = await buildSite(app);
    const key = randomUUID();
    const replies = await Promise.all(
      Array.from({ length: 12 }, () => rawCreate({ 'x-idempotency-key': key, 'x-needs-ack': 'false' }, ':log info "race"', s)),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(11);
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect(await poll(app, s)).not.toBe('');
    expect(await poll(app, s)).toBe('');
  });

  it('keeps FIFO when the push after the commit was lost: the retry restores the job ahead of later ones', async () => {
    const fifo = await buildSite(app);
    const key = randomUUID();
    // The first request commits its job, then its push to Redis is lost (as when the API process
    // dies between the two), so the client retries with the same key.
    const dispatch = app.deps.dispatch;
    const enqueue = dispatch.enqueue.bind(dispatch);
    dispatch.enqueue = () => Promise.reject(new Error('push lost'));
    let first;
    try {
      first = await buildJob(app, fifo, { key, needsAck: false, script: ':log info "first"' });
    } finally {
      dispatch.enqueue = enqueue;
    }
    await buildJob(app, fifo, { needsAck: false, script: ':log info "second"' });
    const retry = await app.request('POST', `/site/${fifo.id}/job`, {
      token: fifo.auth,
      headers: { 'content-type': 'text/plain', 'x-idempotency-key': key, 'x-description': 'Add guest address', 'x-needs-ack': 'false' },
      body: ':log info "first"',
    });
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(first.id);
    expect(parseWrapper(await poll(app, fifo)).script).toBe(':log info "first"');
    expect(parseWrapper(await poll(app, fifo)).script).toBe(':log info "second"');
    expect(await poll(app, fifo)).toBe('');
  });

  it('scopes keys per site', async () => {
    const s = await buildSite(app);
    const key = randomUUID();
    expect((await rawCreate({ 'x-idempotency-key': key }, ':log info "a"')).status).toBe(201);
    expect((await rawCreate({ 'x-idempotency-key': key }, ':log info "a"', s)).status).toBe(201);
  });
});

describe('POST /api/asynchronous/{siteId}', () => {
  const body = {
    description: 'Add guest network address',
    script: '/ip address add address=192.168.99.1/24 interface=bridge',
    make_backup: true,
    express_execute: true,
    needs_acknowledgement: true,
    notify_url: 'https://example.com/sdx/job-complete',
  };

  it("answers the seed's envelope and stores the job with its notify_url", async () => {
    const res = await app.request('POST', `/api/asynchronous/${site.id}`, { token: site.auth, body });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('success');
    expect(res.body.data.target).toBe(site.id);
    expect(res.body.data.notify_url).toBe(body.notify_url);
    expect(res.body.data.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    const job = await app.request('GET', `/site/${site.id}/job/${res.body.data.request_id}`, { token: site.auth });
    expect(job.body).toMatchObject({
      idempotency_key: res.body.data.idempotency_key,
      script: body.script,
      should_backup: true,
      express_execute: true,
      needs_acknowledgement: true,
      notify_url: body.notify_url,
    });
  });

  it('defaults the optional flags (needs_acknowledgement false for this form)', async () => {
    const res = await app.request('POST', `/api/asynchronous/${site.id}`, {
      token: site.auth,
      body: { description: 'Minimal', script: ':log info "x"' },
    });
    const job = await app.request('GET', `/site/${site.id}/job/${res.body.data.request_id}`, { token: site.auth });
    expect(job.body).toMatchObject({ should_backup: false, express_execute: false, needs_acknowledgement: false, notify_url: null });
  });

  it('replays with an X-Idempotency-Key header instead of creating twice', async () => {
    const key = randomUUID();
    const h = { 'x-idempotency-key': key };
    const one = await app.request('POST', `/api/asynchronous/${site.id}`, { token: site.auth, headers: h, body });
    const two = await app.request('POST', `/api/asynchronous/${site.id}`, { token: site.auth, headers: h, body });
    expect(two.body.data.request_id).toBe(one.body.data.request_id);
    expect(one.body.data.idempotency_key).toBe(key);
  });

  it.each([
    [{ ...body, make_backup: 'yes' }, 'make_backup'],
    [{ ...body, needs_acknowledgement: 1 }, 'needs_acknowledgement'],
    [{ ...body, notify_url: 'ftp://x/y' }, 'notify_url'],
    [{ ...body, description: 'ab' }, 'description'],
    [{ ...body, script: 42 }, 'script'],
    [{ ...body, surprise: true }, 'surprise'],
  ])('rejects an invalid body with 400 naming the parameter (%#)', async (b, param) => {
    const res = await app.request('POST', `/api/asynchronous/${site.id}`, { token: site.auth, body: b });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(param);
    // A value of the wrong type is invalid, not missing.
    expect(res.body.code).toBe('parameter_invalid');
  });

  it('rejects malformed JSON, a missing body and a non-JSON content type', async () => {
    const bad = await app.request('POST', `/api/asynchronous/${site.id}`, {
      token: site.auth,
      headers: { 'content-type': 'application/json' },
      body: '{"description": ',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('json_invalid');
    const missing = await app.request('POST', `/api/asynchronous/${site.id}`, {
      token: site.auth,
      body: { script: ':log info "x"' },
    });
    expect(missing.body.code).toBe('parameter_missing');
    const text = await app.request('POST', `/api/asynchronous/${site.id}`, {
      token: site.auth,
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(body),
    });
    expect(text.status).toBe(415);
  });

  it('rejects a script with unpaired surrogates', async () => {
    const res = await app.request('POST', `/api/asynchronous/${site.id}`, {
      token: site.auth,
      headers: { 'content-type': 'application/json' },
      body: '{"description":"surrogate","script":":log info \\"\\ud800\\""}',
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('script');
  });
});
