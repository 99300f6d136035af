import { request as httpRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { buildSite, type BuiltSite } from '../factories.js';

// Input hygiene through the API (src/http/text.ts): one text rule for what people type, header
// values read as UTF-8, parameters capped at their column's range.

let app: TestApp;
let site: BuiltSite;
beforeAll(async () => {
  app = await startApp();
  site = await buildSite(app);
});
afterAll(async () => {
  await app.close();
});

/** POST /site/{id}/job with header bytes exactly as given (a latin-1 string is the raw bytes). */
function rawJob(description: string): Promise<{ status: number; body: any }> {
  const u = new URL(`${app.url}/site/${site.id}/job`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: u.hostname, port: u.port, method: 'POST', path: u.pathname,
        headers: { authorization: `Bearer ${site.auth}`, 'content-type': 'text/plain', 'x-idempotency-key': randomUUID(), 'x-description': description },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    // A Buffer: with a string body Node would encode the headers together with it as UTF-8.
    req.end(Buffer.from(':log info "x"'));
  });
}

describe('input hygiene', () => {
  it('refuses names with control or bidi override characters, and keeps honest Unicode', async () => {
    for (const name of ['evil\u202Etxt.exe', 'two\nlines', 'bell\u0007', 'nel\u0085']) {
      const res = await app.request('POST', '/site', { token: site.auth, body: { name } });
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect(res.body).toMatchObject({ code: 'parameter_invalid', message: expect.stringContaining("'name'") });
    }
    const ok = await app.request('POST', '/site', { token: site.auth, body: { name: 'Zürich 東京 🚀' } });
    expect(ok.body.name).toBe('Zürich 東京 🚀');
  });

  it('reads X-Description as UTF-8, and refuses bytes that are not', async () => {
    const created = await rawJob(Buffer.from('Café — guest VLAN', 'utf8').toString('latin1'));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.description).toBe('Café — guest VLAN');
    const bad = await rawJob('bad \xff\xfe bytes');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'parameter_invalid', message: expect.stringContaining('header.x-description') });
    const bidi = await rawJob(Buffer.from('a\u202Eb job', 'utf8').toString('latin1'));
    expect(bidi.status).toBe(400);
  });

  it('refuses an organisation claim with control characters', async () => {
    const res = await app.request('GET', '/site', { token: app.token('acme\u0000evil') });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('token_invalid');
  });

  it('caps the job list cursor at its column range', async () => {
    const res = await app.request('GET', `/site/${site.id}/job?cursor=9223372036854775808`, { token: site.auth });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('parameter_invalid');
    expect((await app.request('GET', `/site/${site.id}/job?cursor=9223372036854775807`, { token: site.auth })).status).toBe(200);
  });
});
