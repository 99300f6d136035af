import { drainSamples } from '../../src/fleet/samples.service.js';
import type { Reply, TestApp } from '../support/app.js';
import { eventually } from '../support/worker.js';
import { buildSite, callback, parseWrapper, poll, type BuiltSite } from '../factories.js';

// Rollout test helpers: a fleet of sites that reported in (so they count as online), a router's
// run of whatever job it is handed, and waits on a rollout's state.

/** `n` sites of `org`, tagged, each having sent a heartbeat that the drain wrote (online). */
export async function onlineSites(app: TestApp, n: number, tags: string[] = ['branch'], org = 'org-a'): Promise<BuiltSite[]> {
  const list: BuiltSite[] = [];
  for (let i = 0; i < n; i++) {
    const s = await buildSite(app, org, { name: `router-${i}` });
    const res = await app.request('PATCH', `/site/${s.id}`, { token: s.auth, body: { tags } });
    if (res.status !== 200) throw new Error(`tagging failed: ${res.status} ${res.text}`);
    await poll(app, s);
    list.push(s);
  }
  await drainSamples(app.deps);
  return list;
}

/**
 * The router's side of one poll: takes the job it is handed (if any), claims it and reports
 * `outcome`. Returns the job's id (from its wrapper's callback URL), or null when nothing was handed out.
 */
export async function runHandedJob(app: TestApp, site: BuiltSite, outcome: 'done' | 'fail' | 'hold'): Promise<string | null> {
  const text = await poll(app, site);
  if (!text.includes('tikopsBusy')) return null;
  const w = parseWrapper(text);
  const jobId = /\/job\/([0-9a-f-]{36})\//.exec(w.busy!)?.[1] ?? null;
  if (outcome === 'hold') return jobId;
  const busy = await callback(app, w.busy!);
  if (busy.status !== 200) throw new Error(`busy failed: ${busy.status} ${busy.text}`);
  const res = await callback(app, outcome === 'done' ? w.done! : w.fail!);
  if (res.status !== 200) throw new Error(`${outcome} failed: ${res.status} ${res.text}`);
  return jobId;
}

export async function createRollout(app: TestApp, token: string, body: Record<string, unknown>): Promise<any> {
  const res = await app.request('POST', '/rollouts', {
    token,
    body: { description: 'Enable DNS cache', script: '/ip dns set cache-size=4096', batch_interval_seconds: 0, ...body },
  });
  if (res.status !== 201) throw new Error(`rollout create failed: ${res.status} ${res.text}`);
  return res.body;
}

export async function getRollout(app: TestApp, token: string, id: string): Promise<any> {
  const res = await app.request('GET', `/rollouts/${id}`, { token });
  if (res.status !== 200) throw new Error(`rollout get failed: ${res.status} ${res.text}`);
  return res.body;
}

/** Waits until the rollout satisfies `check`; returns it. */
export function rolloutWhen(app: TestApp, token: string, id: string, check: (r: any) => boolean, timeoutMs = 15_000): Promise<any> {
  return eventually(async () => {
    const r = await getRollout(app, token, id);
    return check(r) ? r : null;
  }, timeoutMs);
}

/** Every target of the rollout (all pages), optionally of one state. */
export async function targets(app: TestApp, token: string, id: string, state?: string): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  for (;;) {
    const qs: URLSearchParams = new URLSearchParams({ limit: '2', ...(state ? { state } : {}), ...(cursor ? { cursor } : {}) });
    const res: Reply = await app.request('GET', `/rollouts/${id}/targets?${qs.toString()}`, { token });
    if (res.status !== 200) throw new Error(`targets failed: ${res.status} ${res.text}`);
    out.push(...res.body);
    cursor = res.headers.get('x-next-cursor');
    if (!cursor) return out;
  }
}

/** How many jobs each site has (every job of the site, whatever created it). */
export async function jobsPerSite(app: TestApp, sites: BuiltSite[]): Promise<number[]> {
  const counts: number[] = [];
  for (const s of sites) {
    const res = await app.request('GET', `/site/${s.id}/job`, { token: s.auth });
    counts.push(res.body.length);
  }
  return counts;
}
