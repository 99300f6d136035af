import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorRegistry } from '../../src/errors.js';
import { startApp, type TestApp } from '../support/app.js';

// GET /docs (Redoc over /openapi.json) and GET /docs/errors (docs/errors.md as HTML), both under a
// Content-Security-Policy that allows no inline script.

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

const directives = (csp: string | null): Map<string, string[]> =>
  new Map((csp ?? '').split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));

describe('the API reference page', () => {
  it('loads Redoc from this server, pointed at /openapi.json, with no inline script allowed', async () => {
    const res = await app.request('GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<redoc spec-url="/openapi.json"');
    expect(res.text).toContain('<script src="/docs/redoc.standalone.js"></script>');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it("serves Redoc's bundled script itself (no CDN)", async () => {
    const res = await app.request('GET', '/docs/redoc.standalone.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(res.text.length).toBeGreaterThan(100_000);
    expect(res.text).toContain('Redoc');
  });
});

describe('the error reference page', () => {
  it('is docs/errors.md as HTML with an anchor for every error code', async () => {
    const res = await app.request('GET', '/docs/errors');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    for (const code of Object.keys(errorRegistry)) expect(res.text, code).toContain(`<h2 id="${code}">`);
    // Links inside the page land on an anchor that exists.
    const ids = new Set([...res.text.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    for (const [, target] of res.text.matchAll(/href="#([^"]+)"/g)) expect(ids.has(target), target).toBe(true);
  });

  it("is what an error's doc_url points at", async () => {
    const error = await app.request('GET', '/site', {});
    expect(error.body.code).toBe('authentication_required');
    const url = new URL(error.body.doc_url);
    const page = await app.request('GET', url.pathname);
    expect(page.text).toContain(`id="${url.hash.slice(1)}"`);
  });

  it('allows only its own inline style (by hash) and no script', async () => {
    const res = await app.request('GET', '/docs/errors');
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.has('script-src')).toBe(false);
    const styles = [...res.text.matchAll(/<style>([^<]*)<\/style>/g)].map((m) => m[1]!);
    expect(styles).toHaveLength(1);
    const hash = createHash('sha256').update(styles[0]!).digest('base64');
    expect(csp.get('style-src')).toEqual([`'sha256-${hash}'`]);
    expect(res.text).not.toContain('<script');
  });
});
