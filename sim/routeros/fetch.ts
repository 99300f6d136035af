// /tool fetch over HTTP(S) (Fetch 8978514), delegated to Host.fetch once the router would let
// the connection out (net.ts) and, with check-certificate, trust the host's certificate (certs.ts).
import type { Value } from './ast.js';
import { fromBin, toBin } from './bytes.js';
import { verifyPeer } from './certs.js';
import { requireFeature } from './device-mode.js';
import { RebootSignal, failure } from './errors.js';
import { commandError } from './interpreter.js';
import type { MenuCall, MenuCommand } from './menu-kit.js';
import { putFile } from './menu-kit.js';
import { blocked, peerOf } from './net.js';
import type { RouterState } from './state.js';
import { NOTHING, arr, arrayEntries, num, str, time, toStr } from './values.js';

/** `output=user`: "variable limit is 64Kb" (Fetch 8978514); truncated silently (routeros.md §2.2). */
export const FETCH_USER_LIMIT = 65536;
/** v6's limit is unverified (4 KB or 64 KB, routeros.md §2.2): the simulator holds v6 to the smaller one unless told. */
export const FETCH_USER_LIMIT_V6 = 4096;
/** `user-with-headers`: 20Kb of downloaded data (Fetch 8978514). */
const WITH_HEADERS_LIMIT = 20480;
/** `http-data`: "Data limit is 64Kb" (Fetch 8978514). */
const HTTP_DATA_LIMIT = 65536;

const PARAMS = [
  'url', 'http-method', 'http-header-field', 'http-data', 'output', 'keep-result', 'check-certificate', 'idle-timeout', 'dst-path',
  'mode', 'duration', 'http-max-redirect-count', 'http-auth-scheme', 'http-content-encoding', 'user', 'password', 'certificate',
  'src-address', 'address', 'host', 'port', 'src-path', 'upload', 'ascii', 'as-value',
];

const METHODS: ReadonlySet<string> = new Set(['get', 'post', 'put', 'delete', 'head', 'patch']);

/** The `output=user` limit of this router. */
export function outputUserLimit(state: RouterState, v6: boolean): number {
  return state.outputUserLimit ?? (v6 ? FETCH_USER_LIMIT_V6 : FETCH_USER_LIMIT);
}

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

/** Refuses the connection the router could not make or would not trust; a script error like fetch's own. */
function connect(c: MenuCall, url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw commandError(c.st, 'invalid value for argument url');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw failure(`${u.protocol.slice(0, -1)} is not simulated`);
  const https = u.protocol === 'https:';
  const peer = peerOf(c.rt.host, u.hostname);
  const port = u.port === '' ? (https ? 443 : 80) : Number(u.port);
  const why = blocked(c.rt.state, { address: peer.address, interface: peer.interface, protocol: 'tcp', port });
  if (why !== null) throw failure(why);
  const check = text(c, 'check-certificate') ?? 'no';
  if (!['yes', 'yes-without-crl', 'no'].includes(check)) throw commandError(c.st, 'invalid value for argument check-certificate');
  // "Can be used only in HTTPS mode" (Fetch 8978514): plain http has nothing to check.
  if (https && check !== 'no') {
    const err = verifyPeer(c.rt, peer);
    if (err !== null) throw failure(`SSL: ${err}`);
  }
}

async function fetchRun(c: MenuCall): Promise<Value> {
  requireFeature(c, 'fetch');
  const url = text(c, 'url') ?? (c.pos[0] === undefined ? undefined : fromBin(toStr(c.pos[0])));
  if (url === undefined || url === '') throw commandError(c.st, 'missing value for url');
  const method = (text(c, 'http-method') ?? 'get').toLowerCase();
  if (!METHODS.has(method)) throw commandError(c.st, 'invalid value for argument http-method');
  const output = text(c, 'output') ?? 'file';
  if (!['user', 'none', 'file', 'user-with-headers'].includes(output)) throw commandError(c.st, 'invalid value for argument output');
  const body = text(c, 'http-data');
  if (body !== undefined && Buffer.byteLength(body) > HTTP_DATA_LIMIT) throw commandError(c.st, 'failure: http-data too long');
  connect(c, url);
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
  // Redirects are not followed: http-max-redirect-count defaults to 0 (Fetch 8978514), and the
  // simulator follows none at all.
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
    const limit = output === 'user' ? outputUserLimit(c.rt.state, c.rt.v6) : WITH_HEADERS_LIMIT;
    result.set('data', str(bytes.slice(0, limit)));
  } else if (output === 'file' && !no(c, 'keep-result')) {
    const name = text(c, 'dst-path') ?? defaultFileName(url);
    putFile(c.rt.state, name, fromBin(bytes));
  }
  return c.flags.has('as-value') ? arr([], result) : NOTHING;
}

/** "test ... policy that grants rights to run ... fetch" (User 8978504). */
export const FETCH: MenuCommand = { flags: ['as-value'], params: PARAMS, positional: 1, policy: ['test'], run: fetchRun };
