import { randomUUID } from 'node:crypto';
import { rosUnquote } from '../src/routeros/quote.js';
import type { TestApp } from './support/app.js';

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
  };
}

/** Calls a signed callback URL the way /tool fetch would (GET, no auth). */
export async function callback(app: TestApp, url: string): Promise<{ status: number; text: string }> {
  const res = await app.request('GET', url.slice(app.url.length));
  return { status: res.status, text: res.text };
}
