import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { attemptsToSpan, backoffDelay } from '../../src/lib/backoff.js';
import { refusedEarly, userUrlPolicy } from '../../src/lib/outbound-url.js';
import { queueDefs, webhookAttempts, webhookBackoff } from '../../src/queues/definitions.js';

const HOUR = 3_600_000;
const shortest = () => 0;
const longest = () => 1;

/** The worst-case (shortest-jitter) time between the first and the last of `attempts` attempts. */
function shortestSpan(config: ReturnType<typeof loadConfig>, attempts: number): number {
  let sum = 0;
  for (let retry = 1; retry < attempts; retry++) sum += backoffDelay(webhookBackoff(config), retry, shortest);
  return sum;
}

describe('webhook retry schedule', () => {
  it('starts at WEBHOOK_BACKOFF_BASE_MS and doubles up to a 1 h cap', () => {
    const b = webhookBackoff(loadConfig({}));
    const nominal = [1, 2, 3, 4, 9, 10, 11, 30].map((n) => backoffDelay(b, n, () => 0.5));
    expect(nominal).toEqual([10_000, 20_000, 40_000, 80_000, 2_560_000, HOUR, HOUR, HOUR]);
  });

  it('jitters each delay by at most 20% either way', () => {
    const b = webhookBackoff(loadConfig({}));
    expect(backoffDelay(b, 1, shortest)).toBe(8_000);
    expect(backoffDelay(b, 1, longest)).toBe(12_000);
    expect(backoffDelay(b, 20, shortest)).toBe(0.8 * HOUR);
    expect(backoffDelay(b, 20, longest)).toBe(1.2 * HOUR);
    const samples = Array.from({ length: 200 }, () => backoffDelay(b, 3));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(32_000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(48_000);
    expect(new Set(samples).size).toBeGreaterThan(1);
  });

  it('has just enough attempts by default that even the shortest waits sum to 24 h', () => {
    const config = loadConfig({});
    const attempts = webhookAttempts(config);
    expect(shortestSpan(config, attempts)).toBeGreaterThanOrEqual(24 * HOUR);
    expect(shortestSpan(config, attempts - 1)).toBeLessThan(24 * HOUR);
    expect(attempts).toBe(39);
  });

  it('follows the configured base and window', () => {
    const tiny = loadConfig({ WEBHOOK_BACKOFF_BASE_MS: '50', WEBHOOK_RETRY_WINDOW_MS: '500' });
    const first = queueDefs.webhook.backoff!(1, tiny);
    expect(first).toBeGreaterThanOrEqual(40);
    expect(first).toBeLessThanOrEqual(60);
    expect(webhookAttempts(tiny)).toBe(5); // 40 + 80 + 160 + 320 >= 500
    expect(webhookAttempts(loadConfig({ WEBHOOK_RETRY_WINDOW_MS: '0' }))).toBe(1);
  });

  it("stays under the queue's backstop attempts for every valid configuration", () => {
    const extreme = loadConfig({ WEBHOOK_BACKOFF_BASE_MS: '10', WEBHOOK_RETRY_WINDOW_MS: String(7 * 24 * HOUR) });
    expect(webhookAttempts(extreme)).toBeLessThan(queueDefs.webhook.options.attempts!);
    expect(queueDefs.webhook.options.backoff).toEqual({ type: 'custom' });
  });

  it('refuses a schedule that can never advance', () => {
    expect(() => attemptsToSpan({ baseMs: 0, capMs: 0, jitter: 0.2 }, 1)).toThrow();
  });
});

describe('notify_url early refusal', () => {
  const dev = userUrlPolicy(loadConfig({}));

  it.each([
    ['http://127.0.0.1:8080/hook'],
    ['http://0x7f.1/hook'],
    ['http://2130706433/hook'],
    ['http://[::1]/hook'],
    ['http://[::ffff:10.0.0.1]/hook'],
    ['http://169.254.169.254/latest/meta-data/'],
    ['http://10.1.2.3/hook'],
    ['https://192.168.1.1/hook'],
    ['http://100.64.0.1/hook'],
    ['http://0.0.0.0/hook'],
    ['ftp://example.com/hook'],
  ])('refuses %s without a lookup', (url) => {
    expect(refusedEarly(url, dev)).toMatch(/./);
  });

  it('leaves host names and public addresses to the delivery-time check', () => {
    expect(refusedEarly('http://localhost/hook', dev)).toBeNull();
    expect(refusedEarly('https://hooks.example.com/tikops', dev)).toBeNull();
    expect(refusedEarly('http://8.8.8.8/hook', dev)).toBeNull();
  });

  it('lets allowlisted ranges through and requires https in production', () => {
    expect(refusedEarly('http://127.0.0.1:9/x', userUrlPolicy(loadConfig({ OUTBOUND_ALLOWLIST: '127.0.0.1/32' })))).toBeNull();
    const prod = userUrlPolicy({ env: 'production', outboundAllowlist: [] });
    expect(refusedEarly('http://hooks.example.com/x', prod)).toMatch(/https/);
    expect(refusedEarly('https://hooks.example.com/x', prod)).toBeNull();
  });
});
