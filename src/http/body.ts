import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';
import { AppError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** What a client that went away rejects with: the error middleware answers nothing (isClientAbort). */
const clientAbort = (): Error => Object.assign(new Error('request aborted'), { type: 'request.aborted' });

/**
 * The raw request body, at most `limit` bytes: a larger Content-Length, or more bytes sent, is a
 * 413 (body_too_large) without reading further; a client that goes away rejects as a client abort.
 * Node's HTTP parser already ends a body at its Content-Length and treats a shorter one as an abort.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) return reject(new AppError('body_too_large'));
    // A client that hung up while the request waited (e.g. a load generator stopping): its 'close'
    // has already been emitted, so waiting for it would never end.
    if (req.destroyed) return reject(clientAbort());
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received <= limit) chunks.push(chunk);
      else fail(new AppError('body_too_large'));
    };
    const onEnd = (): void => {
      off();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    };
    // 'close' before 'end' (or an 'error'): the client went away mid-body.
    const onAbort = (): void => fail(clientAbort());
    const off = (): void => void req.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onAbort);
    const fail = (err: Error): void => {
      off();
      req.pause();
      reject(err);
    };
    req.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onAbort);
  });
}

/** The request body as text, whatever its content type; invalid UTF-8 is a 400, oversize a 413. */
export function readText(ctx: Context, limit: number): Promise<string> {
  return readRequestText(ctx.req, limit);
}

/** readText for a plain Node request (the poll handler runs outside Koa). */
export async function readRequestText(req: IncomingMessage, limit: number): Promise<string> {
  const buf = await readBody(req, limit);
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
  return readBody(ctx.req, limit);
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
