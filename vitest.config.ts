import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ when the sources changed: tests start the compiled CLI as a process.
    globalSetup: ['test/support/build-dist.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // A Redis database per run, emptied afterwards (test/support/redis-global-setup.ts).
    globalSetup: ['test/support/redis-global-setup.ts'],
  },
});
