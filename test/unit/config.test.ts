import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, envSchema, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('works with no environment at all, using local defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBe('postgresql://postgres@127.0.0.1:5432/tikops');
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.docsUrl).toBe('http://127.0.0.1:3000/docs');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('derives the default PUBLIC_URL (and so the docs URL) from PORT', () => {
    const c = loadConfig({ PORT: '3918' });
    expect(c.publicUrl).toBe('http://127.0.0.1:3918');
    expect(c.docsUrl).toBe('http://127.0.0.1:3918/docs');
  });

  it('lists every invalid variable at once', () => {
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'http://x', WRAPPER_LIMIT_BYTES: '70000' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toContain('PORT');
      expect(msg).toContain('REDIS_URL');
      expect(msg).toContain('WRAPPER_LIMIT_BYTES');
    }
  });

  it('refuses to start in production with a default secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET[\s\S]*SIGNING_KEY/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40) })).toThrow(/SIGNING_KEY/);
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), SIGNING_KEY: 's'.repeat(40), WEBHOOK_SECRET: 'w'.repeat(40), PUBLIC_URL: 'https://tikops.example.net' };
    expect(() => loadConfig(prod)).toThrow(/API_KEY_SECRET/);
    const ok = loadConfig({ ...prod, API_KEY_SECRET: 'k'.repeat(40) });
    expect(ok.env).toBe('production');
    expect(ok.apiKeySecret).toBe('k'.repeat(40));
  });

  it('refuses an API key secret equal to another secret, and needs no JWT secret with a JWK set', () => {
    expect(() => loadConfig({ SIGNING_KEY: 's'.repeat(40), API_KEY_SECRET: 's'.repeat(40) })).toThrow(/API_KEY_SECRET/);
    const jwks = loadConfig({ JWT_JWKS_URL: 'https://idp.example/.well-known/jwks.json' });
    expect(jwks.jwt.secret).toBeUndefined();
    expect(loadConfig({}).jwt).toMatchObject({ maxLifetimeSeconds: 86_400, tenantFromSub: false });
  });

  it('refuses a loopback PUBLIC_URL in production (routers cannot reach it), and allows it in development', () => {
    const prod = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), SIGNING_KEY: 's'.repeat(40), WEBHOOK_SECRET: 'w'.repeat(40), API_KEY_SECRET: 'k'.repeat(40) };
    expect(() => loadConfig(prod)).toThrow(/PUBLIC_URL: set the URL routers reach/);
    for (const url of ['http://localhost:3000', 'http://127.0.0.2', 'http://[::1]:3000', 'http://[::ffff:127.0.0.1]/', 'http://0.0.0.0:3000']) {
      expect(() => loadConfig({ ...prod, PUBLIC_URL: url }), String(url)).toThrow(/PUBLIC_URL: .*loopback/);
    }
    expect(loadConfig({ ...prod, PUBLIC_URL: 'http://10.0.0.5:3000' }).publicUrl).toBe('http://10.0.0.5:3000');
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:3000' }).publicUrl).toBe('http://localhost:3000');
  });

  it('rejects short secrets', () => {
    expect(() => loadConfig({ SIGNING_KEY: 'short' })).toThrow(/SIGNING_KEY/);
  });

  it('matches .env.example key for key', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const keys = example
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=')[0]);
    expect(keys.sort()).toEqual(Object.keys(envSchema.shape).sort());
  });
});
