import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, envSchema, loadConfig } from '../../src/config.js';

/** A valid BACKUP_KEYS entry (id `a`, 32 bytes). */
const KEY_A = `a:${Buffer.alloc(32, 7).toString('base64')}`;

/** Every secret production requires. */
const PROD_SECRETS = {
  JWT_SECRET: 'p'.repeat(40), SIGNING_KEY: 's'.repeat(40), API_KEY_SECRET: 'k'.repeat(40),
  BACKUP_KEYS: KEY_A, METRICS_TOKEN: 'm'.repeat(20),
};

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

  it('names one Redis, or a Redis Cluster by a redis+cluster:// URL or a node list', () => {
    expect(loadConfig({}).redisCluster).toBeNull();
    expect(loadConfig({ REDIS_URL: 'rediss://:pw@cache.internal:6380' }).redisCluster).toBeNull();
    expect(loadConfig({ REDIS_URL: 'redis+cluster://app:s%40cret@10.0.0.1:7000,10.0.0.2:7001,[::1]:7002/' }).redisCluster).toEqual({
      nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: '::1', port: 7002 }],
      username: 'app',
      password: 's@cret',
      tls: false,
    });
    expect(loadConfig({ REDIS_URL: 'rediss://:pw@x', REDIS_CLUSTER_NODES: 'r1.internal:7000,r2.internal' }).redisCluster).toEqual({
      nodes: [{ host: 'r1.internal', port: 7000 }, { host: 'r2.internal', port: 6379 }],
      username: undefined,
      password: 'pw',
      tls: true,
    });
    expect(() => loadConfig({ REDIS_URL: 'redis+cluster://h1:7000,h2:notaport' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'h1:7000,,h2:7001' })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => loadConfig({ REDIS_URL: 'redis+cluster://h1:7000', REDIS_CLUSTER_NODES: 'h2:7000' })).toThrow(/either/);
  });

  it('names a Sentinel-managed Redis by redis+sentinel://sentinels/<master>, Sentinel port 26379 unless given', () => {
    const c = loadConfig({ REDIS_URL: 'redis+sentinel://app:s%40cret@10.0.0.1,10.0.0.2:26380,[::1]:26381/cache-main' });
    expect(c.redisCluster).toBeNull();
    expect(c.redisSentinel).toEqual({
      sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26380 }, { host: '::1', port: 26381 }],
      name: 'cache-main',
      username: 'app',
      password: 's@cret',
      sentinelUsername: undefined,
      sentinelPassword: undefined,
      tls: false,
    });
    expect(Object.isFrozen(c.redisSentinel)).toBe(true);
    expect(loadConfig({ REDIS_URL: 'rediss+sentinel://:pw@s1:26379/m?sentinelUsername=watch&sentinelPassword=s%26p' }).redisSentinel).toMatchObject({
      password: 'pw',
      sentinelUsername: 'watch',
      sentinelPassword: 's&p',
      tls: true,
    });
    expect(loadConfig({}).redisSentinel).toBeNull();
    expect(loadConfig({ REDIS_URL: 'redis+cluster://h1:7000' }).redisSentinel).toBeNull();
  });

  it('says what is wrong with a redis+sentinel:// URL, without echoing its passwords', () => {
    const problem = (env: Record<string, string>): string => {
      try {
        loadConfig(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    expect(problem({ REDIS_URL: 'redis+sentinel://:hunter2@s1:26379,s2:26379' })).toMatch(/REDIS_URL: .*name the master/);
    expect(problem({ REDIS_URL: 'redis+sentinel://:hunter2@s1:26379,s2:26379/' })).toMatch(/REDIS_URL: .*name the master/);
    expect(problem({ REDIS_URL: 'redis+sentinel://:hunter2@s1:26379,s2:port/m' })).toMatch(/REDIS_URL: .*"s2:port" is not a Sentinel host:port/);
    expect(problem({ REDIS_URL: 'redis+sentinel://s1:26379,,s2/m' })).toMatch(/"" is not a Sentinel host:port/);
    expect(problem({ REDIS_URL: 'redis+sentinel:///m' })).toMatch(/name at least one Sentinel/);
    expect(problem({ REDIS_URL: 'redis+sentinel://s1/m?sentinelPasword=hunter2' })).toMatch(/unknown parameter "sentinelPasword"/);
    expect(problem({ REDIS_URL: 'redis+sentinel://:hunter2@s1/m', REDIS_CLUSTER_NODES: 'h1:7000' })).toMatch(/REDIS_CLUSTER_NODES: .*set one of them/);
    expect(problem({ REDIS_URL: 'redis+sentinel://:hunter2@s1/m?sentinelPasword=hunter2' })).not.toContain('hunter2');
  });

  it('refuses to start in production with a default secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET[\s\S]*SIGNING_KEY/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40) })).toThrow(/SIGNING_KEY/);
    const ok = loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://t.example', ...PROD_SECRETS });
    expect(ok.env).toBe('production');
    expect(ok.routerTransport).toEqual({ verify: true, caPem: null, ntpServers: ['pool.ntp.org'] });
  });

  it('refuses an http PUBLIC_URL in production unless insecure router transport is allowed explicitly', () => {
    const secrets = { NODE_ENV: 'production', ...PROD_SECRETS };
    expect(() => loadConfig({ ...secrets, PUBLIC_URL: 'http://t.example' })).toThrow(/PUBLIC_URL: must be https/);
    const insecure = loadConfig({ ...secrets, PUBLIC_URL: 'http://t.example', ALLOW_INSECURE_ROUTER_TRANSPORT: 'true' });
    expect(insecure.routerTransport.verify).toBe(false);
    expect(loadConfig({ PUBLIC_URL: 'http://t.example' }).routerTransport.verify).toBe(false);
  });

  it('caps the wrapper limits: 64,000 bytes, and v6 at its own (smaller) limit', () => {
    expect(() => loadConfig({ WRAPPER_LIMIT_BYTES: '64001' })).toThrow(/WRAPPER_LIMIT_BYTES/);
    expect(loadConfig({}).wrapperLimitBytes).toBe(60_000);
    expect(loadConfig({}).v6WrapperLimitBytes).toBe(4_000);
    expect(loadConfig({ WRAPPER_LIMIT_BYTES: '3000' }).v6WrapperLimitBytes).toBe(3_000);
  });

  it('reads TLS_CA_CERT with \\n escapes', () => {
    const pem = '-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----';
    expect(loadConfig({ TLS_CA_CERT: pem }).routerTransport.caPem).toBe('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----');
  });

  it('needs API_KEY_SECRET, BACKUP_KEYS and METRICS_TOKEN in production', () => {
    const prod = { NODE_ENV: 'production', PUBLIC_URL: 'https://t.example', JWT_SECRET: 'p'.repeat(40), SIGNING_KEY: 's'.repeat(40) };
    expect(() => loadConfig(prod)).toThrow(/API_KEY_SECRET[\s\S]*BACKUP_KEYS[\s\S]*METRICS_TOKEN/);
    const ok = loadConfig({ ...prod, ...PROD_SECRETS });
    expect(ok.env).toBe('production');
    expect(ok.apiKeySecret).toBe('k'.repeat(40));
  });

  it('refuses an API key secret equal to another secret, and needs no JWT secret with a JWK set', () => {
    expect(() => loadConfig({ SIGNING_KEY: 's'.repeat(40), API_KEY_SECRET: 's'.repeat(40) })).toThrow(/API_KEY_SECRET/);
    const jwks = loadConfig({ JWT_JWKS_URL: 'https://idp.example/.well-known/jwks.json' });
    expect(jwks.jwt.secret).toBeUndefined();
    expect(loadConfig({}).jwt).toMatchObject({ maxLifetimeSeconds: 86_400, tenantFromSub: false });
  });

  it('reads BACKUP_KEYS as id:base64 pairs of 32-byte keys, the first one current', () => {
    const keys = loadConfig({ BACKUP_KEYS: `new:${'b'.repeat(43)}=,${KEY_A}` }).backup.keys!;
    expect(keys.map((k) => k.id)).toEqual(['new', 'a']);
    expect(keys.every((k) => k.key.length === 32)).toBe(true);
    expect(() => loadConfig({ BACKUP_KEYS: 'a:c2hvcnQ=' })).toThrow(/BACKUP_KEYS/);
    expect(() => loadConfig({ BACKUP_KEYS: `${KEY_A},${KEY_A}` })).toThrow(/unique/);
    expect(loadConfig({}).backup.keys).toBeNull();
  });

  it('refuses a loopback PUBLIC_URL in production (routers cannot reach it), and allows it in development', () => {
    const prod = { NODE_ENV: 'production', ...PROD_SECRETS };
    expect(() => loadConfig(prod)).toThrow(/PUBLIC_URL: set the URL routers reach/);
    for (const url of ['http://localhost:3000', 'http://127.0.0.2', 'http://[::1]:3000', 'http://[::ffff:127.0.0.1]/', 'http://0.0.0.0:3000']) {
      expect(() => loadConfig({ ...prod, PUBLIC_URL: url }), String(url)).toThrow(/PUBLIC_URL: .*loopback/);
    }
    expect(loadConfig({ ...prod, PUBLIC_URL: 'http://10.0.0.5:3000', ALLOW_INSECURE_ROUTER_TRANSPORT: 'true' }).publicUrl).toBe('http://10.0.0.5:3000');
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:3000' }).publicUrl).toBe('http://localhost:3000');
  });

  it('keeps the sample interval within the offline window, so the first heartbeat after an outage resolves it', () => {
    expect(loadConfig({}).fleet.sampleIntervalMs).toBe(300_000);
    expect(() => loadConfig({ SAMPLE_INTERVAL_SECONDS: '301' })).toThrow(/SAMPLE_INTERVAL_SECONDS: must be at most .*\(300\)/);
    expect(loadConfig({ SAMPLE_INTERVAL_SECONDS: '600', OFFLINE_AFTER_MISSED: '20' }).fleet.sampleIntervalMs).toBe(600_000);
  });

  it('rejects short secrets', () => {
    expect(() => loadConfig({ SIGNING_KEY: 'short' })).toThrow(/SIGNING_KEY/);
  });

  it('matches .env.example key for key', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const keys = example
      .split('\n')
      .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
      .map((l) => l.split('=')[0]);
    expect(keys.sort()).toEqual(Object.keys(envSchema.shape).sort());
  });
});
