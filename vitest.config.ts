import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      // Pure logic: no database, no Redis.
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // Over HTTP against real PostgreSQL and Redis; each file gets its own database and key prefix.
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      // The dispatch, poll, fleet and worker tests again, against a real local 3-master Redis
      // Cluster (test/support/cluster-setup.ts starts it; docs/redis.md).
      {
        test: {
          name: 'cluster',
          include: ['test/poll/**/*.test.ts', 'test/jobs/**/*.test.ts', 'test/fleet/**/*.test.ts', 'test/workers/**/*.test.ts', 'test/webhooks/fair-share.test.ts'],
          globalSetup: ['test/support/global-setup.ts', 'test/support/cluster-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
