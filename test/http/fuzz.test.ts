import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../src/routes.js';
import { startApp, type TestApp } from '../support/app.js';
import { buildJob, buildRunbook, buildSite, type BuiltSite } from '../factories.js';

// No request yields a 5xx: every operation in the OpenAPI document is called with hostile values in
// each path parameter, query parameter, header parameter and body field (wrong types, NUL and other
// control characters, unpaired surrogates, bidi overrides, bytes that are not UTF-8, numbers past
// every column's range, oversized strings), authenticated as a real tenant with a real site, so the
// values get past authentication to validation and, where validation lets them, to the database.

type Obj = Record<string, any>;

let app: TestApp;
let site: BuiltSite;
let valid: Record<string, string>;
beforeAll(async () => {
  app = await startApp();
  site = await buildSite(app, 'org-fuzz');
  const job = await buildJob(app, site);
  const runbook = await buildRunbook(app, 'org-fuzz');
  valid = { siteId: site.id, jobId: job.id, runbookId: runbook.id, runbookToken: runbook.token, filename: '1700000000.rsc' };
});
afterAll(async () => {
  await app.close();
});

/** Hostile values, as they appear in a URL (percent-encoded) or as header bytes (latin-1 string = raw bytes). */
const URL_JUNK = ['%00', '%FF%FE', '%ED%A0%80', '%E2%80%AE', 'x'.repeat(4000), '99999999999999999999999', '9999999999999999999', '-1', '1e309', 'NaN', '%2E%2E%2F%2E%2E', '%0D%0A', '[]'];
const HEADER_JUNK = ['\xff\xfe', '\xed\xa0\x80', '\xe2\x80\xae', 'x'.repeat(4000), '99999999999999999999999', '-1', 'a\xc2\x85b', 'true\x85'];
const VALUE_JUNK: unknown[] = [null, -1, 2 ** 63, 1e308, 0.5, true, {}, [], '', '\u0000', '\ud800', 'a\u202Eb', 'a\u0085b', 'x'.repeat(70_000)];
const BODY_JUNK = ['{', '[]', 'null', '"x"', '1e309', '{"__proto__":{"x":1}}', '\u0000'];

interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

function send(call: Call): Promise<number> {
  const u = new URL(app.url + call.path);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: u.hostname, port: u.port, method: call.method, path: u.pathname + u.search, headers: call.headers },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(call.body);
  });
}

const document = apiRoutes('http://x').document as Obj;

function resolve(node: Obj): Obj {
  if (!node?.$ref) return node;
  let out: any = document;
  for (const part of (node.$ref as string).slice(2).split('/')) out = out[part];
  return resolve(out);
}

/** The operations of the document with their parameters and body kinds. */
function operations(): { method: string; template: string; op: Obj }[] {
  const out: { method: string; template: string; op: Obj }[] = [];
  for (const [template, item] of Object.entries(document.paths as Obj)) {
    for (const [method, op] of Object.entries(item as Obj)) out.push({ method: method.toUpperCase(), template, op });
  }
  return out;
}

/** A credential the operation accepts: the device token on device routes, else the operator's. */
function authFor(op: Obj): string {
  const schemes = (op.security ?? []).flatMap((s: Obj) => Object.keys(s));
  return schemes.some((s: string) => /device/i.test(s)) ? site.token : site.auth;
}

/** A plausible value for each required parameter, so that one hostile value is tried at a time. */
function baseline(op: Obj): { params: Record<string, string>; query: Record<string, string>; headers: Record<string, string> } {
  const params: Record<string, string> = {};
  const query: Record<string, string> = {};
  const headers: Record<string, string> = {};
  for (const p of (op.parameters ?? []).map(resolve)) {
    const schema = resolve(p.schema ?? {});
    const example = p.example ?? schema.example ?? schema.default ?? (schema.enum ? schema.enum[0] : schema.type === 'integer' ? schema.minimum ?? 1 : 'x');
    const value = p.in === 'path' ? (valid[p.name] ?? String(example)) : p.name === 'x-idempotency-key' ? crypto.randomUUID() : String(example);
    if (p.in === 'path') params[p.name] = value;
    else if (p.in === 'query' && p.required) query[p.name] = value;
    else if (p.in === 'header' && p.required) headers[p.name] = value;
  }
  return { params, query, headers };
}

function pathOf(template: string, params: Record<string, string>, raw: Record<string, string> = {}): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => raw[name] ?? encodeURIComponent(params[name] ?? 'x'));
}

function bodyOf(op: Obj): { type: string; fields: string[]; example: Obj } | null {
  const content = op.requestBody?.content as Obj | undefined;
  if (!content) return null;
  const [type, media] = Object.entries(content)[0] as [string, Obj];
  const schema = resolve(media.schema ?? {});
  const example: Obj = {};
  for (const [name, prop] of Object.entries((schema.properties ?? {}) as Obj)) {
    const p = resolve(prop as Obj);
    example[name] = p.example ?? p.default ?? (p.type === 'boolean' ? false : p.type === 'integer' ? p.minimum ?? 1 : 'valid text');
  }
  return { type, fields: Object.keys(example), example };
}

function* calls(method: string, template: string, op: Obj): Generator<Call> {
  const base = baseline(op);
  const auth = { authorization: `Bearer ${authFor(op)}` };
  const qs = (q: Record<string, string>, raw = ''): string => {
    const s = new URLSearchParams(q).toString();
    return s || raw ? `?${[s, raw].filter(Boolean).join('&')}` : '';
  };
  const body = bodyOf(op);
  const jsonBody = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));
  const baseBody = body ? (body.type.includes('json') ? jsonBody(body.example) : Buffer.from('name=x;')) : undefined;
  const contentType: Record<string, string> = body ? { 'content-type': body.type } : {};
  const headers = { ...auth, ...base.headers, ...contentType };

  for (const name of Object.keys(base.params)) {
    for (const junk of URL_JUNK) yield { method, path: pathOf(template, base.params, { [name]: junk }) + qs(base.query), headers, body: baseBody };
  }
  for (const p of (op.parameters ?? []).map(resolve).filter((p: Obj) => p.in === 'query')) {
    for (const junk of URL_JUNK) {
      const q = { ...base.query };
      delete q[p.name];
      yield { method, path: pathOf(template, base.params) + qs(q, `${p.name}=${junk}`), headers, body: baseBody };
    }
  }
  for (const p of (op.parameters ?? []).map(resolve).filter((p: Obj) => p.in === 'header')) {
    for (const junk of HEADER_JUNK) {
      yield { method, path: pathOf(template, base.params) + qs(base.query), headers: { ...headers, [p.name]: junk }, body: baseBody };
    }
  }
  if (!body) return;
  const path = pathOf(template, base.params) + qs(base.query);
  for (const junk of BODY_JUNK) yield { method, path, headers, body: Buffer.from(junk) };
  yield { method, path, headers, body: Buffer.from([0xff, 0xfe, 0x00, 0xc3]) };
  if (!body.type.includes('json')) {
    for (const junk of VALUE_JUNK.filter((v): v is string => typeof v === 'string')) yield { method, path, headers, body: Buffer.from(junk) };
    return;
  }
  for (const field of body.fields) {
    for (const junk of VALUE_JUNK) yield { method, path, headers, body: jsonBody({ ...body.example, [field]: junk }) };
  }
}

describe('no request yields a 5xx', () => {
  it('holds for hostile values in every parameter and body field of every documented operation', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const { method, template, op } of operations()) {
      for (const call of calls(method, template, op)) {
        const status = await send(call);
        sent++;
        if (status >= 500) failures.push(`${status} ${call.method} ${call.path.slice(0, 120)} ${call.body?.toString('latin1').slice(0, 80) ?? ''}`);
      }
    }
    expect(sent).toBeGreaterThan(1_000);
    expect(failures).toEqual([]);
  }, 240_000);
});
