import { Redis } from 'ioredis';
import { createLogger } from '../../src/lib/logger.js';
import type { QueueName } from '../../src/queues/definitions.js';
import { connect, disconnect, type Deps } from '../../src/runtime.js';
import { startWorkerRole } from '../../workers/run.js';
import type { TestApp } from './app.js';

export interface TestWorker {
  deps: Deps;
  close(): Promise<void>;
}

/** Runs the worker role in this process over the app's database, Redis prefix and clock. */
export async function startWorker(app: TestApp, queues?: QueueName[]): Promise<TestWorker> {
  const deps = await connect(app.config, 'worker', {
    clock: app.clock,
    log: createLogger({ level: app.config.logLevel, name: 'tikops-test-worker' }),
  });
  const role = await startWorkerRole(deps, queues);
  return {
    deps,
    async close() {
      await role.close();
      await disconnect(deps);
    },
  };
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(check: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Waits until BullMQ job `id` of `queue` is finished — completed, or failed for good (a job that
 * will be retried is `delayed`, not `failed`) — and returns which. After that no further attempt of
 * it can run, so a test can count what it did without waiting "long enough".
 */
export async function queueJobFinished(worker: TestWorker, queue: QueueName, id: string, timeoutMs = 10_000): Promise<'completed' | 'failed'> {
  const q = worker.deps.queues.queue(queue);
  return eventually(async () => {
    const state = await (await q.getJob(id))?.getState();
    return state === 'completed' || state === 'failed' ? state : null;
  }, timeoutMs);
}

/** Waits until a freshly spawned redis-server answers PING on `port`. */
export async function redisAnswers(port: number): Promise<void> {
  await eventually(async () => {
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  });
}
