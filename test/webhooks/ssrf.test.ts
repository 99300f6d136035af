import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite, callback, parseWrapper, poll, type BuiltSite } from '../factories.js';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, startWorker, type TestWorker } from '../support/worker.js';
import { buildNotifiedJob, deliveries, startReceiver, webhooksFinished, type Receiver } from './support.js';

// No OUTBOUND_ALLOWLIST here: the receiver on 127.0.0.1 is exactly what the policy must refuse.

let app: TestApp;
let worker: TestWorker;
let receiver: Receiver;
let site: BuiltSite;

beforeAll(async () => {
  app = await startApp({ env: { WEBHOOK_BACKOFF_BASE_MS: '50', WEBHOOK_RETRY_WINDOW_MS: '500' } });
  worker = await startWorker(app);
  receiver = await startReceiver();
  site = await buildSite(app);
});
afterAll(async () => {
  await worker.close();
  await receiver.close();
  await app.close();
});

const port = (): string => new URL(receiver.url).port;

async function createWithNotifyUrl(notifyUrl: string): Promise<{ status: number; body: any }> {
  return app.request('POST', `/api/asynchronous/${site.id}`, {
    token: site.auth,
    body: { description: 'SSRF probe', script: ':log info "x"', notify_url: notifyUrl },
  });
}

describe('webhook outbound policy', () => {
  it('refuses, at delivery, a host name resolving to loopback: recorded as refused, never retried, never contacted', async () => {
    const jobId = await buildNotifiedJob(app, site, `http://localhost:${port()}/hook`);
    const w = parseWrapper(await poll(app, site));
    await callback(app, w.busy!);
    await callback(app, w.done!);
    const list = await eventually(async () => {
      const l = await deliveries(app, site, jobId);
      return l.length === 3 && l.every((d) => d.state === 'refused') && l;
    });
    for (const d of list) {
      expect(d.attempts).toHaveLength(1);
      expect(d.attempts[0]).toMatchObject({ status_code: null, outcome: 'refused', error: expect.stringMatching(/outside the outbound policy/) });
    }
    expect(await webhooksFinished(app, worker, jobId)).toEqual(['failed', 'failed', 'failed']); // refused for good: no retry
    expect((await deliveries(app, site, jobId)).every((d) => d.attempts.length === 1)).toBe(true);
    expect(receiver.requests).toHaveLength(0);
  });

  it.each([
    ['loopback', () => `http://127.0.0.1:${port()}/hook`],
    ['loopback, odd spelling', () => `http://0x7f.1:${port()}/hook`],
    ['IPv6 loopback', () => `http://[::1]:${port()}/hook`],
    ['IPv4-mapped IPv6', () => 'http://[::ffff:127.0.0.1]/hook'],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/'],
    ['private', () => 'https://10.0.0.8/hook'],
  ])('rejects a %s literal when the job is created', async (_name, url) => {
    const res = await createWithNotifyUrl(url());
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'parameter_invalid', message: expect.stringMatching(/notify_url/) });
  });

  it('requires https for notify_url in production', async () => {
    const prod = await startApp({
      env: {
        NODE_ENV: 'production', PUBLIC_URL: 'https://tikops.example.net', API_KEY_SECRET: 'test-api-key-secret-0123456789abcdef0123',
        BACKUP_KEYS: `k:${Buffer.alloc(32, 1).toString('base64')}`, METRICS_TOKEN: 'm'.repeat(20),
      },
    });
    try {
      const s = await buildSite(prod);
      const body = { description: 'Prod hook', script: ':log info "x"' };
      const plain = await prod.request('POST', `/api/asynchronous/${s.id}`, { token: s.auth, body: { ...body, notify_url: 'http://hooks.example.com/x' } });
      expect(plain.status).toBe(400);
      expect(plain.body).toMatchObject({ code: 'parameter_invalid', message: expect.stringMatching(/https/) });
      const secure = await prod.request('POST', `/api/asynchronous/${s.id}`, { token: s.auth, body: { ...body, notify_url: 'https://hooks.example.com/x' } });
      expect(secure.status).toBe(200);
    } finally {
      await prod.close();
    }
  });
});
