import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../support/app.js';
import { deletePrefix } from '../support/redis.js';
import { buildJob, buildSite, callback, parseWrapper, poll } from '../factories.js';

// Two API processes over one database and one Redis keyspace, polled in parallel.
let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  a = await startApp();
  b = await startApp({ share: a });
});
afterAll(async () => {
  await b.close();
  await a.close();
});

async function wipeRedis(app: TestApp): Promise<void> {
  await deletePrefix(app.deps.redis, app.redisPrefix);
}

describe('parallel polls', () => {
  it('deliver each job exactly once across clients and API processes', async () => {
    const site = await buildSite(a);
    const jobs = [];
    for (let i = 0; i < 30; i++) jobs.push(await buildJob(a, site, { script: `:log info "job ${i}"`, needsAck: false }));
    const seen: string[] = [];
    while (seen.length < jobs.length) {
      const wave = await Promise.all(Array.from({ length: 16 }, (_, i) => poll(i % 2 ? a : b, site)));
      const got = wave.filter((t) => t !== '').map((t) => parseWrapper(t).token);
      if (got.length === 0) break;
      seen.push(...got);
    }
    expect(seen.sort()).toEqual(jobs.map((j) => j.token).sort());
  });

  it('run acknowledged jobs one at a time per site, each once, in order', async () => {
    const site = await buildSite(a);
    const jobs = [];
    for (let i = 0; i < 8; i++) jobs.push(await buildJob(a, site, { script: `:log info "ack ${i}"` }));
    const order: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const client = async (app: TestApp): Promise<void> => {
      for (let idle = 0; idle < 40 && order.length < jobs.length; ) {
        const text = await poll(app, site);
        if (text === '') {
          idle++;
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        const w = parseWrapper(text);
        if ((await callback(app, w.busy!)).text !== 'claimed') continue;
        running++;
        maxRunning = Math.max(maxRunning, running);
        order.push(w.token);
        await new Promise((r) => setTimeout(r, 3));
        running--;
        await callback(app, w.done!);
      }
    };
    await Promise.all([client(a), client(b), client(a), client(b), client(a), client(b)]);
    expect(order).toEqual(jobs.map((j) => j.token));
    expect(maxRunning).toBe(1);
    const list = await a.request('GET', `/site/${site.id}/job`, { token: site.auth });
    expect(list.body.every((j: { status: string }) => j.status === 'completed')).toBe(true);
  });

  it('restore the queue from PostgreSQL after Redis loses everything, without doubling a job', async () => {
    const site = await buildSite(a);
    const jobs = [];
    for (let i = 0; i < 6; i++) jobs.push(await buildJob(a, site, { script: `:log info "w ${i}"`, needsAck: false }));
    const first = parseWrapper(await poll(a, site)).token;
    await wipeRedis(a);
    const later = await buildJob(a, site, { script: ':log info "after wipe"', needsAck: false });
    const seen = [first];
    for (;;) {
      const wave = await Promise.all([poll(a, site), poll(b, site), poll(a, site), poll(b, site)]);
      const got = wave.filter((t) => t !== '').map((t) => parseWrapper(t).token);
      if (got.length === 0) break;
      seen.push(...got);
    }
    expect(seen.sort()).toEqual([...jobs, later].map((j) => j.token).sort());
  });

  it('keep a delivered job in flight across a Redis wipe (no second job runs beside it)', async () => {
    const site = await buildSite(a);
    const j1 = await buildJob(a, site);
    const j2 = await buildJob(a, site);
    const w = parseWrapper(await poll(a, site));
    expect(w.token).toBe(j1.token);
    await wipeRedis(a);
    expect(await poll(b, site)).toBe('');
    expect((await callback(b, w.busy!)).text).toBe('claimed');
    expect(await poll(a, site)).toBe('');
    await callback(a, w.done!);
    expect(parseWrapper(await poll(b, site)).token).toBe(j2.token);
  });
});
