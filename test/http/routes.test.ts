import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import { buildRouter, servedBeforeKoa } from '../../src/app.js';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../support/app.js';

// The router and the OpenAPI document come from the same specs (src/routes.ts); this catches a
// route registered by hand, a spec the router does not serve, and a fast path left undocumented.

let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app.close();
});

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const ID = '9a9a3e6f-1b1a-4b1a-8c1a-1e1a1a1a1a1a';

async function documentedOperations(): Promise<{ method: string; path: string; op: any }[]> {
  const doc = (await app.request('GET', '/openapi.json')).body;
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

describe('the served routes and the OpenAPI document', () => {
  it('list the same operations, both ways (the router, plus what is served before Koa)', async () => {
    const router = buildRouter(app.deps);
    const registered = router.stack.flatMap((layer) =>
      layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${String(layer.path).replace(/:(\w+)/g, '{$1}')}`),
    );
    const fast = servedBeforeKoa.map((r) => `${r.method} ${r.path}`);
    const documented = (await documentedOperations()).map(({ method, path }) => `${method} ${path}`);
    expect(new Set(registered).size).toBe(registered.length);
    expect([...registered, ...fast].sort()).toEqual([...documented].sort());
    expect(fast).toEqual(['POST /poll']);
  });

  it('serves POST /poll before Koa with the documented error shape', async () => {
    const res = await app.request('POST', '/poll', { body: 'name=x;' });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('authentication_required');
  });

  it('refuses every operator operation to a credential without its scope, with 403 naming the scope', async () => {
    const noScopes = jwt.sign({ org: 'org-scopes', scope: '' }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
    const operator = (await documentedOperations()).filter(({ op }) => op.security?.[0]?.BearerAuth);
    expect(operator.length).toBeGreaterThan(20);
    for (const { method, path, op } of operator) {
      const [scope] = op.security[0].BearerAuth as string[];
      const res = await app.request(method, path.replace(/\{[^}]+\}/g, ID), { token: noScopes });
      expect([method, path, res.status, res.body.code]).toEqual([method, path, 403, 'insufficient_scope']);
      expect(res.body.message).toContain(`'${scope}'`);
    }
  });
});
