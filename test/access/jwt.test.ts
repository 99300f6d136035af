import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';

// Operator JWTs from an identity provider: keys from JWT_JWKS_URL (a JWK set served here on
// 127.0.0.1), exp required within JWT_MAX_LIFETIME_SECONDS, iss and aud checked when configured.

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
let jwksServer: Server;
let jwksHits = 0;
let app: TestApp;

beforeAll(async () => {
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  jwksServer = createServer((req, res) => {
    jwksHits++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const { port } = jwksServer.address() as AddressInfo;
  app = await startApp({
    env: {
      JWT_SECRET: '',
      JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      JWT_ISSUER: 'https://idp.example',
      JWT_AUDIENCE: 'tikops',
      JWT_MAX_LIFETIME_SECONDS: '3600',
    },
  });
});
afterAll(async () => {
  await app.close();
  await new Promise((resolve) => jwksServer.close(resolve));
});

interface Opts {
  key?: KeyObject;
  alg?: string;
  kid?: string;
  iss?: string;
  aud?: string;
  exp?: number | null;
  claims?: Record<string, unknown>;
}

async function sign(o: Opts = {}): Promise<string> {
  const jwt = new SignJWT({ org: 'org-idp', ...o.claims })
    .setProtectedHeader({ alg: o.alg ?? 'RS256', kid: o.kid ?? 'rsa-1' })
    .setIssuer(o.iss ?? 'https://idp.example')
    .setAudience(o.aud ?? 'tikops')
    .setSubject('bob')
    .setIssuedAt();
  if (o.exp !== null) jwt.setExpirationTime(o.exp ?? Math.floor(Date.now() / 1000) + 600);
  return jwt.sign(o.key ?? rsa.privateKey);
}

describe('JWT_JWKS_URL', () => {
  it('accepts RS256 and ES256 tokens signed by keys of the remote set, chosen by kid', async () => {
    const rs = await app.request('POST', '/site', { token: await sign(), body: { name: 'idp site' } });
    expect(rs.status).toBe(201);
    const es = await app.request('GET', '/site', { token: await sign({ key: ec.privateKey, alg: 'ES256', kid: 'ec-1' }) });
    expect(es.status).toBe(200);
    expect(es.body.map((s: { id: string }) => s.id)).toEqual([rs.body.id]);
    expect(jwksHits).toBeGreaterThan(0);
  });

  const refused: [string, () => Promise<string>][] = [
    ['a key that is not in the set', () => sign({ key: stranger.privateKey })],
    ['an unknown kid', () => sign({ kid: 'rsa-404' })],
    ['a key of the set under another kid', () => sign({ key: ec.privateKey, alg: 'ES256', kid: 'rsa-1' })],
    ['HS256 (no secret is configured)', () => new SignJWT({ org: 'org-idp' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(Buffer.from(TEST_JWT_SECRET))],
    ['the wrong issuer', () => sign({ iss: 'https://evil.example' })],
    ['the wrong audience', () => sign({ aud: 'someone-else' })],
    ['no exp', () => sign({ exp: null })],
    ['exp beyond JWT_MAX_LIFETIME_SECONDS', () => sign({ exp: Math.floor(Date.now() / 1000) + 7200 })],
    ['an expired token', () => sign({ exp: Math.floor(Date.now() / 1000) - 120 })],
    ['no org claim (sub is not a tenant by default)', () => sign({ claims: { org: undefined } })],
  ];
  it.each(refused)('refuses %s with 401 token_invalid', async (_name, make) => {
    const res = await app.request('GET', '/site', { token: await make() });
    expect([res.status, res.body.code]).toEqual([401, 'token_invalid']);
  });

  it('records the token subject as the actor', async () => {
    const site = (await app.request('POST', '/site', { token: await sign(), body: { name: 'by bob' } })).body;
    const audit = await app.request('GET', `/audit?target=site:${site.id}`, { token: await sign() });
    expect(audit.body.map((e: { actor: string; action: string }) => [e.actor, e.action])).toEqual([['jwt:bob', 'site.create']]);
  });
});
