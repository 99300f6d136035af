import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressAllowed, createSafeFetch, OutboundRefused, type OutboundPolicy } from '../../src/lib/safe-fetch.js';

let server: Server;
let port = 0;
const hits: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
      return;
    }
    res.end('pong');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const publicOnly: OutboundPolicy = { ranges: ['unicast'], allowlist: [], requireHttps: false };
const get = { method: 'GET' as const, timeoutMs: 2_000 };

describe('addressAllowed', () => {
  it.each([
    ['8.8.8.8', true],
    ['10.1.2.3', false],
    ['127.0.0.1', false],
    ['::ffff:127.0.0.1', false],
    ['::1', false],
    ['169.254.169.254', false],
    ['fd00:ec2::254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['not-an-ip', false],
    // IPv6 forms that embed an IPv4 address are judged by it (RFC 4291, 6145, 6052, 8215, 3056, 4380).
    ['::7f00:1', false],
    ['::127.0.0.1', false],
    ['::a9fe:a9fe', false],
    ['::ffff:0:a00:1', false],
    ['64:ff9b::7f00:1', false],
    ['64:ff9b::a9fe:a9fe', false],
    ['64:ff9b:1::a00:1', false],
    ['2002:a9fe:a9fe::1', false],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', false], // Teredo client 127.0.0.1 (obfuscated)
    ['2001:0:a00:1:8000:63bf:f7f7:f7f7', false], // Teredo server 10.0.0.1
    ['64:ff9b::808:808', true],
    ['2002:808:808::1', true],
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', true], // server 65.54.227.120, client 8.8.8.8
    ['2606:4700:4700::1111', true],
  ])('decides %s → %s for a public-only policy', (addr, ok) => {
    expect(addressAllowed(addr, publicOnly)).toBe(ok);
  });

  it('lets an allowlisted CIDR through, and private ranges when the policy names them', () => {
    expect(addressAllowed('127.0.0.1', { ranges: ['unicast'], allowlist: ['127.0.0.1/32'] })).toBe(true);
    expect(addressAllowed('10.9.9.9', { ranges: ['unicast', 'private'], allowlist: [] })).toBe(true);
    expect(addressAllowed('169.254.169.254', { ranges: ['unicast', 'private'], allowlist: [] })).toBe(false);
    expect(addressAllowed('::ffff:127.0.0.1', { ranges: ['unicast'], allowlist: ['127.0.0.1/32'] })).toBe(true);
    expect(addressAllowed('64:ff9b::a00:1', { ranges: ['unicast', 'private'], allowlist: [] })).toBe(true);
  });
});

describe('createSafeFetch', () => {
  it('refuses loopback by IP and by name unless allowlisted', async () => {
    const fetch = createSafeFetch(publicOnly);
    await expect(fetch(`http://127.0.0.1:${port}/x`, get)).rejects.toBeInstanceOf(OutboundRefused);
    await expect(fetch(`http://localhost:${port}/x`, get)).rejects.toBeInstanceOf(OutboundRefused);
    await expect(fetch(`http://[::ffff:127.0.0.1]:${port}/x`, get)).rejects.toBeInstanceOf(OutboundRefused);
    await expect(fetch('http://169.254.169.254/latest/meta-data/', get)).rejects.toBeInstanceOf(OutboundRefused);
    expect(hits).toHaveLength(0);
    const allowed = createSafeFetch({ ...publicOnly, allowlist: ['127.0.0.1/32'] });
    const res = await allowed(`http://localhost:${port}/ok`, get);
    expect(res).toMatchObject({ status: 200, body: 'pong' });
  });

  it('does not follow redirects', async () => {
    const fetch = createSafeFetch({ ...publicOnly, allowlist: ['127.0.0.1/32'] });
    const res = await fetch(`http://127.0.0.1:${port}/redirect`, get);
    expect(res.status).toBe(302);
    expect(hits.filter((h) => h.includes('meta-data'))).toHaveLength(0);
  });

  it('refuses plain http when https is required, and non-http schemes always', async () => {
    const fetch = createSafeFetch({ ...publicOnly, allowlist: ['127.0.0.1/32'], requireHttps: true });
    await expect(fetch(`http://127.0.0.1:${port}/x`, get)).rejects.toBeInstanceOf(OutboundRefused);
    await expect(createSafeFetch(publicOnly)('file:///etc/passwd', get)).rejects.toBeInstanceOf(OutboundRefused);
  });
});
