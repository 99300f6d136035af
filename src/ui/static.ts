import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { Context, Middleware } from 'koa';
import { AppError } from '../errors.js';
import { findUp } from '../lib/paths.js';
import type { Deps } from '../runtime.js';

// The operator dashboard (ui/, built by Vite into dist/ui) served from the API process. Hashed
// assets under /ui/assets never change, so browsers keep them a year; every other file (index.html)
// is revalidated on each load, so a new build is picked up at once. Any other path under /ui is a
// client route and gets index.html (the SPA decides). The dashboard only calls the public JSON API.
// It is a middleware in front of the API router, not a route spec: the router and the OpenAPI
// document list the API (test/http/routes.test.ts), and these files are not part of it.

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
/** The page runs only its own bundle and talks only to this origin; it is never framed. */
const CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
/** Files Vite's build precompressed beside the original (ui/vite.config.ts). */
const PRECOMPRESSED = new Set(['.html', '.js', '.css', '.svg', '.json']);

/**
 * GET (and HEAD) of / and /ui redirect to the dashboard; /ui/… serves its files or, for client
 * routes, index.html. Every other request passes to the API router.
 */
export function serveDashboard(deps: Deps): Middleware {
  const root = resolve(deps.config.uiDir ?? join(dirname(findUp(import.meta.url, 'package.json')), 'dist', 'ui'));
  return async (ctx, next) => {
    const path = ctx.path;
    const ui = path === '/ui' || path.startsWith('/ui/');
    const read = ctx.method === 'GET' || ctx.method === 'HEAD';
    if (!ui && (path !== '/' || !read)) {
      await next();
      return;
    }
    if (!read) {
      ctx.set('Allow', 'GET, HEAD');
      throw new AppError('method_not_allowed');
    }
    if (!ui || path === '/ui') return ctx.redirect('/ui/');
    await serve(ctx, root, decodePath(path.slice('/ui/'.length)));
  };
}

/** The percent-decoded path, or a 404 when it is not valid UTF-8 percent-encoding. */
function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError('route_not_found');
  }
}

/** The file `rel` (a decoded path under /ui/) inside `root`, or null if it could escape it. */
export function safePath(root: string, rel: string): string | null {
  const parts = rel.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\0'))) return null;
  const file = resolve(root, ...parts);
  return file.startsWith(root + sep) ? file : null;
}

async function regularFile(path: string): Promise<Stats | null> {
  const s = await stat(path).catch(() => null);
  return s?.isFile() ? s : null;
}

async function serve(ctx: Context, root: string, rel: string): Promise<void> {
  const requested = rel === '' ? null : safePath(root, rel);
  if (rel !== '' && !requested) throw new AppError('route_not_found');
  let file = requested;
  let stats = file ? await regularFile(file) : null;
  if (!stats) {
    // A missing file with an extension (a stale asset URL) is a 404, never HTML under a .js name.
    if (extname(rel) !== '') throw new AppError('route_not_found');
    file = join(root, 'index.html');
    stats = await regularFile(file);
    if (!stats) throw new AppError('ui_not_built');
  }
  const ext = extname(file as string);
  ctx.status = 200;
  ctx.type = ext;
  ctx.set('Cache-Control', rel.startsWith('assets/') ? IMMUTABLE : REVALIDATE);
  ctx.set('X-Content-Type-Options', 'nosniff');
  if (ext === '.html') {
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('Referrer-Policy', 'no-referrer');
  }
  let body = file as string;
  if (PRECOMPRESSED.has(ext)) {
    ctx.vary('Accept-Encoding');
    const encoding = ctx.acceptsEncodings('br', 'gzip', 'identity');
    const variant = encoding === 'br' || encoding === 'gzip' ? `${body}.${encoding === 'br' ? 'br' : 'gz'}` : null;
    const vstats = variant ? await regularFile(variant) : null;
    if (variant && vstats) {
      ctx.set('Content-Encoding', encoding as string);
      body = variant;
      stats = vstats;
    }
  }
  ctx.etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
  ctx.lastModified = stats.mtime;
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  // Koa sends no body for HEAD and destroys the unread stream when the response finishes.
  ctx.body = createReadStream(body);
  ctx.length = stats.size;
}
