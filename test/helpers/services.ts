/**
 * Tests that need Redis live in files named `*.redis.test.ts`: vitest.config.ts includes them only
 * in the pass with REDIS_URL set (CI's second pass, on Postgres and Redis) and says so when it
 * leaves them out. Inside such a file a missing REDIS_URL is a failure, never a skip.
 */
export function requiredRedisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('This test needs Redis: set REDIS_URL (it belongs to the pass on Postgres and Redis, see README "Tests")');
  return url;
}
