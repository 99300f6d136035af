import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';

// The dashboard's static files as the API process serves them (src/ui/static.ts), over a small
// stand-in build so each header rule can be checked exactly.

const INDEX = '<!doctype html><title>tikops</title><script type="module" src="/ui/assets/app-1a2b3c.js"></script>';
const APP_JS = `console.log(${JSON.stringify('x'.repeat(2000))});`;

let dir: string;
let app: TestApp;
let bare: TestApp;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tikops-ui-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dir, 'assets', 'app-1a2b3c.js'), APP_JS);
  writeFileSync(join(dir, 'assets', 'app-1a2b3c.js.gz'), gzipSync(APP_JS));
  app = await startApp({ env: { UI_DIR: dir } });
  bare = await startApp({ env: { UI_DIR: join(dir, 'missing') } });
});
afterAll(async () => {
  await app?.close();
  await bare?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> =>
  fetch(app.url + path, { method, headers, redirect: 'manual' });

describe('the dashboard at /ui', () => {
  it('redirects / and /ui to /ui/', async () => {
    for (const path of ['/', '/ui']) {
      const res = await get(path);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/ui/');
    }
  });

  it('serves index.html revalidated on every load, with a strict content security policy', async () => {
    const res = await get('/ui/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe(INDEX);
  });

  it('answers client routes with index.html so deep links and reloads work', async () => {
    for (const path of ['/ui/runbooks', '/ui/sites/9a9a3e6f-1b1a-4b1a-8c1a-1e1a1a1a1a1a/jobs/new']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toBe(INDEX);
    }
  });

  it('lets browsers keep hashed assets for a year and sends the precompressed copy when accepted', async () => {
    const plain = await get('/ui/assets/app-1a2b3c.js', { 'accept-encoding': 'identity' });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toMatch(/javascript/);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(await plain.text()).toBe(APP_JS);

    const gz = await get('/ui/assets/app-1a2b3c.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(await gz.text()).toBe(APP_JS); // fetch decodes it
    // No brotli copy on disk: a brotli-preferring client gets gzip or identity, never a broken body.
    const br = await get('/ui/assets/app-1a2b3c.js', { 'accept-encoding': 'br, gzip' });
    expect(await br.text()).toBe(APP_JS);
  });

  it('answers a repeated request with 304 when the file has not changed', async () => {
    const first = await get('/ui/');
    const etag = first.headers.get('etag') as string;
    expect(etag).toBeTruthy();
    // What a browser sends when it revalidates (fetch would add `no-cache`, which forces a full answer).
    const again = await get('/ui/', { 'if-none-match': etag, 'cache-control': 'max-age=0' });
    expect(again.status).toBe(304);
  });

  it('serves HEAD with the headers and no body', async () => {
    const res = await get('/ui/favicon.svg', {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await res.text()).toBe('');
  });

  it('answers a missing file with a 404 in the API error shape, never with the page', async () => {
    const res = await get('/ui/assets/app-000000.js');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: 'not_found_error', code: 'route_not_found' });
  });

  it('never serves a file outside its folder', async () => {
    for (const path of ['/ui/..%2f..%2fpackage.json', '/ui/assets/..%2F..%2F..%2Fetc%2Fpasswd', '/ui/%2e%2e%5cpackage.json', '/ui/a%00.js']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'route_not_found' });
    }
  });

  it('only answers GET and HEAD', async () => {
    const res = await get('/ui/', {}, 'POST');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await res.json()).toMatchObject({ code: 'method_not_allowed' });
    // The API's own routes are untouched by the dashboard in front of them.
    expect((await get('/site')).status).toBe(401);
    expect((await get('/', {}, 'POST')).status).toBe(404);
  });

  it('says how to build the dashboard when this install has none', async () => {
    const res = await fetch(`${bare.url}/ui/`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'ui_not_built', message: expect.stringContaining('npm run build') });
  });
});
