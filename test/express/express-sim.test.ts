import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainSamples } from '../../src/fleet/samples.service.js';
import { createRouterState, restExecute, runScript, settle, type RouterState } from '../../sim/routeros/index.js';
import type { FakeHost } from '../../sim/routeros/fake-host.js';
import { bootstrapCommand } from '../../src/routeros/bootstrap.js';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, startWorker, type TestWorker } from '../support/worker.js';
import { buildJob, buildManagement, buildRunbook, type BuiltSite } from '../factories.js';
import { appHost } from '../support/router-host.js';
import { startFakeRouter, type FakeRouter } from './fake-routeros.js';

// Item 4 of issue 13: express execute that really makes the router poll. The REST endpoint is the
// fake RouterOS REST API (test/express/fake-routeros.ts), which hands the script it was asked to
// run to a router on the simulator, as the REST user, in the background (`/rest/execute` without
// `as-string` answers before the script runs). The router was adopted through the bootstrap command,
// so it runs the agent tikops installs; its polls reach this test's API over HTTP. Only
// express_succeeded proves a poll followed the trigger within EXPRESS_CONFIRM_SECONDS.

const CONFIRM_SECONDS = 2;

let app: TestApp;
let worker: TestWorker;
beforeAll(async () => {
  app = await startApp({ env: { OUTBOUND_ALLOWLIST: '127.0.0.1/32', EXPRESS_CONFIRM_SECONDS: String(CONFIRM_SECONDS) } });
  worker = await startWorker(app, ['express']);
});
afterAll(async () => {
  await worker?.close();
  await app?.close();
});

interface Router {
  state: RouterState;
  host: FakeHost;
  site: BuiltSite;
  fake: FakeRouter;
}

/** A simulated router adopted by tikops, with the REST user docs/express-execute.md sets up. */
async function expressRouter(name: string): Promise<Router> {
  const rb = await buildRunbook(app, `org-express-sim-${name}`);
  const state = createRouterState({ identity: name, version: '7.16.2 (stable)' });
  const host = appHost();
  await runScript(bootstrapCommand(app.url, rb.token, app.config.routerTransport), state, host);
  await settle(state);
  await drainSamples(app.deps);
  await runScript('/user group add name=tikops-express policy=read,api,rest-api\n/user add name=tikops-express group=tikops-express password=router-pass', state, host);
  const [listed] = (await app.request('GET', '/site', { token: rb.auth })).body;
  const site: BuiltSite = { id: listed.id, auth: rb.auth, token: '', name, org: '' };
  const fake = await startFakeRouter('ok');
  fake.onExecute = async () => {
    const body = fake.calls.at(-1)!.body as { script: string };
    await restExecute(state, host, body.script, { user: 'tikops-express' });
    await settle(state);
  };
  await buildManagement(app, site, { port: fake.port });
  return { state, host, site, fake };
}

const events = async (r: Router, id: string): Promise<{ type: string; detail: any }[]> =>
  (await app.request('GET', `/site/${r.site.id}/job/${id}/events`, { token: r.site.auth })).body;
const outcome = (r: Router, id: string): Promise<{ type: string; detail: any }[]> =>
  eventually(async () => {
    const list = await events(r, id);
    return list.some((e) => ['express_succeeded', 'express_unconfirmed', 'express_failed'].includes(e.type)) ? list : null;
  });

describe('express execute on a simulated router', () => {
  it('runs the agent as the REST user (dont-require-permissions), which polls, runs the job, and counts as express_succeeded', async () => {
    const r = await expressRouter('express-ok');
    try {
      expect(r.state.scripts.find((s) => s.name === 'tikops-poll')?.dontRequirePermissions).toBe(true);
      const job = await buildJob(app, r.site, { express: true, script: '/system identity set name=expressed' });
      await outcome(r, job.id);
      await r.fake.executed;
      const list = await events(r, job.id);
      // The worker sees the poll (Redis) while the router is still running the job, so the
      // express outcome may come before or after the job's own events.
      expect(list.map((e) => e.type).sort()).toEqual(['completed', 'created', 'delivered', 'express_requested', 'express_succeeded', 'started']);
      expect(list.slice(0, 2).map((e) => e.type)).toEqual(['created', 'express_requested']);
      expect(list.find((e) => e.type === 'express_succeeded')!.detail).toMatchObject({ status: 200, tries: 1, poll_after_ms: expect.any(Number) });
      expect(r.state.identity).toBe('expressed');
      // The run was the REST user's: its lock was taken and released in the shared store.
      expect(r.state.scripts.find((s) => s.name === 'tikops-poll')?.comment).toBe('');
      expect(r.state.schedulers.find((s) => s.name === 'tikops-poll')?.comment).toBe(`${job.token}:ok`);
    } finally {
      await r.fake.close();
    }
  });

  it('records express_unconfirmed when the router accepts the call but may not run the poll script', async () => {
    const r = await expressRouter('express-denied');
    try {
      // An agent without dont-require-permissions: the REST user lacks the script's policies, so
      // RouterOS refuses the run after /rest/execute has already answered 200.
      await runScript('/system script set [find where name="tikops-poll"] dont-require-permissions=no', r.state, r.host);
      const job = await buildJob(app, r.site, { express: true });
      const list = await outcome(r, job.id);
      expect(list.map((e) => e.type)).toEqual(['created', 'express_requested', 'express_unconfirmed']);
      expect(list.at(-1)!.detail).toEqual({ status: 200, tries: 1, waited_seconds: CONFIRM_SECONDS });
      await r.fake.executed;
      expect(r.state.log.some((l) => l.message.includes('not enough permissions'))).toBe(true);
      expect((await app.request('GET', `/site/${r.site.id}/job/${job.id}`, { token: r.site.auth })).body.status).toBe('queued');
    } finally {
      await r.fake.close();
    }
  });
});
