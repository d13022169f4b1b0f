import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

// Tests that need Redis are named *.redis.test.ts (test/helpers/services.ts): they run only in the
// pass with REDIS_URL set, and fail there if Redis is unreachable; without it they are left out, and said so.
const redisPass = !!process.env.REDIS_URL;
if (!redisPass) console.log('vitest: *.redis.test.ts left out: REDIS_URL is not set (they run in the pass on Postgres and Redis)');

export default defineConfig({
  // The wire contracts the console and the widget share with the server (as in their vite configs).
  resolve: { alias: { '@contracts': fileURLToPath(new URL('./src/contracts', import.meta.url)) } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/console/src/**/*.test.{ts,tsx}', 'web/widget/**/*.test.ts'],
    exclude: redisPass ? configDefaults.exclude : [...configDefaults.exclude, '**/*.redis.test.ts'],
    globalSetup: ['test/setup/database-server.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: more workers only queue behind each other and the database server.
    maxWorkers: 2,
    env: { LOG_LEVEL: 'silent' },
  },
});
