import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Marked } from 'marked';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { findUp } from '../lib/paths.js';
import { readiness } from '../runtime.js';
import { defineRoute, json, text, type AnyRoute } from './route.js';

// Public documents: the OpenAPI document, a readable API reference (Redoc, served from this
// process: no CDN) and the error code reference (docs/errors.md as HTML, one anchor per code, so
// an error's doc_url lands on its section). Both pages run under a Content-Security-Policy with no
// inline script; Redoc's styled-components inject <style> elements, hence 'unsafe-inline' styles
// there, and its search runs in a blob: worker.

const SECURITY_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };
const LOCKDOWN = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const REDOC_CSP = `${LOCKDOWN}; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:`;

const ERRORS_CSS = `body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
code,pre{font:14px ui-monospace,monospace;background:#f6f8fa;border-radius:4px}code{padding:.1em .3em}pre{padding:1rem;overflow:auto}
h2{margin-top:2.5rem;border-bottom:1px solid #d1d9e0}h1 a,h2 a{color:inherit;text-decoration:none}h2:target{background:#fff8c5}`;

/** The script the build copies next to this file (scripts/copy-assets.mjs), or node_modules' when run from source. */
function redocPath(): string {
  const built = fileURLToPath(new URL('./assets/redoc.standalone.js', import.meta.url));
  return existsSync(built) ? built : createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
}

/** docs/errors.md as an HTML page; each heading's id is its text, so `#<code>` anchors work. */
export function renderErrorsPage(markdown: string): string {
  const marked = new Marked({
    renderer: {
      heading({ tokens, depth, text: raw }) {
        const id = raw.toLowerCase().replace(/[^a-z0-9_]+/g, '-');
        return `<h${depth} id="${id}"><a href="#${id}">${this.parser.parseInline(tokens)}</a></h${depth}>\n`;
      },
    },
  });
  const body = marked.parse(markdown, { async: false });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>tikops error reference</title><style>${ERRORS_CSS}</style></head>
<body><main>${body}</main></body></html>`;
}

const pathOf = (publicUrl: string): string => new URL(publicUrl).pathname.replace(/\/+$/, '');

const referencePage = (base: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>tikops API reference</title></head>
<body><redoc spec-url="${base}/openapi.json" expand-responses="200,201,202"></redoc><script src="${base}/docs/redoc.standalone.js"></script></body></html>`;

/** The document routes; `document` returns the OpenAPI document they serve (built from every route). */
export function docsRoutes(document: () => Record<string, unknown>): AnyRoute[] {
  let redoc: string | undefined;
  let errorsPage: { html: string; csp: string } | undefined;
  const errors = (): { html: string; csp: string } => {
    if (errorsPage) return errorsPage;
    const html = renderErrorsPage(readFileSync(findUp(import.meta.url, 'docs/errors.md'), 'utf8'));
    const styleHash = createHash('sha256').update(ERRORS_CSS).digest('base64');
    return (errorsPage = { html, csp: `${LOCKDOWN}; style-src 'sha256-${styleHash}'` });
  };
  const secure = (header: (name: string, value: string) => void, csp: string): void => {
    header('Content-Security-Policy', csp);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) header(name, value);
  };

  return [
    defineRoute({
      method: 'GET',
      path: '/openapi.json',
      operationId: 'openapi',
      tags: ['Meta'],
      summary: 'This document',
      auth: 'none',
      responses: { 200: json(z.record(z.string(), z.unknown()), 'The OpenAPI document.') },
      handler: () => document(),
    }),
    defineRoute({
      method: 'GET',
      path: '/docs',
      operationId: 'apiReference',
      tags: ['Meta'],
      summary: 'The API reference (this document, rendered by Redoc)',
      auth: 'none',
      responses: { 200: text('An HTML page.', { type: 'text/html' }) },
      handler({ deps, header }) {
        secure(header, REDOC_CSP);
        return referencePage(pathOf(deps.config.publicUrl));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/docs/redoc.standalone.js',
      operationId: 'apiReferenceScript',
      tags: ['Meta'],
      summary: "The API reference's script (Redoc's standalone bundle)",
      auth: 'none',
      responses: { 200: text('JavaScript.', { type: 'application/javascript' }) },
      handler({ header }) {
        header('Cache-Control', 'public, max-age=3600');
        return (redoc ??= readFileSync(redocPath(), 'utf8'));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/docs/errors',
      operationId: 'errorDocs',
      tags: ['Meta'],
      summary: 'The error code reference',
      description: 'docs/errors.md as HTML; `#<code>` jumps to a code (the `doc_url` of every error).',
      auth: 'none',
      responses: { 200: text('An HTML page.', { type: 'text/html' }) },
      handler({ header }) {
        const page = errors();
        secure(header, page.csp);
        return page.html;
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/healthz',
      operationId: 'health',
      tags: ['Meta'],
      summary: 'Liveness probe',
      auth: 'none',
      responses: { 200: json(z.object({ status: z.literal('ok') }).meta({ id: 'Health', description: 'Liveness of the API process.' }), 'The process is up.') },
      handler: () => ({ status: 'ok' as const }),
    }),
    defineRoute({
      method: 'GET',
      path: '/readyz',
      operationId: 'ready',
      tags: ['Meta'],
      summary: 'Readiness probe',
      description:
        'Whether this API process can serve requests now: PostgreSQL answers a query and Redis is connected (each checked with a 2 s budget). 503 `service_unavailable` names the backend that is not; liveness stays `GET /healthz`.',
      auth: 'none',
      responses: {
        200: json(
          z
            .object({ status: z.literal('ready'), postgres: z.literal('ok'), redis: z.literal('ok') })
            .meta({ id: 'Readiness', description: 'Both backends answered.' }),
          'Ready.',
        ),
      },
      errors: ['service_unavailable'],
      async handler({ deps }) {
        const r = await readiness(deps);
        if (!r.ready) {
          throw new AppError('service_unavailable', { message: `Not ready: PostgreSQL ${r.postgres}; Redis ${r.redis}.` });
        }
        return { status: 'ready' as const, postgres: 'ok' as const, redis: 'ok' as const };
      },
    }),
  ];
}
