import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, startLocalSentinel, type LocalSentinel } from '../../sim/redis-sentinel.js';
import { loadConfig } from '../../src/config.js';
import { connect, StartupError } from '../../src/runtime.js';
import { createLogger } from '../../src/lib/logger.js';
import { startApp, type TestApp } from '../support/app.js';
import { eventually, startWorker, type TestWorker } from '../support/worker.js';
import { openSse } from '../support/sse.js';
import { makeKey } from '../access/support.js';
import { buildJob, buildSite, callback, parseWrapper, poll } from '../factories.js';

// The API and a worker on a real Redis Sentinel setup (sim/redis-sentinel.ts: a master, a replica,
// two Sentinels), through REDIS_URL=redis+sentinel://…, across a forced failover (docs/redis.md).

let sentinel: LocalSentinel;
let app: TestApp;
let worker: TestWorker;
beforeAll(async () => {
  sentinel = await startLocalSentinel();
  app = await startApp({ env: { REDIS_URL: sentinel.url } });
  worker = await startWorker(app);
});
afterAll(async () => {
  await worker?.close();
  await app?.close();
  await sentinel?.stop();
});

/**
 * The names of the clients of the Redis server on `port` other than Sentinels, replication links
 * and this probe: tikops' connections (`tikops-api`, `tikops-worker`, BullMQ's named by queue).
 */
async function clientsOf(port: number): Promise<string[]> {
  const clients = ((await ask(port, 'CLIENT', 'LIST')) as string)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => Object.fromEntries(line.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])));
  return clients
    .filter((c) => c.cmd !== 'client|list' && !/[SM]/.test(c.flags ?? '') && !(c.name ?? '').startsWith('sentinel-'))
    .map((c) => c.name ?? '');
}

const eventTypes = async (site: { id: string; auth: string }, jobId: string): Promise<string[]> =>
  (await app.request('GET', `/site/${site.id}/job/${jobId}/events`, { token: site.auth })).body.map((e: { type: string }) => e.type);

describe('tikops on Redis Sentinel', () => {
  it('keeps dispatching across a failover: the job in flight is not handed out again, the next one exactly once; live events and the worker carry on', async () => {
    const site = await buildSite(app);
    const live = await openSse(`${app.url}/events/stream`, { authorization: `Bearer ${(await makeKey(app, site.org, ['jobs:read'])).secret}` });
    await eventually(() => Promise.resolve(live.raw().length > 0)); // subscribed
    const first = await buildJob(app, site);
    const w1 = parseWrapper(await poll(app, site));
    expect(w1.token).toBe(first.token);
    expect((await callback(app, w1.busy!)).text).toBe('claimed');
    const before = await sentinel.masterPort();
    expect(await clientsOf(before)).toEqual(expect.arrayContaining(['tikops-api', 'tikops-worker', 'tikops-api-events']));

    const after = await sentinel.failover();
    // Every connection of the API and the worker leaves the demoted master for the promoted one.
    await eventually(async () => (await clientsOf(before)).length === 0, 30_000);
    await eventually(async () => {
      const names = await clientsOf(after);
      return names.includes('tikops-api') && names.includes('tikops-worker') && names.includes('tikops-api-events');
    }, 30_000);
    // The live-events subscriber subscribed again on the promoted master.
    await eventually(async () => Number(((await ask(after, 'PUBSUB', 'NUMSUB', app.keys.events)) as [string, number])[1]) > 0, 30_000);
    await eventually(async () => (await app.request('GET', '/readyz')).status === 200, 30_000);

    const second = await buildJob(app, site);
    expect(await poll(app, site)).toBe(''); // the first is still in flight: nothing handed out
    expect((await callback(app, w1.done!)).status).toBe(200);
    const w2 = parseWrapper(await poll(app, site));
    expect(w2.token).toBe(second.token);
    expect((await callback(app, w2.busy!)).text).toBe('claimed');
    expect((await callback(app, w2.done!)).status).toBe(200);
    expect(await poll(app, site)).toBe('');
    for (const job of [first, second]) {
      expect(await eventTypes(site, job.id)).toEqual(['created', 'delivered', 'started', 'completed']);
    }
    await live.next((e) => e.data.job_id === second.id && e.data.state === 'completed', 20_000);
    live.close();

    // BullMQ on the promoted master: an express call (no management endpoint, so it fails at once)
    // goes through the outbox relay, the express queue and the worker.
    const other = await buildSite(app);
    const express = await buildJob(app, other, { express: true });
    await eventually(async () => (await eventTypes(other, express.id)).includes('express_failed'), 20_000);
    expect((await eventTypes(other, express.id)).filter((t) => t === 'express_failed')).toHaveLength(1);
  });

  it('fails start-up with words when the Sentinels know no master of that name, passwords masked', async () => {
    const url = `${sentinel.url.replace(/^redis\+sentinel:\/\//, 'redis+sentinel://:hunter2@').replace(/\/tikops$/, '/no-such-master')}`;
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: app.dbUrl, REDIS_URL: url });
    const err = await connect(config, 'api', { log: createLogger({ level: 'silent', name: 'tikops-test' }) }).then(
      () => new Error('connected'),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StartupError);
    expect((err as Error).message).toBe(
      `cannot reach Redis at REDIS_URL=${url.replace(':hunter2@', ':***@')}: no Sentinel named the master (none reachable, or none monitors that name)`,
    );
  });
});
