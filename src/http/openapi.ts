import { z } from 'zod';
import { errorRegistry, type ErrorCode } from '../errors.js';
import { RATE_LIMIT_HEADERS, RETRY_AFTER_HEADER } from './rate-limit.js';
import type { AnyRoute, BodySpec, ResponseSpec, Tag } from './route.js';

// The OpenAPI 3.0.3 document, generated from the route specs (src/http/route.ts) with zod 4's own
// z.toJSONSchema (target openapi-3.0): requests as their schemas accept them (io: input), responses
// as they produce them (io: output; objects closed with additionalProperties: false, which
// test/support/openapi.ts relies on to catch drift). Schemas with a `.meta({ id })` become
// components. ARCHITECTURE.md, "Route contracts", says why no wrapper library.

type Obj = Record<string, unknown>;

const errorTypes = [...new Set(Object.values(errorRegistry).map((e) => e.type))] as [string, ...string[]];
const errorCodes = Object.keys(errorRegistry) as [ErrorCode, ...ErrorCode[]];

/** The body of every error response (src/http/error-middleware.ts writes it). */
export const errorResponse = z
  .object({
    type: z.enum(errorTypes).meta({ description: "A broad category for the error (e.g., 'invalid_request_error').", example: 'invalid_request_error' }),
    code: z.enum(errorCodes).meta({ description: 'A short, unique string identifying the specific error.', example: 'parameter_invalid' }),
    message: z.string().meta({ description: 'A human-readable description of what went wrong.', example: "The 'header.x-description' parameter is required for this request." }),
    doc_url: z.string().meta({ description: 'A direct link to the documentation page for this specific error code.', example: 'https://tikops.example.net/docs/errors#parameter_invalid' }),
    request_id: z.string().meta({
      description: "The request's id (also the `X-Request-Id` response header): the caller's `X-Request-Id` if it sent a plain one, otherwise generated. Quote it when reporting a problem; the server's log lines for the request carry it.",
      example: '0b6f0a53-5b52-4c1f-9d55-2f3a7a3c1e0d',
    }),
  })
  .meta({ id: 'ErrorResponse', description: 'The error envelope of every error response.' });

const TAGS: Record<Tag, string> = {
  Sites: 'Routers managed by tikops.',
  Jobs: 'Create and manage asynchronous commands to be executed on Sites.',
  'Developer API': 'Queue asynchronous RouterOS scripts (JSON form).',
  Backups: 'Configuration exports taken before jobs or on demand.',
  Runbooks: 'Onboarding profiles and their bootstrap commands.',
  'Fleet health': 'Faults, resource stats and availability of sites.',
  Device: 'Endpoints the router itself calls.',
  'Access': 'API keys and the audit log.',
  Meta: 'Documents and health.',
};

const securitySchemes = {
  BearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'API key (tko_…) or JWT',
    description:
      'An API key (`tko_…`, from POST /api-keys or `npm run tikops -- keys create`) or a JSON Web Token in the `Authorization` header: `Authorization: Bearer <credential>`. ' +
      "A key belongs to one organisation and grants the scopes it was created with. A JWT's `org` claim is the tenant; it grants the scopes of its space-separated `scope` claim, or every scope without one. " +
      'Each operation lists the scopes it requires; 403 `insufficient_scope` names a missing one.',
  },
  SessionCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: 'tikops_session',
    description:
      "The dashboard's session (POST /session exchanges an API key for it): the same scopes as the key, ended with it. State-changing requests made with it must send the session's `X-CSRF-Token` (403 `csrf_token_invalid` otherwise).",
  },
  DeviceToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'The opaque device token returned by POST /site, POST /site/{siteId}/token and adoption. Sent by the router.',
  },
  CallbackSignature: {
    type: 'apiKey',
    in: 'query',
    name: 'signature',
    description: "An HMAC the server put into the URLs of the job's wrapper script; bound to the job, the attempt (and status). Never built by hand.",
  },
  MetricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, required only when it is configured.' },
};

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Generated JSON Schemas, with the named ones collected as components. */
class Schemas {
  readonly components: Record<string, Obj> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): Obj {
    const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, override: ({ jsonSchema }) => tidy(jsonSchema as Obj) }) as Obj;
    const { definitions, ...root } = rebase(json) as Obj & { definitions?: Record<string, Obj> };
    for (const [id, def] of Object.entries(definitions ?? {})) {
      const known = this.components[id];
      if (known && JSON.stringify(known) !== JSON.stringify(def)) throw new Error(`two different schemas are named ${id}`);
      this.components[id] = def;
    }
    return root;
  }
}

/** What the generator adds that a reader does not need: a pattern beside a format, safe-integer bounds. */
function tidy(s: Obj): void {
  if (s.pattern !== undefined && (s.format !== undefined || s.type === 'boolean' || s.type === 'integer')) delete s.pattern;
  if (s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum;
  if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
}

/** `#/definitions/X` (where toJSONSchema puts named schemas) → `#/components/schemas/X`. */
function rebase(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rebase);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' ? v.replace('#/definitions/', '#/components/schemas/') : rebase(v),
    ]),
  );
}

/** x-idempotency-key → X-Idempotency-Key (header names are case-insensitive; this is how they are documented). */
const headerName = (key: string): string => key.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

function parameters(route: AnyRoute, schemas: Schemas): Obj[] {
  const sets = [
    ['path', route.params],
    ['query', route.query],
    ['header', route.headers],
  ] as const;
  return sets.flatMap(([where, schema]) => {
    if (!schema) return [];
    const json = schemas.convert(schema, 'input') as { properties?: Record<string, Obj>; required?: string[] };
    return Object.entries(json.properties ?? {}).map(([key, { description, ...prop }]) => ({
      name: where === 'header' ? headerName(key) : key,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(key),
      ...(description === undefined ? {} : { description }),
      schema: prop,
    }));
  });
}

function requestBody(body: BodySpec, schemas: Schemas): Obj {
  const content =
    body.kind === 'json'
      ? { 'application/json': { schema: schemas.convert(body.schema, 'input') } }
      : body.kind === 'text'
        ? { 'text/plain': { schema: { type: 'string', ...(body.example === undefined ? {} : { example: body.example }) } } }
        : { 'application/octet-stream': { schema: { type: 'string', format: 'binary', maxLength: body.limit } } };
  return { required: true, ...(body.description === undefined ? {} : { description: body.description }), content };
}

/** Response header objects from name → description. */
function headerObjects(headers: Record<string, string>, type: 'string' | 'integer' = 'string'): Obj {
  return Object.fromEntries(Object.entries(headers).map(([name, description]) => [name, { description, schema: { type } }]));
}

function success(spec: ResponseSpec, schemas: Schemas): Obj {
  const headers = spec.kind !== 'empty' && spec.headers ? { headers: headerObjects(spec.headers) } : {};
  if (spec.kind === 'empty') return { description: spec.description };
  const media =
    spec.kind === 'json'
      ? { 'application/json': { schema: schemas.convert(spec.schema, 'output') } }
      : { [spec.type]: { schema: { type: 'string', ...(spec.example === undefined ? {} : { example: spec.example }) } } };
  return { description: spec.description, ...headers, content: media };
}

/** Every error code a route can answer with: its own, plus those its auth, inputs and body imply. */
export function errorCodesOf(route: AnyRoute): ErrorCode[] {
  const codes = new Set<ErrorCode>(route.errors ?? []);
  const add = (...c: ErrorCode[]): void => c.forEach((code) => codes.add(code));
  const auth = route.auth;
  if (auth === 'device') add('authentication_required', 'device_token_invalid');
  else if (auth === 'metrics') add('authentication_required');
  else if (typeof auth === 'object') add(...('operator' in auth ? (['authentication_required', 'token_invalid', 'insufficient_scope', 'csrf_token_invalid'] as const) : (['signature_invalid'] as const)));
  if (route.params || route.query || route.headers || route.body) add('parameter_invalid');
  if (route.query || route.headers || route.body?.kind === 'json') add('parameter_missing');
  if (route.body) add('body_too_large');
  if (route.body?.kind === 'json') add('json_invalid', 'unsupported_media_type');
  if (route.body?.kind === 'text' && !route.body.anyContentType) add('unsupported_media_type');
  if ((typeof auth === 'object' && 'operator' in auth) || route.limit === 'address') add('rate_limited');
  if (auth !== 'none') add('service_unavailable');
  add('internal_server_error');
  return [...codes];
}

function errorResponses(route: AnyRoute): Obj {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(route)) {
    const { status } = errorRegistry[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const entries = [...byStatus.entries()].sort(([a], [b]) => a - b);
  return Object.fromEntries(
    entries.map(([status, codes]) => [
      String(status),
      {
        description: `${REASONS[status] ?? 'Error'}: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
        ...(status === 429 ? { headers: headerObjects({ ...RETRY_AFTER_HEADER, ...RATE_LIMIT_HEADERS }, 'integer') } : {}),
        content: {
          'application/json': {
            schema: { allOf: [{ $ref: '#/components/schemas/ErrorResponse' }, { type: 'object', properties: { code: { type: 'string', enum: codes } } }] },
          },
        },
      },
    ]),
  );
}

function security(route: AnyRoute): Obj[] {
  const auth = route.auth;
  if (auth === 'device') return [{ DeviceToken: [] }];
  if (auth === 'metrics') return [{}, { MetricsToken: [] }];
  if (typeof auth === 'object') return 'operator' in auth ? [{ BearerAuth: [...auth.operator] }, { SessionCookie: [...auth.operator] }] : [{ CallbackSignature: [] }];
  return [];
}

/** The description, plus the scopes in words (renderers such as Redoc show scopes only for OAuth2 schemes). */
function describe(route: AnyRoute): string | undefined {
  const auth = route.auth;
  const scopes = typeof auth === 'object' && 'operator' in auth ? auth.operator : [];
  const needs = scopes.length > 0 ? `Requires the ${scopes.map((s) => `\`${s}\``).join(', ')} scope.` : undefined;
  const limited =
    typeof auth === 'object' && 'operator' in auth
      ? 'Rate-limited per credential (`RATE_LIMIT_OPERATOR_PER_MINUTE`): responses carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`.'
      : route.limit === 'address'
        ? 'Rate-limited per source address (`RATE_LIMIT_ADDRESS_PER_MINUTE`): responses carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`.'
        : undefined;
  return [route.description, needs, limited].filter(Boolean).join('\n\n') || undefined;
}

function operation(route: AnyRoute, schemas: Schemas): Obj {
  const params = parameters(route, schemas);
  const ok = Object.entries(route.responses).map(([status, spec]) => [status, success(spec!, schemas)]);
  const description = describe(route);
  return {
    tags: route.tags,
    operationId: route.operationId,
    summary: route.summary,
    ...(description === undefined ? {} : { description }),
    security: security(route),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.body ? { requestBody: requestBody(route.body, schemas) } : {}),
    responses: { ...Object.fromEntries(ok), ...errorResponses(route) },
  };
}

/** The OpenAPI 3.0.3 document of `routes`, with `publicUrl` as its only server. */
export function buildOpenapi(routes: readonly AnyRoute[], publicUrl: string): Obj {
  const schemas = new Schemas();
  schemas.convert(errorResponse, 'output');
  const paths: Record<string, Record<string, Obj>> = {};
  for (const route of routes) {
    const item = (paths[route.path] ??= {});
    const method = route.method.toLowerCase();
    if (item[method]) throw new Error(`${route.method} ${route.path} is defined twice`);
    item[method] = operation(route, schemas);
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'tikops API',
      version: '1.0.0',
      description: 'Queues RouterOS scripts for MikroTik routers. Errors are `{type, code, message, doc_url}`; see [the error reference](/docs/errors).',
    },
    servers: [{ url: publicUrl }],
    security: [{ BearerAuth: [] }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: { schemas: schemas.components, securitySchemes },
  };
}
