import type { TestApp } from '../support/app.js';

/** Creates an API key over the API with an unscoped JWT of `org`; returns the key object with its secret. */
export async function makeKey(app: TestApp, org: string, scopes: string[], extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string; prefix: string }> {
  const res = await app.request('POST', '/api-keys', { token: app.token(org), body: { name: `key ${scopes.slice(0, 3).join(' ')}`, scopes, ...extra } });
  if (res.status !== 201) throw new Error(`key create failed: ${res.status} ${res.text}`);
  return res.body;
}

export const ALL_SCOPES = [
  'sites:read', 'sites:write', 'jobs:read', 'jobs:write', 'backups:read', 'backups:write',
  'rollouts:write', 'rollouts:approve', 'keys:admin', 'audit:read', 'webhooks:admin',
];
