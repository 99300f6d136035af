import type Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../errors.js';
import { safeEqual } from '../lib/crypto.js';
import type { Deps } from '../runtime.js';
import type { DeviceIdentity } from '../tokens/device-token.js';
import { newId } from '../lib/ids.js';
import { authenticateSession, checkCsrf, sessionIdFrom } from '../sessions/sessions.service.js';
import { bearerToken, requireScopes, type Credential, type Operator } from './auth.js';
import { credentialOf } from './operator-auth.js';
import { readBytes, readJson, readPlainText, readText } from './body.js';
import type { AnyRoute, BodySpec, Input, ResponseSpec } from './route.js';
import { utf8Headers } from './text.js';
import type { RequestState } from './request-context.js';
import { parse } from './validate.js';
import { addressKey, operatorKey, rateLimiter } from './rate-limit.js';

// Serves route specs (src/http/route.ts): authenticates the caller, validates path, query, headers
// and body into `input`, calls the handler and writes its reply with the documented status and
// content type. Order: credential → parameters → signed-URL check → body → handler.

/** `/site/{siteId}/job` → `/site/:siteId/job`. */
export const koaPath = (template: string): string => template.replace(/\{([^}]+)\}/g, ':$1');

/** The first documented 2xx status: what a handler answers unless it says otherwise. */
function defaultStatus(route: AnyRoute): number {
  const status = Object.keys(route.responses).map(Number).find((s) => s >= 200 && s < 300);
  if (status === undefined) throw new Error(`${route.method} ${route.path}: no 2xx response`);
  return status;
}

function readBody(ctx: Context, spec: BodySpec | undefined, defaultLimit: number): Promise<unknown> {
  if (!spec) return Promise.resolve(undefined);
  const limit = spec.limit ?? defaultLimit;
  switch (spec.kind) {
    case 'json':
      return readJson(ctx, limit).then((json) => parse(spec.schema, json));
    case 'text':
      return spec.anyContentType ? readText(ctx, limit) : readPlainText(ctx, limit);
    case 'bytes':
      return readBytes(ctx, limit);
  }
}

function send(ctx: Context, status: number, spec: ResponseSpec | undefined, body: unknown): void {
  ctx.status = status;
  if (spec?.kind === 'text' && !ctx.response.get('Content-Type')) ctx.type = `${spec.type}; charset=utf-8`;
  ctx.body = spec?.kind === 'empty' ? null : body;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: the client's X-Request-Id when well-formed (so logs can be joined), else a new one. */
function requestIdOf(ctx: Context): string {
  const given = ctx.get('x-request-id');
  return REQUEST_ID.test(given) ? given : newId();
}

/**
 * The deps a request's handler gets: the process's, with a logger that puts the request id on every
 * line the handler and the services it calls write (the test: test/http/request-log.test.ts).
 */
function forRequest(deps: Deps, requestId: string): Deps {
  return Object.create(deps, { log: { value: deps.log.child({ requestId }) } }) as Deps;
}

/** Registers every route that has a handler on `router` (POST /poll has none: it is served before Koa). */
export function registerRoutes(router: Router, routes: readonly AnyRoute[], deps: Deps): void {
  const { bodyLimitBytes, metricsToken } = deps.config;
  const limit = rateLimiter(deps.limits, deps.log);

  // API keys (`tko_…`) and JWTs share the Bearer header; without one, the dashboard's session
  // cookie, whose state-changing requests must carry its CSRF token.
  const operatorCredential = async (ctx: Context): Promise<Credential> => {
    const authorization = ctx.get('authorization');
    const sid = authorization ? undefined : sessionIdFrom(ctx.get('cookie'));
    if (sid === undefined) return credentialOf(deps, bearerToken(authorization));
    const credential = await authenticateSession(deps, sid);
    checkCsrf(deps.config, ctx.method, sid, ctx.get('x-csrf-token') || undefined);
    return credential;
  };

  const authenticate = async (route: AnyRoute, ctx: Context): Promise<Operator | DeviceIdentity | null> => {
    const auth = route.auth;
    if (auth === 'device') {
      const device = deps.deviceTokens.verify(bearerToken(ctx.get('authorization')));
      if (!device) throw new AppError('device_token_invalid');
      return device;
    }
    if (auth === 'metrics') {
      if (metricsToken && !safeEqual(ctx.get('authorization'), `Bearer ${metricsToken}`)) throw new AppError('authentication_required');
      return null;
    }
    if (typeof auth === 'object' && 'operator' in auth) {
      const { expiresAt: _expiresAt, ...credential } = await operatorCredential(ctx);
      await limit(ctx, 'operator', operatorKey(credential));
      requireScopes(credential, auth.operator);
      const requestId = requestIdOf(ctx);
      ctx.set('X-Request-Id', requestId);
      return { ...credential, requestId, source: ctx.ip || null };
    }
    return null;
  };

  for (const route of routes) {
    const handler = route.handler?.bind(route);
    if (!handler) continue;
    const status = defaultStatus(route);
    router.register(koaPath(route.path), [route.method], async (ctx) => {
      // Before the credential: these routes check tokens anyone can guess at.
      if (route.limit === 'address') await limit(ctx, 'address', addressKey(ctx.ip));
      const caller = await authenticate(route, ctx);
      if (caller && 'org' in caller) (ctx.state as RequestState).org = caller.org;
      const input: Input = {
        params: route.params ? parse(route.params, ctx.params) : {},
        query: route.query ? parse(route.query, ctx.query, 'query') : {},
        headers: route.headers ? parse(route.headers, utf8Headers(ctx.headers), 'header') : {},
        body: undefined,
      };
      const auth = route.auth;
      if (typeof auth === 'object' && 'signed' in auth && !auth.signed(deps, input)) throw new AppError('signature_invalid');
      input.body = await readBody(ctx, route.body, bodyLimitBytes);
      let answer = status;
      const reply = await handler({
        deps: forRequest(deps, (ctx.state as RequestState).requestId),
        input,
        caller,
        source: ctx.ip || null,
        status: (code) => void (answer = code),
        header: (name, value) => ctx.set(name, value),
      });
      send(ctx, answer, route.responses[answer], reply);
    });
  }
}
