import type { Middleware } from 'koa';
import { AppError, errorRegistry, type ErrorCode } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import type { RequestState } from './request-context.js';

// The first middleware inside the request context (src/http/request-context.ts), and the only place
// that knows the wire shape {type, code, message, doc_url, request_id}.

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

/** Errors thrown by Koa and @koa/router (and any error carrying an HTTP status), mapped onto registry codes. */
function fromHttpError(err: HttpishError): ErrorCode | null {
  const status = err.status ?? err.statusCode;
  if (err.type === 'entity.too.large' || status === 413) return 'body_too_large';
  if (err.type === 'encoding.unsupported' || status === 415) return 'unsupported_media_type';
  if (err.type === 'request.size.invalid') return 'parameter_invalid';
  if (status === 405 || status === 501) return 'method_not_allowed';
  if (status === 404) return 'route_not_found';
  return null;
}

/**
 * A backstop: PostgreSQL's data exceptions (SQLSTATE class 22: out of range, invalid text
 * representation, untranslatable character …) mean a value got past validation that the database
 * cannot hold. That is the request's fault, so 400 rather than 500; validation should catch it first.
 */
function isDataException(err: unknown): boolean {
  const e = err as { code?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } };
  // pg reports the SQLSTATE as `code`; Prisma keeps it in meta.driverAdapterError.cause.originalCode.
  const code = e.meta?.driverAdapterError?.cause?.originalCode ?? e.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/** Outages of Redis or PostgreSQL: the client should retry later, so 503 rather than 500. */
function isBackendUnavailable(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: string };
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (e.code === 'ECONNREFUSED' || e.code === 'P1001' || e.code === 'P1017' || e.code === '57P01') return true;
  return /Stream isn't writeable|Connection is closed|Can't reach database server|DatabaseNotReachable/.test(e.message ?? '');
}

function isClientAbort(err: unknown): boolean {
  const e = err as { type?: string; code?: string };
  return e.type === 'request.aborted' || e.code === 'ECONNRESET' || e.code === 'ECONNABORTED';
}

export interface ErrorResponse {
  status: number;
  body: { type: string; code: ErrorCode; message: string; doc_url: string; request_id: string };
  /** Why, for the log only (never sent): the cause's message, e.g. the JWT library's reason. */
  reason?: string;
}

/**
 * The wire form of any error: AppErrors by their code, Koa/router/body errors by their kind,
 * backend outages as 503, anything else as a generic 500 whose message is never echoed. Null for a
 * client that went away (nothing to answer).
 */
export function toErrorResponse(err: unknown, docsUrl: string, requestId: string): ErrorResponse | null {
  if (isClientAbort(err)) return null;
  const code =
    err instanceof AppError
      ? err.code
      : isBackendUnavailable(err)
        ? 'service_unavailable'
        : isDataException(err)
          ? 'parameter_invalid'
          : fromHttpError(err as HttpishError);
  const appErr = err instanceof AppError ? err : new AppError(code ?? 'internal_server_error');
  const spec = errorRegistry[appErr.code];
  return {
    status: spec.status,
    body: {
      type: spec.type,
      code: appErr.code,
      // An unknown error became a fresh AppError above, so its message is never echoed; one thrown
      // on purpose (a 503 naming the backend that is down) says what it says.
      message: appErr.message,
      doc_url: `${docsUrl}/errors#${appErr.code}`,
      request_id: requestId,
    },
    reason: appErr.cause instanceof Error ? appErr.cause.message : undefined,
  };
}

export function errorMiddleware(opts: { docsUrl: string; log: Logger }): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body === undefined || ctx.body === null) {
        if (ctx.status === 404) throw new AppError('route_not_found');
        if (ctx.status === 405 || ctx.status === 501) throw new AppError('method_not_allowed');
      }
    } catch (err) {
      const state = ctx.state as RequestState;
      const res = toErrorResponse(err, opts.docsUrl, state.requestId);
      if (!res) {
        ctx.status = 499;
        ctx.body = null;
        return;
      }
      state.error = { code: res.body.code, reason: res.reason };
      const where = { requestId: (ctx.state as { requestId?: string }).requestId, method: ctx.method, path: ctx.path };
      if (res.status >= 500) opts.log.error({ err, ...where }, 'request failed');
      else if (isDataException(err)) opts.log.warn({ err, ...where }, 'input passed validation but not PostgreSQL');
      ctx.status = res.status;
      ctx.type = 'application/json';
      ctx.body = res.body;
    }
  };
}
