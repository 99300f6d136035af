import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import jwt from 'jsonwebtoken';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';
import { buildJob, buildSite, poll } from '../factories.js';

// Request ids and the operator's access log: what an operator greps for when following a request.

const lines: Record<string, any>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, any>);
    done();
  },
});

let app: TestApp;
beforeAll(async () => {
  app = await startApp({ log: createLogger({ level: 'info', name: 'tikops-test' }, sink) });
});
afterAll(async () => {
  await app.close();
});

const logged = (pred: (l: Record<string, any>) => boolean): Record<string, any>[] => lines.filter(pred);

describe('request ids', () => {
  it("echoes the caller's X-Request-Id, and puts it in the error body and every log line of the request", async () => {
    const site = await buildSite(app, 'org-log');
    const job = await buildJob(app, site);
    const res = await app.request('DELETE', `/site/${site.id}/job/${job.id}`, { token: site.auth, headers: { 'x-request-id': 'trace-42.a' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('trace-42.a');
    const mine = logged((l) => l.requestId === 'trace-42.a');
    expect(mine.map((l) => l.msg)).toEqual(['job transition', 'request']);
    expect(mine[0]).toMatchObject({ jobId: job.id, siteId: site.id, to: 'cancelled' });
    expect(mine[1]).toMatchObject({ level: 30, method: 'DELETE', route: '/site/:siteId/job/:jobId', status: 200, org: 'org-log' });
    expect(typeof mine[1]!.ms).toBe('number');

    const handedOut = await buildJob(app, site);
    await poll(app, site);
    const again = await app.request('DELETE', `/site/${site.id}/job/${handedOut.id}`, { token: site.auth, headers: { 'x-request-id': 'trace-43' } });
    expect(again.status).toBe(409);
    expect(again.body.request_id).toBe('trace-43');
    expect(logged((l) => l.requestId === 'trace-43' && l.msg === 'request')).toEqual([
      expect.objectContaining({ status: 409, code: 'job_already_started' }),
    ]);
  });

  it('generates an id when none (or an unsafe one) is given', async () => {
    const plain = await app.request('GET', '/nope', { raw: true });
    const hostile = await app.request('GET', '/nope', { raw: true, headers: { 'x-request-id': 'a"b\\n{"admin":true}' } });
    for (const res of [plain, hostile]) {
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body.request_id).toBe(res.headers.get('x-request-id'));
    }
    expect(plain.body.request_id).not.toBe(hostile.body.request_id);
    expect(logged((l) => l.requestId === plain.body.request_id)).toEqual([
      expect.objectContaining({ msg: 'request', method: 'GET', route: 'unmatched', status: 404, code: 'route_not_found' }),
    ]);
  });

  it('logs an authentication failure at warn with the reason, never the credential', async () => {
    const expired = jwt.sign({ org: 'org-log', exp: Math.floor(Date.now() / 1000) - 60 }, TEST_JWT_SECRET, { algorithm: 'HS256' });
    const res = await app.request('GET', '/site', { token: expired, headers: { 'x-request-id': 'auth-1' } });
    expect(res.status).toBe(401);
    const warn = logged((l) => l.requestId === 'auth-1' && l.msg === 'authentication failed');
    expect(warn).toEqual([expect.objectContaining({ level: 40, code: 'token_invalid', reason: expect.stringMatching(/exp/), route: '/site', status: 401 })]);
    expect(JSON.stringify(lines)).not.toContain(expired);
  });

  it('counts polls instead of logging each one, and gives a rejected poll a request id', async () => {
    const site = await buildSite(app, 'org-log');
    const before = lines.length;
    await poll(app, site);
    await poll(app, site);
    expect(lines.slice(before).filter((l) => l.msg === 'request')).toEqual([]);
    const bad = await app.request('POST', '/poll', { headers: { authorization: 'Bearer nope', 'x-request-id': 'poll-1' }, body: '' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('x-request-id')).toBe('poll-1');
    expect(bad.body.request_id).toBe('poll-1');
  });
});
