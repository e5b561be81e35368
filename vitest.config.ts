import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Builds dist/ when the sources changed: tests start the compiled CLI as a process. Then a
    // Redis database per run, emptied afterwards (test/support/redis-global-setup.ts).
    globalSetup: ['test/support/build-dist.ts', 'test/support/redis-global-setup.ts'],
  },
});
