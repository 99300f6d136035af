import { readFileSync } from 'node:fs';
import type { AppRouter } from './auth.js';
import type { Deps } from '../runtime.js';
import { findUp } from '../lib/paths.js';
import { buildOpenapi } from './openapi.js';

/** Public, unauthenticated documents: the OpenAPI description and the error code reference. */
export function openapiRoutes(router: AppRouter, deps: Deps): void {
  const document = buildOpenapi(deps.config.publicUrl);
  const errorsDoc = readFileSync(findUp(import.meta.url, 'docs/errors.md'), 'utf8');
  router.get('/openapi.json', (ctx) => {
    ctx.body = document;
  });
  router.get('/docs/errors', (ctx) => {
    ctx.type = 'text/markdown; charset=utf-8';
    ctx.body = errorsDoc;
  });
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
}
