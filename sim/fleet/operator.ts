import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { EXEC_MARKER } from './router.js';

// The operator side of a simulation: a runbook to adopt through, and jobs whose payloads log an
// execution marker the simulated routers report.

export interface Operator {
  request<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  createRunbook(name: string): Promise<{ id: string; token: string }>;
  siteIds(): Promise<string[]>;
  /** One page of a list: its items and the X-Next-Cursor (null on the last page). */
  page<T>(path: string): Promise<{ items: T[]; next: string | null }>;
  /** Queues a job whose payload logs `tag`; returns the job object. */
  createJob(siteId: string, tag: string, flags?: JobFlags): Promise<{ id: string; token: string }>;
}

export interface JobFlags {
  needsAck?: boolean;
  express?: boolean;
  backup?: boolean;
  notifyUrl?: string;
}

let payloads = 0;

/** The payload of a simulated job: logs the marker, and adds an address of its own (visible state). */
export function payloadFor(tag: string): string {
  const n = ++payloads;
  const address = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}/32`;
  return `:log info "${EXEC_MARKER}${tag}"\n/ip address add address=${address} interface=lo comment="${tag}"`;
}

export function createOperator(url: string, jwtSecret: string, org: string): Operator {
  const token = jwt.sign({ org }, jwtSecret, { algorithm: 'HS256', expiresIn: '12h' });
  const request = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> => {
    const isText = typeof body === 'string';
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': isText ? 'text/plain' : 'application/json', ...headers },
      body: body === undefined ? undefined : isText ? body : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    request,
    createRunbook: (name) => request('POST', '/runbook', { name }),
    async page<T>(path: string) {
      const res = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return { items: (await res.json()) as T[], next: res.headers.get('x-next-cursor') };
    },
    /** Every site of the org: GET /site pages (X-Next-Cursor), 500 at a time. */
    async siteIds() {
      const ids: string[] = [];
      for (let cursor: string | null = ''; cursor !== null; ) {
        const res = await fetch(`${url}/site?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (!res.ok) throw new Error(`GET /site: ${res.status} ${await res.text()}`);
        ids.push(...((await res.json()) as { id: string }[]).map((s) => s.id));
        cursor = res.headers.get('x-next-cursor');
      }
      return ids;
    },
    async createJob(siteId, tag, flags = {}) {
      if (flags.notifyUrl) {
        const res = await request<{ data: { request_id: string } }>('POST', `/api/asynchronous/${siteId}`, {
          description: `sim ${tag}`.slice(0, 100),
          script: payloadFor(tag),
          needs_acknowledgement: flags.needsAck ?? true,
          express_execute: flags.express ?? false,
          make_backup: flags.backup ?? false,
          notify_url: flags.notifyUrl,
        }, { 'x-idempotency-key': randomUUID() });
        return request('GET', `/site/${siteId}/job/${res.data.request_id}`);
      }
      return request('POST', `/site/${siteId}/job`, payloadFor(tag), {
        'x-idempotency-key': randomUUID(),
        'x-description': `sim ${tag}`.slice(0, 100),
        'x-needs-ack': String(flags.needsAck ?? true),
        'x-express-execute': String(flags.express ?? false),
        'x-backup': String(flags.backup ?? false),
      });
    },
  };
}
