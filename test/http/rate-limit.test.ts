import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { apiRoutes } from '../../src/routes.js';
import { makeKey } from '../access/support.js';
import { buildSite } from '../factories.js';
import { startApp, type Reply, type TestApp } from '../support/app.js';

// Request rate limits (docs/security.md, "Rate limits"): per credential on operator routes, per
// source address on the routes anyone can call, shared through Redis, failing open.

const OPERATOR_LIMIT = 3;
const ADDRESS_LIMIT = 2;

let app: TestApp;
beforeAll(async () => {
  // TRUST_PROXY lets the test speak from several addresses through X-Forwarded-For.
  app = await startApp({
    env: { RATE_LIMIT_OPERATOR_PER_MINUTE: String(OPERATOR_LIMIT), RATE_LIMIT_ADDRESS_PER_MINUTE: String(ADDRESS_LIMIT), TRUST_PROXY: 'true' },
  });
});
afterAll(async () => {
  await app.close();
});

const limitHeaders = (r: Reply): Record<string, string | null> => ({
  limit: r.headers.get('ratelimit-limit'),
  remaining: r.headers.get('ratelimit-remaining'),
});

function expectRateLimited(r: Reply, limit: number): void {
  expect(r.status).toBe(429);
  expect(r.body).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited' });
  expect(r.body.doc_url).toMatch(/\/errors#rate_limited$/);
  expect(limitHeaders(r)).toEqual({ limit: String(limit), remaining: '0' });
  const retryAfter = Number(r.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
  expect(r.headers.get('ratelimit-reset')).toBe(String(retryAfter));
}

describe('operator routes', () => {
  it('answers 429 rate_limited with Retry-After and RateLimit headers once a credential used its requests', async () => {
    const token = app.token('org-rl', { sub: 'alice' });
    const seen: Record<string, string | null>[] = [];
    for (let i = 0; i < OPERATOR_LIMIT; i++) {
      const r = await app.request('GET', '/site', { token });
      expect(r.status).toBe(200);
      seen.push(limitHeaders(r));
      const reset = Number(r.headers.get('ratelimit-reset'));
      expect(reset >= 1 && reset <= 60).toBe(true);
    }
    expect(seen).toEqual([
      { limit: '3', remaining: '2' },
      { limit: '3', remaining: '1' },
      { limit: '3', remaining: '0' },
    ]);
    // Any operator route counts against the same credential, and the 429 comes before the handler.
    expectRateLimited(await app.request('POST', '/site', { token, body: { name: 'never made' } }), OPERATOR_LIMIT);
    expectRateLimited(await app.request('GET', '/site', { token }), OPERATOR_LIMIT);
    const listed = await app.request('GET', '/site', { token: app.token('org-rl', { sub: 'auditor' }) });
    expect(listed.body.map((s: { name: string }) => s.name)).not.toContain('never made');
  });

  it('counts each API key and JWT subject separately, also across orgs with the same subject', async () => {
    const busy = app.token('org-indep', { sub: 'bob' });
    for (let i = 0; i < OPERATOR_LIMIT; i++) expect((await app.request('GET', '/site', { token: busy })).status).toBe(200);
    expect((await app.request('GET', '/site', { token: busy })).status).toBe(429);

    // Another subject of the org, the same subject in another org, and the org's API keys are untouched.
    const key = await makeKey(app, 'org-indep', ['sites:read']);
    const otherKey = await makeKey(app, 'org-indep', ['sites:read']);
    for (const token of [app.token('org-indep', { sub: 'carol' }), app.token('org-other', { sub: 'bob' }), key.secret]) {
      const r = await app.request('GET', '/site', { token });
      expect(r.status).toBe(200);
      expect(limitHeaders(r)).toEqual({ limit: '3', remaining: '2' });
    }
    for (let i = 0; i < 2; i++) expect((await app.request('GET', '/site', { token: key.secret })).status).toBe(200);
    expectRateLimited(await app.request('GET', '/site', { token: key.secret }), OPERATOR_LIMIT);
    expect((await app.request('GET', '/site', { token: otherKey.secret })).status).toBe(200);
  });

  it("does not limit the router's poll, which is not an operator route", async () => {
    const site = await buildSite(app, 'org-poll');
    // Well past both limits: every poll is answered.
    for (let i = 0; i < OPERATOR_LIMIT + ADDRESS_LIMIT + 5; i++) {
      const res = await app.request('POST', '/poll', { headers: { authorization: `Bearer ${site.token}`, 'content-type': 'text/plain' }, body: 'uptime=1d' });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBeNull();
    }
    // And the site's operator is not charged for its router's polls.
    const r = await app.request('GET', `/site/${site.id}`, { token: site.auth });
    expect(limitHeaders(r)).toEqual({ limit: '3', remaining: String(OPERATOR_LIMIT - 2) }); // buildSite made one
  });
});

describe('routes anyone can call', () => {
  const from = (ip: string): Record<string, string> => ({ 'x-forwarded-for': ip });

  it('limits /bootstrap, /adopt, /notify/delete and POST /session per source address', async () => {
    const calls: [string, string, Record<string, unknown>][] = [
      ['GET', '/bootstrap/rbk_unknown0000000000000000000000', {}],
      ['POST', '/adopt/rbk_unknown0000000000000000000000', { headers: { 'content-type': 'text/plain' }, body: 'version=7.16;' }],
      ['POST', '/notify/delete', { headers: { authorization: 'Bearer not-a-device-token' } }],
      ['POST', '/session', { body: { credential: 'tko_not_a_key' } }],
    ];
    let n = 0;
    for (const [method, path, opts] of calls) {
      const ip = `203.0.113.${++n}`;
      for (let i = 0; i < ADDRESS_LIMIT; i++) {
        const r = await app.request(method, path, { ...opts, headers: { ...(opts.headers as object), ...from(ip) } });
        expect([401, 404], `${method} ${path}`).toContain(r.status);
        expect(limitHeaders(r)).toEqual({ limit: '2', remaining: String(ADDRESS_LIMIT - 1 - i) });
      }
      expectRateLimited(await app.request(method, path, { ...opts, headers: { ...(opts.headers as object), ...from(ip) } }), ADDRESS_LIMIT);
      // Another address still gets through.
      const other = await app.request(method, path, { ...opts, headers: { ...(opts.headers as object), ...from(`198.51.100.${n}`) } });
      expect(other.status).not.toBe(429);
    }
  });

  it('counts an IPv6 client per /64', async () => {
    const boot = (ip: string): Promise<Reply> => app.request('GET', '/bootstrap/rbk_unknown0000000000000000000000', { headers: from(ip) });
    expect((await boot('2001:db8:1:2::1')).status).toBe(404);
    expect((await boot('2001:db8:1:2:ffff::9')).status).toBe(404);
    expectRateLimited(await boot('2001:db8:1:2::77'), ADDRESS_LIMIT);
    expect((await boot('2001:db8:1:3::1')).status).toBe(404);
  });

  it('is shared by every API process: a second one over the same Redis continues the count', async () => {
    const second = await startApp({ share: app, env: { RATE_LIMIT_OPERATOR_PER_MINUTE: String(OPERATOR_LIMIT), TRUST_PROXY: 'true' } });
    try {
      const token = app.token('org-pods', { sub: 'dave' });
      expect((await app.request('GET', '/site', { token })).status).toBe(200);
      expect((await second.request('GET', '/site', { token })).status).toBe(200);
      expect((await app.request('GET', '/site', { token })).status).toBe(200);
      expectRateLimited(await second.request('GET', '/site', { token }), OPERATOR_LIMIT);
    } finally {
      await second.close();
    }
  });
});

describe('OpenAPI', () => {
  const doc = apiRoutes('http://127.0.0.1').document as { paths: Record<string, Record<string, { responses: Record<string, any> }>> };
  it('documents 429 with its headers on limited routes and only there', () => {
    for (const [path, method] of [['/site', 'get'], ['/bootstrap/{runbookToken}', 'get'], ['/adopt/{runbookToken}', 'post'], ['/notify/delete', 'post'], ['/session', 'post']] as const) {
      const r429 = doc.paths[path]![method]!.responses['429'];
      expect(r429, `${method} ${path}`).toBeDefined();
      expect(Object.keys(r429.headers).sort()).toEqual(['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After']);
      expect(r429.description).toContain('rate_limited');
    }
    for (const [path, method] of [['/poll', 'post'], ['/job/{jobId}/update', 'get'], ['/healthz', 'get']] as const) {
      expect(doc.paths[path]![method]!.responses['429'], `${method} ${path}`).toBeUndefined();
    }
  });
});

describe('when Redis cannot count', () => {
  it('lets requests through (fail open) and logs that the limiter is unavailable', async () => {
    const lines: Record<string, any>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, any>);
        done();
      },
    });
    const lone = await startApp({
      env: { RATE_LIMIT_OPERATOR_PER_MINUTE: '1' },
      log: createLogger({ level: 'warn', name: 'tikops-test' }, sink),
    });
    try {
      const token = lone.token('org-open', { sub: 'erin' });
      expect((await lone.request('GET', '/api-keys', { token })).status).toBe(200);
      expect((await lone.request('GET', '/api-keys', { token })).status).toBe(429);
      // Redis goes away (this process's connection only): the limiter cannot count, the API still answers.
      lone.deps.redis.disconnect();
      const fresh = lone.token('org-open', { sub: 'frank' });
      for (let i = 0; i < 3; i++) {
        const r = await lone.request('GET', '/api-keys', { token: fresh });
        expect(r.status).toBe(200);
        expect(r.headers.get('ratelimit-limit')).toBeNull();
      }
      const warned = lines.filter((l) => l.msg === 'rate limiter unavailable (Redis); requests are let through unlimited');
      expect(warned).toHaveLength(1); // once per interval, not once per request
      expect(warned[0]!.level).toBe(40);
    } finally {
      await lone.close();
    }
  });
});
