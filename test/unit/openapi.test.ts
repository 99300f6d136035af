import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, it, expect } from 'vitest';
import { errorRegistry } from '../../src/errors.js';
import { apiRoutes } from '../../src/routes.js';
import { resolveRef, validateResponse } from '../support/openapi.js';

type Obj = Record<string, unknown>;

const { routes, document: doc } = apiRoutes('https://tikops.example.net');
const paths = doc.paths as Record<string, Record<string, Obj>>;
const components = doc.components as { schemas: Record<string, Obj> };
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

const SITE = '9a9a3e6f-1b1a-4b1a-8c1a-1e1a1a1a1a1a';
const JOB = '8b8b2e5e-1a19-4a19-8b19-1e1919191919';
const concrete = (template: string): string => template.replace(/\{[^}]+\}/g, SITE);

// The binding contract: the seed's `Job` schema (Altostrat mikrotik-api.yaml, POST /site/{siteId}/job).
const SEED_JOB: Record<string, { type: string; format?: string; nullable?: boolean }> = {
  id: { type: 'string', format: 'uuid' },
  token: { type: 'string' },
  site_id: { type: 'string', format: 'uuid' },
  idempotency_key: { type: 'string', format: 'uuid' },
  description: { type: 'string' },
  express_execute: { type: 'boolean' },
  needs_acknowledgement: { type: 'boolean' },
  should_backup: { type: 'boolean' },
  associated_backup: { type: 'string', nullable: true },
  started_at: { type: 'string', format: 'date-time', nullable: true },
  completed_at: { type: 'string', format: 'date-time', nullable: true },
  failed_at: { type: 'string', format: 'date-time', nullable: true },
  created_at: { type: 'string', format: 'date-time' },
  log_url: { type: 'string' },
  script: { type: 'string' },
};
const ADDITIVE = [
  'status', 'delivered_at', 'cancelled_at', 'timed_out_at', 'notify_url', 'lease_seconds', 'timeout_seconds', 'created_by',
  'output', 'error', 'output_truncated', 'output_supported', 'rollback_after_seconds',
];

function operations(): { template: string; method: string; op: Obj }[] {
  return Object.entries(paths).flatMap(([template, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ template, method, op })),
  );
}

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function job(overrides: Obj = {}): Obj {
  return {
    id: JOB,
    token: '4KuKNp3QzpfwLcg3BUnn1a',
    site_id: SITE,
    idempotency_key: '7c7c1e4e-1918-4918-8a18-1e1818181818',
    description: 'Add new firewall rule for guest network',
    express_execute: false,
    needs_acknowledgement: true,
    should_backup: false,
    associated_backup: null,
    started_at: '2025-10-29T12:05:10.000Z',
    completed_at: null,
    failed_at: null,
    created_at: '2025-10-29T12:00:00.000Z',
    log_url: `/site/${SITE}/job/${JOB}/events`,
    script: '/ip firewall filter add chain=forward action=accept src-address-list=guests',
    status: 'started',
    delivered_at: '2025-10-29T12:05:02.000Z',
    cancelled_at: null,
    timed_out_at: null,
    notify_url: null,
    lease_seconds: 120,
    timeout_seconds: 900,
    created_by: 'key:0b9e8f1c-2f7e-4a53-9f0c-6f3a4f3c2b1a',
    output: null,
    error: null,
    output_truncated: false,
    output_supported: null,
    rollback_after_seconds: null,
    ...overrides,
  };
}

const JOB_PATH = `/site/${SITE}/job`;

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.0.3 with the public URL as its server', () => {
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.servers).toEqual([{ url: 'https://tikops.example.net' }]);
  });

  it('gives every operation at least one response and a unique operationId', () => {
    const ids = operations().map(({ template, method, op }) => {
      expect(Object.keys(op.responses as Obj).length, `${method} ${template}`).toBeGreaterThan(0);
      return op.operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares every templated path segment as a path parameter', () => {
    for (const { template, method, op } of operations()) {
      const declared = ((op.parameters ?? []) as Obj[]).filter((p) => p.in === 'path').map((p) => p.name);
      const inTemplate = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      expect(declared.sort(), `${method} ${template}`).toEqual(inTemplate.sort());
    }
  });

  it('resolves every $ref', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(0);
    for (const ref of all) expect(() => resolveRef(ref), ref).not.toThrow();
  });

  it('validates as OpenAPI 3.0 (swagger-parser)', async () => {
    // swagger-parser dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  });

  it('has one operation per route spec, and no other', () => {
    const documented = operations().map(({ template, method }) => `${method.toUpperCase()} ${template}`);
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it("lists each operator operation's scopes as its security requirement, and its 401 and 403 responses", () => {
    for (const route of routes) {
      const op = paths[route.path]![route.method.toLowerCase()]!;
      const responses = op.responses as Obj;
      if (typeof route.auth === 'object' && 'operator' in route.auth) {
        expect(route.auth.operator.length, route.path).toBeGreaterThan(0);
        expect(op.security, route.path).toEqual([{ BearerAuth: [...route.auth.operator] }, { SessionCookie: [...route.auth.operator] }]);
        expect(JSON.stringify(responses['401']), route.path).toContain('token_invalid');
        expect(JSON.stringify(responses['403']), route.path).toContain('insufficient_scope');
      } else expect(JSON.stringify(op.security), route.path).not.toContain('BearerAuth');
    }
    const createJob = paths['/site/{siteId}/job']!.post!;
    expect(createJob.security).toEqual([{ BearerAuth: ['jobs:write'] }, { SessionCookie: ['jobs:write'] }]);
    expect(JSON.stringify((createJob.responses as Obj)['403'])).toContain('csrf_token_invalid');
  });

  it('documents the error responses each route implies: 415 for bodies with a required type, 413 for bodies, 500 everywhere', () => {
    for (const route of routes) {
      const responses = (paths[route.path]![route.method.toLowerCase()]!.responses ?? {}) as Obj;
      const where = `${route.method} ${route.path}`;
      expect(Object.keys(responses), where).toContain('500');
      if (route.body) expect(JSON.stringify(responses['413']), where).toContain('body_too_large');
      const typed = route.body?.kind === 'json' || (route.body?.kind === 'text' && !route.body.anyContentType);
      expect('415' in responses, where).toBe(typed);
      // Routes with a credential reach a backend; /readyz reports one that is away.
      expect('503' in responses, where).toBe(route.auth !== 'none' || route.path === '/readyz');
    }
    expect(Object.keys(paths['/site/{siteId}/job']!.post!.responses as Obj).sort()).toEqual(
      ['200', '201', '400', '401', '403', '404', '409', '413', '415', '429', '500', '503'].sort(),
    );
  });

  it("keeps the seed's parameters, in order, ahead of tikops' optional ones on POST /site/{siteId}/job", () => {
    const params = paths['/site/{siteId}/job']!.post!.parameters as Obj[];
    expect(params.slice(6).every((p) => p.required !== true)).toBe(true);
    expect(params.slice(0, 6).map((p) => `${String(p.in)}:${String(p.name)}:${p.required === true}`)).toEqual([
      'path:siteId:true',
      'header:X-Idempotency-Key:true',
      'header:X-Description:true',
      'header:X-Needs-Ack:false',
      'header:X-Backup:false',
      'header:X-Express-Execute:false',
    ]);
  });

  it("keeps the seed's Job properties with the same types, formats and nullable flags", () => {
    const props = components.schemas.Job!.properties as Record<string, Obj>;
    for (const [name, want] of Object.entries(SEED_JOB)) {
      const got = props[name];
      expect(got, name).toBeDefined();
      expect({ type: got!.type, format: got!.format, nullable: got!.nullable }, name).toEqual({
        type: want.type,
        format: want.format,
        nullable: want.nullable,
      });
    }
    expect(Object.keys(props).sort()).toEqual([...Object.keys(SEED_JOB), ...ADDITIVE].sort());
  });

  it('requires every Job field and allows no others', () => {
    const schema = components.schemas.Job!;
    expect((schema.required as string[]).sort()).toEqual(Object.keys(schema.properties as Obj).sort());
    expect(schema.additionalProperties).toBe(false);
  });

  it("lists exactly the registry's codes in ErrorResponse", () => {
    const props = components.schemas.ErrorResponse!.properties as Record<string, Obj>;
    expect(props.code!.enum).toEqual(Object.keys(errorRegistry));
    expect((props.type!.enum as string[]).sort()).toEqual([...new Set(Object.values(errorRegistry).map((e) => e.type))].sort());
  });

  it('compiles the schema of every JSON response', () => {
    for (const { template, method, op } of operations()) {
      for (const status of Object.keys(op.responses as Obj)) {
        const call = (): void => validateResponse(method, concrete(template), Number(status), undefined, undefined);
        const response = JSON.stringify((op.responses as Obj)[status]);
        if (response.includes('application/json') || response.includes('#/components/responses/')) {
          expect(call, `${method} ${template} ${status}`).toThrow(/does not match/);
        } else expect(call, `${method} ${template} ${status}`).not.toThrow();
      }
    }
  });
});

describe('validateResponse', () => {
  it('accepts a correct job', () => {
    expect(() => validateResponse('POST', JOB_PATH, 201, job(), 'application/json; charset=utf-8')).not.toThrow();
    expect(() => validateResponse('GET', `${JOB_PATH}?limit=5`, 200, [job(), job({ status: 'queued' })])).not.toThrow();
  });

  it('rejects a job with a missing field', () => {
    const partial = job();
    delete partial.notify_url;
    expect(() => validateResponse('POST', JOB_PATH, 201, partial)).toThrow(/^POST \/site\/.* 201: [^]*required property 'notify_url'/);
  });

  it('rejects a job with a field of the wrong type', () => {
    expect(() => validateResponse('GET', `${JOB_PATH}/${JOB}`, 200, job({ should_backup: 'false' }))).toThrow(/should_backup/);
    expect(() => validateResponse('GET', `${JOB_PATH}/${JOB}`, 200, job({ created_at: null }))).toThrow(/created_at/);
    expect(() => validateResponse('GET', `${JOB_PATH}/${JOB}`, 200, job({ id: 'not-a-uuid' }))).toThrow(/format/);
  });

  it('rejects a job with an extra field', () => {
    expect(() => validateResponse('DELETE', `${JOB_PATH}/${JOB}`, 200, job({ updated_at: null }))).toThrow(/additional/);
  });

  it('rejects an undocumented status, method or path', () => {
    expect(() => validateResponse('POST', JOB_PATH, 204, null)).toThrow(/status not documented/);
    expect(() => validateResponse('PUT', JOB_PATH, 200, job())).toThrow(/method not documented/);
    expect(() => validateResponse('GET', '/nope', 200, {})).toThrow(/path not documented/);
  });

  it('accepts a registry error and rejects an unknown code', () => {
    const error = {
      type: 'invalid_request_error',
      code: 'job_already_started',
      message: 'Cannot delete a job that has already started.',
      doc_url: 'https://tikops.example.net/docs/errors#job_already_started',
      request_id: 'b1e7c2f0-3a4d-4c5e-8f90-1a2b3c4d5e6f',
    };
    expect(() => validateResponse('DELETE', `${JOB_PATH}/${JOB}`, 409, error, 'application/json')).not.toThrow();
    expect(() => validateResponse('DELETE', `${JOB_PATH}/${JOB}`, 409, { ...error, code: 'nope' })).toThrow(/code/);
  });

  it("rejects an error code the operation does not declare for that status", () => {
    const notFound = (code: string): Obj => ({ type: 'not_found_error', code, message: 'x', doc_url: `https://tikops.example.net/docs/errors#${code}`, request_id: 'r-1' });
    expect(() => validateResponse('GET', `/site/${SITE}`, 404, notFound('site_not_found'))).not.toThrow();
    expect(() => validateResponse('GET', `/site/${SITE}`, 404, notFound('job_not_found'))).toThrow(/code/);
    expect(() => validateResponse('GET', `/site/${SITE}/job/${JOB}`, 404, notFound('job_not_found'))).not.toThrow();
  });

  it('checks only the content type of text/plain responses', () => {
    expect(() => validateResponse('POST', '/poll', 200, '', 'text/plain; charset=utf-8')).not.toThrow();
    expect(() => validateResponse('GET', `/job/${JOB}/update?status=busy`, 200, 'claimed', 'text/plain')).not.toThrow();
    expect(() => validateResponse('POST', '/poll', 200, '{}', 'application/json')).toThrow(/content type/);
  });

  it('validates the JSON form of job creation', () => {
    const accepted = {
      status: 'success',
      data: { idempotency_key: JOB, request_id: JOB, target: SITE, notify_url: null, date: '2026-04-20T03:14:15+00:00' },
    };
    expect(() => validateResponse('POST', `/api/asynchronous/${SITE}`, 200, accepted)).not.toThrow();
    expect(() => validateResponse('POST', `/api/asynchronous/${SITE}`, 200, { ...accepted, status: 'ok' })).toThrow(/status/);
  });
});
