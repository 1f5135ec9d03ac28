import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    // isolated-vm needs V8's startup snapshot disabled on Node 20 and later.
    execArgv: ['--no-node-snapshot'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Sandboxes and isolates are heavy; two workers match a small CI machine.
    maxWorkers: 2,
    // In CI a failed test runs once more: integration tests start real sandboxes and
    // servers on a shared machine. The last reporter names every test that needed it.
    retry: process.env.CI ? 1 : 0,
    reporters: ['default', './test/helpers/retried-reporter.ts'],
  },
});
