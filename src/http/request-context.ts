import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { ErrorCode } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../metrics/metrics.js';

// The outermost middleware of the Koa app: a request id for every request (the caller's
// X-Request-Id if it is a plain token, otherwise a new UUID), echoed in the response header and
// carried by every log line written while the request is served (its handler's deps.log, src/http/register.ts), then one
// access-log line per request and its latency in the HTTP histogram. POST /poll is served before
// Koa (src/app.ts): polls are counted (tikops_polls_total), not logged one by one.

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Printable, log-safe and short; anything else is replaced rather than echoed into logs. */
const CLIENT_ID = /^[A-Za-z0-9._:/+=@-]{1,128}$/;

/** The caller's request id, if it is a plain token, or a new one. */
export function requestIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given && CLIENT_ID.test(given) ? given : randomUUID();
}

/** What the error middleware leaves for the access log about an error answer. */
export interface ErrorNote {
  code: ErrorCode;
  /** Why, without secrets: e.g. the JWT library's reason for an invalid token. */
  reason?: string;
}

export interface RequestState {
  requestId: string;
  /** The operator's organisation, once authenticated. */
  org?: string;
  error?: ErrorNote;
}

/** Failed authentication or authorisation: logged at warn (never the credential itself). */
const AUTH_CODES: ReadonlySet<string> = new Set([
  'authentication_required',
  'token_invalid',
  'insufficient_scope',
  'device_token_invalid',
  'signature_invalid',
]);

const routeOf = (ctx: Context): string => String((ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched');

export function requestContext(deps: { log: Logger; metrics: Metrics }): Middleware {
  const histogram = deps.metrics.httpDuration;
  return async (ctx, next) => {
    const state = ctx.state as RequestState;
    state.requestId = requestIdOf(ctx.req.headers['x-request-id']);
    ctx.set(REQUEST_ID_HEADER, state.requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(ctx);
      const status = ctx.status;
      histogram.observe({ method: ctx.method, route, status: String(status) }, seconds);
      const line = {
        requestId: state.requestId,
        method: ctx.method,
        route,
        status,
        ms: Math.round(seconds * 1e4) / 10,
        org: state.org,
        code: state.error?.code,
      };
      deps.log.info(line, 'request');
      if (state.error && AUTH_CODES.has(state.error.code)) {
        deps.log.warn({ ...line, ip: ctx.ip, reason: state.error.reason }, 'authentication failed');
      }
    }
  };
}
