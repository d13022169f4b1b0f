import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/console/src/**/*.test.{ts,tsx}', 'web/widget/**/*.test.ts'],
    globalSetup: ['test/setup/database-server.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: more workers only queue behind each other and the database server.
    maxWorkers: 2,
    env: { LOG_LEVEL: 'silent' },
  },
});
