import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { ErrorCode } from '../errors.js';
import type { Deps } from '../runtime.js';
import type { DeviceIdentity } from '../tokens/device-token.js';
import type { Operator, Scope } from './auth.js';

// A route is data: method, path, who may call it, what it reads (zod schemas), what it answers
// (zod schemas) and which error codes it can answer with. src/http/register.ts serves routes from
// these specs and src/http/openapi.ts writes the OpenAPI document from the same specs, so the
// document cannot describe a request or response the code does not validate or produce.

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type Tag = 'Sites' | 'Jobs' | 'Rollouts' | 'Developer API' | 'Backups' | 'Runbooks' | 'Fleet health' | 'Device' | 'Access' | 'Meta';

/** Path, query and header parameters: a zod object whose keys are the names (headers lower-case). */
type Params = z.ZodObject | undefined;

/**
 * Who may call a route:
 * - `{ operator: scopes }`: an operator JWT (Authorization: Bearer) that grants every listed scope;
 * - `'device'`: a site's device token (Authorization: Bearer);
 * - `{ signed }`: a URL the server signed (the router's callbacks); `signed` checks the validated input;
 * - `'runbook'`: the runbook token in the path, resolved by the service (404/410 when unknown/revoked);
 * - `'metrics'`: METRICS_TOKEN as a bearer token when it is set, else anyone;
 * - `'none'`: anyone.
 */
export type Auth<In = unknown> =
  | { operator: readonly Scope[] }
  | 'device'
  | { signed(deps: Deps, input: In): boolean }
  | 'runbook'
  | 'metrics'
  | 'none';

/** Request bodies: JSON validated by a schema, UTF-8 text, or raw bytes. `limit` defaults to BODY_LIMIT_BYTES. */
export type BodySpec =
  | { kind: 'json'; schema: z.ZodType; limit?: number; description?: string }
  | { kind: 'text'; limit?: number; description?: string; example?: string; anyContentType?: boolean }
  | { kind: 'bytes'; limit: number; description?: string };

/** Responses by status: a JSON body validated (in tests) against its schema, text, or nothing. */
export type ResponseSpec =
  | { kind: 'json'; schema: z.ZodType; description: string; headers?: Record<string, string> }
  | { kind: 'text'; type: string; description: string; example?: string; headers?: Record<string, string> }
  | { kind: 'empty'; description: string };

export type Responses = Readonly<Partial<Record<number, ResponseSpec>>>;

type Out<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;
type BodyOut<B> = B extends { kind: 'json'; schema: infer S extends z.ZodType }
  ? z.output<S>
  : B extends { kind: 'text' }
    ? string
    : B extends { kind: 'bytes' }
      ? Buffer
      : undefined;

/** The validated request: path parameters, query, headers and body, as their schemas output them. */
export interface Input<P = Params, Q = Params, H = Params, B = BodySpec | undefined> {
  params: Out<P>;
  query: Out<Q>;
  headers: Out<H>;
  body: BodyOut<B>;
}

type CallerOf<A> = A extends { operator: readonly Scope[] } ? Operator : A extends 'device' ? DeviceIdentity : null;

type Produced<T> = T extends { kind: 'json'; schema: infer S extends z.ZodType }
  ? z.output<S>
  : T extends { kind: 'text' }
    ? string | Buffer | Readable
    : T extends { kind: 'empty' }
      ? undefined
      : never;

/** What a handler returns: the body of one of its documented 2xx responses. */
export type Reply<R> = { [K in keyof R]: `${K & number}` extends `2${string}` ? Produced<R[K]> : never }[keyof R];

export interface RouteContext<In = Input, C = unknown> {
  readonly deps: Deps;
  readonly input: In;
  /** The authenticated caller: the operator (tenant and scopes) or the device, per the route's auth. */
  readonly caller: C;
  /** The client's address (X-Forwarded-For only with TRUST_PROXY), as the audit log records it. */
  readonly source: string | null;
  /** Answers with `code` instead of the route's first documented 2xx status. */
  readonly status: (code: number) => void;
  readonly header: (name: string, value: string) => void;
}

export interface RouteSpec<
  P extends Params = Params,
  Q extends Params = Params,
  H extends Params = Params,
  B extends BodySpec | undefined = BodySpec | undefined,
  R extends Responses = Responses,
  A extends Auth<Input<P, Q, H, B>> = Auth<Input<P, Q, H, B>>,
> {
  method: Method;
  /** The OpenAPI path template, e.g. `/site/{siteId}/job`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly Tag[];
  auth: A;
  params?: P;
  query?: Q;
  headers?: H;
  body?: B;
  responses: R;
  /**
   * `'address'`: the route is rate-limited per source address (RATE_LIMIT_ADDRESS_PER_MINUTE), for
   * routes anyone can reach. Operator routes are always limited per credential (src/http/rate-limit.ts).
   */
  limit?: 'address';
  /** Domain error codes (src/errors.ts) the route can answer with; those of auth and validation are implied. */
  errors?: readonly ErrorCode[];
  /** Absent only for a route served before Koa for speed (POST /poll, src/app.ts). */
  handler?(ctx: RouteContext<Input<P, Q, H, B>, CallerOf<A>>): Promise<Reply<R>> | Reply<R>;
}

export type AnyRoute = RouteSpec;

/** A route spec, checked: the handler's input and caller follow the schemas and auth, its reply the responses. */
export function defineRoute<
  P extends Params = undefined,
  Q extends Params = undefined,
  H extends Params = undefined,
  B extends BodySpec | undefined = undefined,
  const R extends Responses = Responses,
  const A extends Auth<Input<P, Q, H, B>> = Auth<Input<P, Q, H, B>>,
>(spec: RouteSpec<P, Q, H, B, R, A>): AnyRoute {
  return spec as unknown as AnyRoute;
}

export const json = <S extends z.ZodType>(schema: S, description: string, headers?: Record<string, string>) =>
  ({ kind: 'json', schema, description, headers }) as const;

/** A text response; `type` is its media type (charset utf-8 is added on the wire). */
export const text = (description: string, opts: { type?: string; example?: string; headers?: Record<string, string> } = {}) =>
  ({ kind: 'text', type: opts.type ?? 'text/plain', description, example: opts.example, headers: opts.headers }) as const;

export const empty = (description: string) => ({ kind: 'empty', description }) as const;

export const jsonBody = <S extends z.ZodType>(schema: S, opts: { limit?: number; description?: string } = {}) =>
  ({ kind: 'json', schema, ...opts }) as const;

/** A UTF-8 text body; `text/plain` is required unless `anyContentType` (routers' /tool fetch sends its own). */
export const textBody = <const O extends { limit?: number; description?: string; example?: string; anyContentType?: boolean }>(opts: O) =>
  ({ kind: 'text', ...opts }) as const;

export const bytesBody = (limit: number, description?: string) => ({ kind: 'bytes', limit, description }) as const;
