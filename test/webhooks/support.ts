import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from '../../src/db/sql.js';
import type { TestApp } from '../support/app.js';
import { queueJobFinished, type TestWorker } from '../support/worker.js';
import type { BuiltSite } from '../factories.js';

// Webhook test helpers: a receiver on 127.0.0.1 whose answers a test scripts per request, the
// verification snippet of docs/webhooks.md (loaded from the document itself, so the documented
// code is the code under test), and job creation with a notify_url.

export const WEBHOOK_SECRET = 'whsec-test-0123456789abcdef0123456789abcdef';

export interface Received {
  path: string;
  deliveryId: string;
  event: string;
  signature: string;
  contentType: string;
  body: string;
  json: any;
  /** 1-based count of requests so far carrying this delivery id. */
  nth: number;
  /** When the request's body had arrived (Date.now()). */
  at: number;
}

/** What the receiver does with a request: answer with a status (and headers), or reset the connection. */
export type Answer = number | 'reset' | { status: number; headers: Record<string, string> };

export interface Receiver {
  url: string;
  requests: Received[];
  /** Requests answered 2xx, one entry per delivery id (dedupe as a real receiver would). */
  deliveredIds(): Set<string>;
  close(): Promise<void>;
}

type Answered = Received & { answer: Answer };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function respond(req: IncomingMessage, res: ServerResponse, answer: Answer): void {
  if (answer === 'reset') {
    req.socket.destroy();
    return;
  }
  const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
  res.writeHead(status, headers);
  res.end(status >= 300 ? `answer ${status}` : 'ok');
}

/** Starts a receiver on 127.0.0.1; `decide` picks the answer to each request. */
export async function startReceiver(decide: (r: Received) => Answer = () => 200): Promise<Receiver> {
  const requests: Answered[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const deliveryId = String(req.headers['tikops-delivery'] ?? '');
      const r: Received = {
        path: req.url ?? '',
        deliveryId,
        event: String(req.headers['tikops-event'] ?? ''),
        signature: String(req.headers['tikops-signature'] ?? ''),
        contentType: String(req.headers['content-type'] ?? ''),
        body,
        json: body ? JSON.parse(body) : null,
        nth: requests.filter((x) => x.deliveryId === deliveryId).length + 1,
        at: Date.now(),
      };
      const answer = decide(r);
      requests.push({ ...r, answer });
      respond(req, res, answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    deliveredIds: () =>
      new Set(requests.filter((r) => typeof r.answer !== 'string' && (typeof r.answer === 'number' ? r.answer : r.answer.status) < 300).map((r) => r.deliveryId)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type VerifySnippet = (
  secret: string,
  header: string | undefined,
  rawBody: string | Buffer,
  opts?: { toleranceSec?: number; nowMs?: number },
) => boolean;

/** The `verifyTikopsSignature` function exactly as docs/webhooks.md shows it to receivers. */
export async function loadDocumentedVerifier(): Promise<VerifySnippet> {
  const doc = readFileSync(new URL('../../docs/webhooks.md', import.meta.url), 'utf8');
  const block = /<!-- verify-snippet[^>]*-->\s*```js\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error('docs/webhooks.md has no verify-snippet block');
  const file = join(mkdtempSync(join(tmpdir(), 'tikops-snippet-')), 'verify.mjs');
  writeFileSync(file, block);
  const mod = (await import(pathToFileURL(file).href)) as { verifyTikopsSignature: VerifySnippet };
  return mod.verifyTikopsSignature;
}

/** Creates a job through the JSON form with a notify_url; returns the job id. */
export async function buildNotifiedJob(
  app: TestApp,
  site: BuiltSite,
  notifyUrl: string,
  o: { needsAck?: boolean; timeoutSeconds?: number } = {},
): Promise<string> {
  const res = await app.request('POST', `/api/asynchronous/${site.id}`, {
    token: site.auth,
    body: {
      description: 'Webhook test job',
      script: ':log info "tikops webhook test"',
      notify_url: notifyUrl,
      needs_acknowledgement: o.needsAck ?? true,
      ...(o.timeoutSeconds === undefined ? {} : { timeout_seconds: o.timeoutSeconds }),
    },
  });
  if (res.status !== 200) throw new Error(`job create failed: ${res.status} ${res.text}`);
  return res.body.data.request_id;
}

/** GET /site/{siteId}/job/{jobId}/deliveries as the site's operator. */
export async function deliveries(app: TestApp, site: BuiltSite, jobId: string): Promise<any[]> {
  const res = await app.request('GET', `/site/${site.id}/job/${jobId}/deliveries`, { token: site.auth });
  if (res.status !== 200) throw new Error(`deliveries failed: ${res.status} ${res.text}`);
  return res.body;
}

/**
 * Waits until the webhook queue job of each of the job's announced events is finished (delivered,
 * refused or given up: none is waiting for a retry), so nothing more can be sent for the job.
 */
export async function webhooksFinished(app: TestApp, worker: TestWorker, jobId: string): Promise<('completed' | 'failed')[]> {
  const events = await app.deps.sql.rows<{ id: string }>(
    sql`SELECT id::text AS id FROM job_event WHERE job_id = ${jobId}::uuid
        AND type::text IN ('delivered', 'started', 'completed', 'failed', 'cancelled', 'timed_out') ORDER BY id`,
  );
  const states: ('completed' | 'failed')[] = [];
  for (const e of events) states.push(await queueJobFinished(worker, 'webhook', `event-${e.id}`));
  return states;
}
