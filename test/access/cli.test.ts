import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, createSqlClient } from '../../src/db/sql.js';
import { SCOPES } from '../../src/http/auth.js';
import { KEYS_HELP, runKeysCli, type CliIo } from '../../src/keys/keys.cli.js';
import { startApp, type TestApp } from '../support/app.js';

// The operator CLI (`npm run tikops -- keys …`, scripts/tikops.ts) against the test database.

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l) };
  const deps = () => {
    const pool = createPool(app.config);
    return Promise.resolve({ config: app.config, sql: createSqlClient(pool), clock: app.clock, close: () => pool.end() });
  };
  const code = await runKeysCli(argv, deps, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run tikops -- keys', () => {
  it('creates the first key of an organisation with every scope, usable at once', async () => {
    const created = await cli('create', '--org', 'acme', '--name', 'admin', '--scopes', 'all', '--quiet');
    expect(created.code).toBe(0);
    const secret = created.out.trim();
    expect(secret).toMatch(/^tko_[A-Za-z0-9_-]{43}$/);
    const site = await app.request('POST', '/site', { token: secret, body: { name: 'HQ' } });
    expect(site.status).toBe(201);
    const keys = await app.request('GET', '/api-keys', { token: secret });
    expect(keys.body[0]).toMatchObject({ name: 'admin', created_by: 'cli' });
    expect(keys.body[0].scopes).toEqual([...SCOPES]);
    const audit = await app.request('GET', '/audit?action=api_key.create', { token: secret });
    expect(audit.body[0]).toMatchObject({ actor: 'cli', target: `api_key:${keys.body[0].id}` });
  });

  it('lists without secrets and revokes', async () => {
    const made = await cli('create', '--org', 'acme-2', '--name', 'ci', '--scopes', 'sites:read,jobs:write', '--json');
    const key = JSON.parse(made.out);
    expect(key.scopes).toEqual(['sites:read', 'jobs:write']);
    const listed = await cli('list', '--org', 'acme-2');
    expect(listed.out).toContain(key.prefix);
    expect(listed.out).not.toContain(key.secret.slice(12));
    expect((await cli('revoke', '--org', 'acme-2', '--id', key.id)).code).toBe(0);
    expect((await app.request('GET', '/site', { token: key.secret })).status).toBe(401);
    const other = await cli('revoke', '--org', 'acme', '--id', key.id);
    expect(other.code).toBe(1);
    expect(other.err).toContain('No such API key');
  });

  it('prints help, and refuses unknown scopes and missing options with exit code 2', async () => {
    const help = await cli('--help');
    expect([help.code, help.out]).toEqual([0, KEYS_HELP]);
    expect(KEYS_HELP).toContain('keys:admin');
    for (const argv of [
      ['create', '--org', 'acme', '--name', 'x', '--scopes', 'root'],
      ['create', '--org', 'acme', '--scopes', 'all'],
      ['frobnicate', '--org', 'acme'],
      ['create', '--bogus'],
    ]) {
      const res = await cli(...argv);
      expect([argv.join(' '), res.code]).toEqual([argv.join(' '), 2]);
      expect(res.err).toContain('Usage:');
    }
  });
});
