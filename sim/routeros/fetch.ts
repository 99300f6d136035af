// /tool fetch over HTTP(S), delegated to Host.fetch.
import { fromBin, toBin } from './bytes.js';
import { RebootSignal, failure } from './errors.js';
import { commandError } from './interpreter.js';
import type { MenuCall, MenuCommand } from './menu-kit.js';
import { putFile } from './menu-kit.js';
import type { Value } from './values.js';
import { NOTHING, arr, arrayEntries, num, str, time, toStr } from './values.js';

/** `output=user` keeps at most this many bytes of the body, silently (Fetch, help.mikrotik.com/docs/spaces/ROS/pages/8978514). */
export const FETCH_USER_LIMIT = 65536;

const PARAMS: ReadonlySet<string> = new Set([
  'url',
  'http-method',
  'http-header-field',
  'http-data',
  'output',
  'keep-result',
  'check-certificate',
  'idle-timeout',
  'dst-path',
  'mode',
  'duration',
  'http-max-redirect-count',
  'http-auth-scheme',
  'http-content-encoding',
  'user',
  'password',
  'certificate',
  'src-address',
  'address',
  'host',
  'port',
  'src-path',
  'upload',
  'ascii',
]);

const METHODS: ReadonlySet<string> = new Set(['get', 'post', 'put', 'delete', 'head', 'patch']);

/** Splits `"A: 1,B: 2"` on commas not escaped as `\,`. */
function splitHeaderList(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charAt(i);
    if (ch === '\\' && s.charAt(i + 1) === ',') {
      cur += ',';
      i++;
    } else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out;
}

function headers(c: MenuCall, v: Value | undefined): Record<string, string> {
  if (v === undefined) return {};
  const list = v.t === 'array' ? arrayEntries(v.v).map(([, x]) => fromBin(toStr(x))) : splitHeaderList(fromBin(toStr(v)));
  const out: Record<string, string> = {};
  for (const h of list) {
    if (h.trim() === '') continue;
    const colon = h.indexOf(':');
    if (colon <= 0) throw commandError(c.st, 'invalid value for argument http-header-field');
    out[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
  }
  return out;
}

function text(c: MenuCall, name: string): string | undefined {
  const v = c.named.get(name);
  return v === undefined ? undefined : fromBin(toStr(v));
}

function no(c: MenuCall, name: string): boolean {
  const v = c.named.get(name);
  if (v === undefined) return false;
  if (v.t === 'bool') return !v.v;
  return toStr(v) === 'no' || toStr(v) === 'false';
}

function defaultFileName(url: string): string {
  const path = url.replace(/[?#].*$/, '');
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last === '' || path.endsWith('//') || !path.slice(path.indexOf('//') + 2).includes('/') ? 'index.html' : last;
}

async function fetchRun(c: MenuCall): Promise<Value> {
  for (const name of c.named.keys()) if (!PARAMS.has(name)) throw commandError(c.st, `unknown parameter ${name}`);
  const url = text(c, 'url') ?? (c.pos[0] === undefined ? undefined : fromBin(toStr(c.pos[0])));
  if (url === undefined || url === '') throw commandError(c.st, 'missing value for url');
  const method = (text(c, 'http-method') ?? 'get').toLowerCase();
  if (!METHODS.has(method)) throw commandError(c.st, 'invalid value for argument http-method');
  const output = text(c, 'output') ?? 'file';
  if (!['user', 'none', 'file', 'user-with-headers'].includes(output)) throw commandError(c.st, 'invalid value for argument output');
  const body = text(c, 'http-data');
  const started = c.rt.host.now?.();
  let res: { status: number; body: string };
  try {
    res = await c.rt.host.fetch({
      url,
      method: method.toUpperCase(),
      headers: headers(c, c.named.get('http-header-field')),
      ...(body === undefined ? {} : { body }),
      checkCertificate: text(c, 'check-certificate') ?? 'no',
    });
  } catch (e) {
    // A host may simulate a power cut in the middle of a request: that is no script error.
    if (e instanceof RebootSignal) throw e;
    throw failure(e instanceof Error ? e.message : 'connection failed');
  }
  if (res.status < 200 || res.status > 299) throw failure(`Fetch failed with status ${String(res.status)}`);
  const bytes = toBin(res.body);
  const elapsed = started === undefined ? 0 : ((c.rt.host.now?.() ?? started) - started) / 1000;
  const result = new Map<string, Value>([
    ['status', str('finished')],
    ['downloaded', num(Math.floor(bytes.length / 1024))],
    ['total', num(Math.floor(bytes.length / 1024))],
    ['duration', time(elapsed)],
  ]);
  if (output === 'user' || output === 'user-with-headers') {
    const limit = output === 'user' ? FETCH_USER_LIMIT : 20480;
    result.set('data', str(bytes.slice(0, limit)));
  } else if (output === 'file' && !no(c, 'keep-result')) {
    const name = text(c, 'dst-path') ?? defaultFileName(url);
    putFile(c.rt.state, name, fromBin(bytes));
  }
  return c.flags.has('as-value') ? arr([], result) : NOTHING;
}

export const FETCH: MenuCommand = { flags: ['as-value'], run: fetchRun };
