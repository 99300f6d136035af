import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/db/sql.js';
import { startApp, type Reply, type TestApp } from '../support/app.js';
import { buildSite, type BuiltSite } from '../factories.js';

// Sites you can organise and find (issue 9, item 1): PATCH /site/{id}; GET /site's filters and
// cursor pages; cursor pages of a site's backups and faults.

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

const patch = (s: BuiltSite, body: object, token = s.auth): Promise<Reply> =>
  app.request('PATCH', `/site/${s.id}`, { token, body });

const ids = (r: Reply): string[] => (r.body as { id: string }[]).map((s) => s.id);

/** Every page of `path`, following X-Next-Cursor; checks that Link names the same cursor. */
async function allPages(path: string, token: string): Promise<{ pages: Reply[]; items: any[] }> {
  const pages: Reply[] = [];
  let next: string | null = path;
  while (next !== null) {
    const res: Reply = await app.request('GET', next, { token });
    expect(res.status).toBe(200);
    pages.push(res);
    const cursor = res.headers.get('x-next-cursor');
    const link = res.headers.get('link');
    if (cursor === null) {
      expect(link).toBeNull();
      next = null;
    } else {
      const m = /^<([^>]+)>; rel="next"$/.exec(link ?? '');
      expect(m).not.toBeNull();
      next = m![1]!;
      expect(new URL(next, app.url).searchParams.get('cursor')).toBe(cursor);
    }
  }
  return { pages, items: pages.flatMap((p) => p.body as any[]) };
}

describe('PATCH /site/{siteId}', () => {
  it('sets the name, tags and metadata given, leaves the rest, and shows them on GET', async () => {
    const s = await buildSite(app, 'org-patch', { name: 'Before' });
    const first = await patch(s, { tags: ['branch', 'eu-west', 'branch'], metadata: { rack: 'B2', contract: 'ACME-2291' } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: s.id, name: 'Before', tags: ['branch', 'eu-west'], metadata: { rack: 'B2', contract: 'ACME-2291' } });
    const renamed = await patch(s, { name: 'After' });
    expect(renamed.body).toMatchObject({ name: 'After', tags: ['branch', 'eu-west'], metadata: { rack: 'B2' } });
    expect(Date.parse(renamed.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(first.body.updated_at));
    const replaced = await patch(s, { tags: [], metadata: { owner: 'noc' } });
    expect(replaced.body).toMatchObject({ tags: [], metadata: { owner: 'noc' } });
    const got = await app.request('GET', `/site/${s.id}`, { token: s.auth });
    expect(got.body).toMatchObject({ name: 'After', tags: [], metadata: { owner: 'noc' } });
  });

  it('rejects an empty patch, bad tags, bad metadata and unknown fields with 400, changing nothing', async () => {
    const s = await buildSite(app, 'org-patch', { name: 'Keep' });
    const bad: [object, string][] = [
      [{}, 'body'],
      [{ tags: ['ok', 'has,comma'] }, 'tags'],
      [{ tags: [' padded'] }, 'tags'],
      [{ tags: ['x'.repeat(65)] }, 'tags'],
      [{ tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }, 'tags'],
      [{ tags: 'branch' }, 'tags'],
      [{ metadata: { rack: 5 } }, 'metadata'],
      [{ metadata: { 'bad key': 'x' } }, 'metadata'],
      [{ metadata: { k: 'x'.repeat(1025) } }, 'metadata'],
      [{ metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
      [{ name: '' }, 'name'],
      [{ name: 'x', owner: 'me' }, 'body'],
    ];
    for (const [body, param] of bad) {
      const res = await patch(s, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toMatch(/^parameter_(invalid|missing)$/);
      expect(res.body.message).toContain(param);
    }
    const got = await app.request('GET', `/site/${s.id}`, { token: s.auth });
    expect(got.body).toMatchObject({ name: 'Keep', tags: [], metadata: {} });
  });

  it("is a 404 for another org's site, which stays unchanged", async () => {
    const s = await buildSite(app, 'org-patch', { name: 'Mine' });
    const res = await patch(s, { name: 'Stolen' }, app.token('org-intruder'));
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('site_not_found');
    expect((await app.request('GET', `/site/${s.id}`, { token: s.auth })).body.name).toBe('Mine');
  });

  it('needs sites:write', async () => {
    const s = await buildSite(app, 'org-patch');
    const res = await patch(s, { name: 'x' }, app.token('org-patch', { scope: 'sites:read' }));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('insufficient_scope');
  });
});

describe('GET /site', () => {
  const org = 'org-find';
  let all: BuiltSite[] = [];
  const byName = new Map<string, BuiltSite>();

  beforeAll(async () => {
    // Seven sites; inventory and presence written as the sample drain and the sweep would.
    const specs = [
      { name: 'Alpha HQ', identity: 'core-1', model: 'RB5009UG+S+', version: '7.16.2 (stable)', tags: ['hq', 'eu'], seen: true, offline: false },
      { name: 'alpine branch', identity: 'br-7', model: 'hAP ax2', version: '7.16.2 (long-term)', tags: ['branch', 'eu'], seen: true, offline: true },
      { name: 'Beta', identity: 'alpha-edge', model: 'hAP ax2', version: '6.49.10 (long-term)', tags: ['branch'], seen: true, offline: false },
      { name: 'Gamma', identity: null, model: null, version: null, tags: [], seen: false, offline: false },
      { name: '100%_done', identity: 'pct', model: 'CHR', version: '7.15 (stable)', tags: ['lab'], seen: true, offline: false },
      { name: '100 metres', identity: 'pct2', model: 'CHR', version: '7.15 (testing)', tags: ['lab'], seen: true, offline: false },
      { name: 'Delta', identity: 'DELTA-1', model: 'RB5009UG+S+', version: '7.16.2', tags: ['eu'], seen: true, offline: false },
    ];
    for (const spec of specs) {
      const s = await buildSite(app, org, { name: spec.name });
      all.push(s);
      byName.set(spec.name, s);
      await patch(s, { tags: spec.tags });
      await app.deps.sql.rows(sql`
        UPDATE site SET identity = ${spec.identity}, model = ${spec.model}, software_version = ${spec.version},
          last_seen_at = ${spec.seen ? new Date() : null}::timestamptz,
          offline_since = ${spec.offline ? new Date() : null}::timestamptz
        WHERE id = ${s.id}::uuid`);
      if (spec.offline) {
        await app.deps.sql.rows(sql`
          INSERT INTO site_fault (id, site_id, type, created_at) VALUES (${randomUUID()}::uuid, ${s.id}::uuid, 'site_offline', now())`);
      }
    }
    // A resolved fault does not count as open.
    await app.deps.sql.rows(sql`
      INSERT INTO site_fault (id, site_id, type, created_at, resolved_at)
      VALUES (${randomUUID()}::uuid, ${byName.get('Beta')!.id}::uuid, 'site_rebooted', now(), now())`);
    all = all.reverse(); // newest first
  });

  const names = (r: Reply): string[] => (r.body as { name: string }[]).map((s) => s.name).sort();
  const find = (qs: string): Promise<Reply> => app.request('GET', `/site?${qs}`, { token: app.token(org) });

  it('lists the sites newest first and pages through them with the cursor, every site once', async () => {
    const { pages, items } = await allPages('/site?limit=3', app.token(org));
    expect(pages.map((p) => (p.body as unknown[]).length)).toEqual([3, 3, 1]);
    expect(items.map((s) => s.id)).toEqual(all.map((s) => s.id));
    expect(ids(await find('limit=100'))).toEqual(all.map((s) => s.id));
  });

  it('pages in (created_at, id) order when sites share a creation time', async () => {
    const tie = 'org-tie';
    const at = new Date('2026-01-01T00:00:00.000Z');
    await app.deps.sql.rows(sql`
      INSERT INTO site (id, org_id, name, created_at, updated_at)
      SELECT gen_random_uuid(), ${tie}, 'tie ' || i, ${at}::timestamptz, ${at}::timestamptz FROM generate_series(1, 25) i`);
    const { items } = await allPages('/site?limit=4', app.token(tie));
    const got = items.map((s) => s.id);
    expect(got).toHaveLength(25);
    expect(new Set(got).size).toBe(25);
    expect(got).toEqual([...got].sort().reverse());
  });

  it('filters by tag, status, version, model, name or identity prefix and open fault', async () => {
    expect(names(await find('tag=eu'))).toEqual(['Alpha HQ', 'Delta', 'alpine branch']);
    expect(names(await find('tag=branch'))).toEqual(['Beta', 'alpine branch']);
    expect(names(await find('tag=none'))).toEqual([]);
    expect(names(await find('status=offline'))).toEqual(['Gamma', 'alpine branch']);
    expect(names(await find('status=online'))).toEqual(['100 metres', '100%_done', 'Alpha HQ', 'Beta', 'Delta']);
    expect(names(await find('version=7.16.2'))).toEqual(['Alpha HQ', 'Delta', 'alpine branch']);
    expect(names(await find(`version=${encodeURIComponent('7.16.2 (stable)')}`))).toEqual(['Alpha HQ']);
    expect(names(await find('version=7.15'))).toEqual(['100 metres', '100%_done']);
    expect(names(await find(`model=${encodeURIComponent('hAP ax2')}`))).toEqual(['Beta', 'alpine branch']);
    expect(names(await find('q=alp'))).toEqual(['Alpha HQ', 'Beta', 'alpine branch']);
    expect(names(await find('q=delta'))).toEqual(['Delta']);
    expect(names(await find('q=ph'))).toEqual([]);
    expect(names(await find('has_open_fault=true'))).toEqual(['alpine branch']);
    expect(names(await find('has_open_fault=false'))).toHaveLength(6);
    expect(names(await find('tag=eu&status=online&model=RB5009UG%2BS%2B'))).toEqual(['Alpha HQ', 'Delta']);
  });

  it('takes q literally: % and _ are not wildcards', async () => {
    expect(names(await find('q=100%25'))).toEqual(['100%_done']);
    expect(names(await find('q=100_'))).toEqual([]);
    expect(names(await find('q=100%25_'))).toEqual(['100%_done']);
    expect(names(await find('q=100'))).toEqual(['100 metres', '100%_done']);
  });

  it('keeps the filters in the next-page link', async () => {
    const { pages, items } = await allPages('/site?tag=eu&limit=1', app.token(org));
    expect(pages).toHaveLength(3);
    expect(items.map((s) => s.name).sort()).toEqual(['Alpha HQ', 'Delta', 'alpine branch']);
    const link = new URL(/^<([^>]+)>/.exec(pages[0]!.headers.get('link')!)![1]!, app.url);
    expect(link.pathname).toBe('/site');
    expect(link.searchParams.get('tag')).toBe('eu');
    expect(link.searchParams.get('limit')).toBe('1');
  });

  it('rejects bad filters and cursors with 400 naming the parameter', async () => {
    for (const [qs, param] of [
      ['status=never', 'status'],
      ['has_open_fault=yes', 'has_open_fault'],
      ['version=%25', 'version'],
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['cursor=not%20a%20cursor', 'cursor'],
      [`cursor=${Buffer.from('nonsense').toString('base64url')}`, 'cursor'],
      ['q=', 'q'],
      ['colour=red', 'query'],
    ] as const) {
      const res = await find(qs);
      expect(res.status, qs).toBe(400);
      expect(res.body.message, qs).toContain(param);
    }
  });

  it("never shows another org's sites, whatever the filter", async () => {
    const other = app.token('org-find-other');
    expect((await app.request('GET', '/site?tag=eu', { token: other })).body).toEqual([]);
    expect((await app.request('GET', '/site?q=Alpha', { token: other })).body).toEqual([]);
    // A cursor taken from one org's pages does not reveal the other's sites.
    const first = await find('limit=1');
    const cursor = first.headers.get('x-next-cursor')!;
    expect((await app.request('GET', `/site?cursor=${cursor}`, { token: other })).body).toEqual([]);
  });
});

describe('cursor pages of backups and faults', () => {
  it("pages through a site's backups, newest first, each once", async () => {
    const s = await buildSite(app, 'org-pages');
    const t0 = Date.UTC(2026, 0, 1) / 1000;
    await app.deps.sql.rows(sql`
      INSERT INTO backup (path, site_id, size, sha256, content, created_at)
      SELECT ${s.id} || '/' || (${t0} + i) || '.rsc', ${s.id}::uuid, 1, repeat('0', 64), '\\x41'::bytea,
             to_timestamp(${t0} + (i / 2) * 2)
      FROM generate_series(1, 7) i`);
    const { pages, items } = await allPages(`/site/${s.id}/backup?limit=2`, s.auth);
    expect(pages).toHaveLength(4);
    const names = items.map((b) => b.filename as string);
    expect(names).toEqual(Array.from({ length: 7 }, (_, i) => `${t0 + 7 - i}.rsc`));
    const other = await app.request('GET', `/site/${s.id}/backup`, { token: app.token('org-pages-other') });
    expect(other.status).toBe(404);
  });

  it("pages through a site's faults, newest first, with the status filter kept", async () => {
    const s = await buildSite(app, 'org-pages');
    await app.deps.sql.rows(sql`
      INSERT INTO site_fault (id, site_id, type, created_at, resolved_at)
      SELECT gen_random_uuid(), ${s.id}::uuid, 'site_rebooted', now() - make_interval(mins => i), now() - make_interval(mins => i)
      FROM generate_series(1, 5) i`);
    await app.deps.sql.rows(sql`
      INSERT INTO site_fault (id, site_id, type, created_at) VALUES (gen_random_uuid(), ${s.id}::uuid, 'site_offline', now())`);
    const every = await allPages(`/site/${s.id}/faults?limit=2`, s.auth);
    expect(every.pages).toHaveLength(3);
    const created = every.items.map((f) => Date.parse(f.created_at));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(new Set(every.items.map((f) => f.id)).size).toBe(6);
    const resolved = await allPages(`/site/${s.id}/faults?limit=2&status=resolved`, s.auth);
    expect(resolved.items).toHaveLength(5);
    expect(resolved.items.every((f) => f.status === 'resolved')).toBe(true);
  });
});
