import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { redisAnswers } from '../support/worker.js';
import { buildJob, buildSite, callback, parseWrapper, poll } from '../factories.js';

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

const shape = (body: Record<string, unknown>): string[] => Object.keys(body).sort();

describe('error responses', () => {
  it('answers unknown routes with 404 route_not_found in the error shape', async () => {
    const res = await app.request('GET', '/nope', { raw: true });
    expect(res.status).toBe(404);
    expect(shape(res.body)).toEqual(['code', 'doc_url', 'message', 'request_id', 'type']);
    expect(res.body).toMatchObject({ type: 'not_found_error', code: 'route_not_found' });
    expect(res.body.doc_url).toBe(`${app.url}/docs/errors#route_not_found`);
  });

  it('answers a wrong method with 405 and an Allow header', async () => {
    const res = await app.request('PUT', '/poll', { raw: true, body: 'x' });
    expect(res.status).toBe(405);
    expect(res.body.code).toBe('method_not_allowed');
    expect(res.headers.get('allow')).toContain('POST');
  });

  it('serves the error reference the doc_url points at', async () => {
    const res = await app.request('GET', '/docs/errors');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h2 id="route_not_found">');
  });

  it('answers polls and /readyz 503 while Redis is away, yet still takes router callbacks (PostgreSQL is the truth)', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    await redisAnswers(port);
    const down = await startApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
    try {
      const site = await buildSite(down);
      const job = await buildJob(down, site);
      const w = parseWrapper(await poll(down, site));
      redis.kill('SIGKILL');
      await new Promise((r) => redis.once('exit', r));
      const res = await down.request('POST', '/poll', { headers: { authorization: `Bearer ${site.token}` }, body: '' });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('service_unavailable');
      const ready = await down.request('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ code: 'service_unavailable', message: expect.stringMatching(/^Not ready: PostgreSQL ok; Redis connection /) });
      expect((await down.request('GET', '/healthz')).status).toBe(200);
      expect((await callback(down, w.busy!)).text).toBe('claimed');
      expect((await callback(down, w.done!)).text).toBe('ok');
      const after = await down.request('GET', `/site/${site.id}/job/${job.id}`, { token: site.auth });
      expect(after.body.status).toBe('completed');
    } finally {
      redis.kill('SIGKILL');
      await down.close();
    }
  });

  it('never answers 500 to hostile input', async () => {
    const auth = app.token('org-fuzz');
    const site = await app.request('POST', '/site', { token: auth, body: { name: 'fuzz' } });
    const probes: [string, string, Record<string, string>, string][] = [
      ['POST', '/site', { 'content-type': 'application/json' }, '{"name":'],
      ['POST', '/site', { 'content-type': 'application/json' }, '[]'],
      ['POST', '/site', { 'content-type': 'application/json' }, 'null'],
      ['POST', '/site', { 'content-type': 'application/json' }, '{"__proto__":{"name":"x"}}'],
      ['POST', `/site/${site.body.id}/job`, { 'x-idempotency-key': '../../etc', 'x-description': '%00' }, '\u0000'],
      ['GET', `/site/${site.body.id}/job?limit=1e400&cursor=99999999999999999999`, {}, ''],
      ['GET', '/site/%E0%A4%A/job', {}, ''],
      ['POST', '/poll', { authorization: 'Bearer ' + 'A'.repeat(66) }, 'a=b'],
      ['POST', '/poll', { authorization: 'Bearer' }, ''],
      ['GET', '/job/00000000-0000-0000-0000-000000000000/update?status=done&attempt=99999999999999999&signature=x', {}, ''],
    ];
    for (const [method, path, headers, body] of probes) {
      const res = await fetch(app.url + path, {
        method,
        headers: { authorization: `Bearer ${auth}`, ...headers },
        body: method === 'GET' ? undefined : body,
      });
      expect([path, res.status < 500]).toEqual([path, true]);
      const json = (await res.json()) as Record<string, unknown>;
      expect(shape(json)).toEqual(['code', 'doc_url', 'message', 'request_id', 'type']);
    }
  });
});
