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
    ],
  },
});
