import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CLI tests run dist/bin/main.js: bundle it from the current sources first.
    globalSetup: ['test/setup/bundle-cli.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores on every machine: CLI tests spawn node processes, so keep the pool small.
    maxWorkers: 2,
  },
});
