import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';
import type { Context } from 'koa';
import { AppError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request, or the client abort raw-body would otherwise report as a 500 "stream is not
 * readable" (a client that hung up while the request waited, e.g. a load generator stopping).
 */
function unlessAborted(req: IncomingMessage): IncomingMessage {
  if (req.destroyed) throw Object.assign(new Error('request aborted'), { type: 'request.aborted' });
  return req;
}

/** The request body as text, whatever its content type; invalid UTF-8 is a 400, oversize a 413. */
export function readText(ctx: Context, limit: number): Promise<string> {
  return readRequestText(ctx.req, limit);
}

/** readText for a plain Node request (the poll handler runs outside Koa). */
export async function readRequestText(req: IncomingMessage, limit: number): Promise<string> {
  const length = req.headers['content-length'];
  const buf = await getRawBody(unlessAborted(req), { limit, length });
  try {
    return utf8.decode(buf);
  } catch {
    throw new AppError('parameter_invalid', { param: 'body', message: 'The request body must be UTF-8 text.' });
  }
}

/** The request body as text/plain: another declared content type is a 415 (none at all is accepted). */
export function readPlainText(ctx: Context, limit: number): Promise<string> {
  const type = ctx.request.type;
  if (type !== '' && type !== 'text/plain') {
    throw new AppError('unsupported_media_type', { message: 'Send the body as text/plain.' });
  }
  return readText(ctx, limit);
}

/** The raw request body, any content type (backup parts are byte slices, not necessarily UTF-8). */
export function readBytes(ctx: Context, limit: number): Promise<Buffer> {
  const length = ctx.get('content-length');
  return getRawBody(unlessAborted(ctx.req), { limit, length: length === '' ? undefined : length });
}

/** The request body parsed as JSON; requires a JSON content type. */
export async function readJson(ctx: Context, limit: number): Promise<unknown> {
  if (!ctx.is('application/json', '+json')) {
    throw new AppError('unsupported_media_type', { message: 'Send the body as application/json.' });
  }
  const text = await readText(ctx, limit);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('json_invalid');
  }
}
