import { randomUUID } from 'node:crypto';
import { rosUnquote } from '../src/routeros/quote.js';
import type { Reply, TestApp } from './support/app.js';
import { validateResponse } from './support/openapi.js';

export interface BuiltSite {
  id: string;
  name: string;
  token: string;
  org: string;
  auth: string;
}

/** Creates a site over the API for `org`. */
export async function buildSite(app: TestApp, org = 'org-a', overrides: { name?: string } = {}): Promise<BuiltSite> {
  const auth = app.token(org);
  const res = await app.request('POST', '/site', { token: auth, body: { name: overrides.name ?? 'Branch router' } });
  if (res.status !== 201) throw new Error(`site create failed: ${res.status} ${res.text}`);
  return { id: res.body.id, name: res.body.name, token: res.body.token, org, auth };
}

export interface JobOverrides {
  script?: string;
  description?: string;
  key?: string;
  needsAck?: boolean;
  backup?: boolean;
  express?: boolean;
  leaseSeconds?: number;
  timeoutSeconds?: number;
}

/** Creates a job through the raw form (POST /site/{id}/job); returns the job object. */
export async function buildJob(app: TestApp, site: BuiltSite, o: JobOverrides = {}): Promise<any> {
  const headers: Record<string, string> = {
    'content-type': 'text/plain',
    'x-idempotency-key': o.key ?? randomUUID(),
    'x-description': o.description ?? 'Add guest address',
  };
  if (o.needsAck !== undefined) headers['x-needs-ack'] = String(o.needsAck);
  if (o.backup !== undefined) headers['x-backup'] = String(o.backup);
  if (o.express !== undefined) headers['x-express-execute'] = String(o.express);
  if (o.leaseSeconds !== undefined) headers['x-lease-seconds'] = String(o.leaseSeconds);
  if (o.timeoutSeconds !== undefined) headers['x-timeout-seconds'] = String(o.timeoutSeconds);
  const res = await app.request('POST', `/site/${site.id}/job`, {
    token: site.auth,
    headers,
    body: o.script ?? '/ip address add address=192.168.99.1/24 interface=ether2',
  });
  if (res.status !== 201) throw new Error(`job create failed: ${res.status} ${res.text}`);
  return res.body;
}

/** A router's check-in; returns the response text ('' when nothing is pending). */
export async function poll(app: TestApp, site: { token: string }, body = 'uptime=1d02:15:38;cpu-load=3'): Promise<string> {
  const res = await app.request('POST', '/poll', {
    headers: { authorization: `Bearer ${site.token}`, 'content-type': 'text/plain' },
    body,
  });
  if (res.status !== 200) throw new Error(`poll failed: ${res.status} ${res.text}`);
  return res.text;
}

export interface Wrapper {
  token: string;
  busy?: string;
  done?: string;
  fail?: string;
  script: string;
  remaining: number;
  /** Backup step (jobs with should_backup): the signed part and commit base URLs. */
  part?: string;
  commit?: string;
}

/** Reads the values a job wrapper carries, decoding each RouterOS literal. */
export function parseWrapper(text: string): Wrapper {
  const local = (name: string): string | undefined => {
    const m = new RegExp(`^:local ${name} (".*")$`, 'm').exec(text);
    return m?.[1] === undefined ? undefined : rosUnquote(m[1]);
  };
  const remaining = /Remaining: (\d+)/.exec(text)?.[1];
  return {
    token: local('tikopsJob')!,
    busy: local('tikopsBusy'),
    done: local('tikopsDone'),
    fail: local('tikopsFail'),
    script: local('tikopsSrc')!,
    remaining: Number(remaining),
    part: local('tikopsPart'),
    commit: local('tikopsCommit'),
  };
}

/** Calls a signed callback URL the way /tool fetch would (GET, no auth). */
export async function callback(app: TestApp, url: string): Promise<{ status: number; text: string }> {
  const res = await app.request('GET', url.slice(app.url.length));
  return { status: res.status, text: res.text };
}

/** Sets the site's management endpoint (express execute) over the API; returns the endpoint. */
export async function buildManagement(app: TestApp, site: BuiltSite, body: Record<string, unknown>): Promise<any> {
  const res = await app.request('PUT', `/site/${site.id}/management`, {
    token: site.auth,
    body: { address: '127.0.0.1', use_tls: false, username: 'tikops-express', password: 'router-pass', ...body },
  });
  if (res.status !== 200) throw new Error(`management set failed: ${res.status} ${res.text}`);
  return res.body;
}

/** POSTs one backup part the way the wrapper's backup step does (the router appends `&part=`). */
export async function backupPart(w: Wrapper, part: number, body: string | Buffer): Promise<{ status: number; text: string; body: any }> {
  // Bytes, not text: a part may end inside a multibyte character, as :pick cuts it.
  const res = await fetch(`${w.part!}&part=${part}`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body) });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? undefined;
  const parsed: unknown = (type ?? '').includes('json') ? JSON.parse(text) : text;
  validateResponse('POST', new URL(w.part!).pathname, res.status, parsed, type);
  return { status: res.status, text, body: parsed };
}

/** POSTs the backup commit the way the wrapper does (the router appends `&parts=&length=`). */
export async function backupCommit(app: TestApp, w: Wrapper, parts: number, length: number): Promise<{ status: number; text: string; body: any }> {
  const res = await app.request('POST', `${w.commit!.slice(app.url.length)}&parts=${parts}&length=${length}`);
  return { status: res.status, text: res.text, body: res.body };
}

/** Runs a wrapper's backup step by hand: uploads `config` in 32,000-byte parts, then commits. */
export async function uploadBackup(app: TestApp, w: Wrapper, config: string | Buffer): Promise<{ status: number; text: string; body: any }> {
  const bytes = Buffer.from(config);
  let n = 0;
  for (let i = 0; i < bytes.length; i += 32_000, n++) {
    const res = await backupPart(w, n, bytes.subarray(i, i + 32_000));
    if (res.status !== 200) throw new Error(`backup part ${n} failed: ${res.status} ${res.text}`);
  }
  return backupCommit(app, w, n, bytes.length);
}

// ---- Fleet onboarding and health (runbooks, adoption, heartbeats) ----

export interface BuiltRunbook {
  id: string;
  token: string;
  bootstrap_command: string;
  org: string;
  auth: string;
}

/** Creates a runbook over the API for `org`. */
export async function buildRunbook(app: TestApp, org = 'org-a', name = 'Branch routers'): Promise<BuiltRunbook> {
  const auth = app.token(org);
  const res = await app.request('POST', '/runbook', { token: auth, body: { name } });
  if (res.status !== 201) throw new Error(`runbook create failed: ${res.status} ${res.text}`);
  return { ...res.body, org, auth };
}

/** A router's `key=value;` facts as the bootstrap script reports them, with overrides (null drops a key). */
export function routerFacts(overrides: Record<string, string | null> = {}): string {
  const facts: Record<string, string | null> = {
    name: 'HQ-Router',
    'serial-number': 'HEX0123456',
    model: 'RB5009UG+S+',
    'board-name': 'RB5009UG+S+',
    'architecture-name': 'arm64',
    routerboard: 'yes',
    'software-id': 'ABCD-EFGH',
    version: '7.16.2 (stable)',
    'cpu-load': '3',
    'free-memory': '850000000',
    'free-hdd-space': '900000000',
    uptime: '1d02:15:38',
    ...overrides,
  };
  return Object.entries(facts)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${encodeURIComponent(v!).replace(/%20/g, ' ')}`)
    .join(';');
}

/** The agent source and its device token, read out of an adoption answer's literals. */
export function readInstall(script: string): { agent: string; token: string } {
  const source = /^\/system script add .* source=(".*")$/m.exec(script)?.[1];
  if (!source) throw new Error(`no agent in adoption answer:\n${script.slice(0, 500)}`);
  const agent = rosUnquote(source);
  const header = /^:local tkHdr (".*")$/m.exec(agent)?.[1];
  const token = /^Authorization: Bearer ([^,]+),/.exec(rosUnquote(header ?? '""'))?.[1];
  if (!token) throw new Error('no device token in the agent');
  return { agent, token };
}

/** POST /adopt/{token} with `facts` (and the site's device token, as the bootstrap sends the installed agent's); returns the reply. */
export function adopt(app: TestApp, runbookToken: string, facts = routerFacts(), raw = false, deviceToken?: string): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'text/plain', ...(deviceToken ? { authorization: `Bearer ${deviceToken}` } : {}) };
  return app.request('POST', `/adopt/${runbookToken}`, { headers, body: facts, raw });
}
