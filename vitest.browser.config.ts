import { defineConfig } from 'vitest/config';

/** Browser tests: the real server and Debian's Chromium through playwright-core, checked with axe-core. */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
  },
});
