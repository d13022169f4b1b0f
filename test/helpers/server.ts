import { createTestApp } from './app.js';

/** The full app listening on a free local port, for browser tests. */
export async function startTestServer(): Promise<{ url: string; admin: { email: string; password: string; name: string }; close(): Promise<void> }> {
  const test = await createTestApp();
  const address = await test.app.http.listen({ port: 0, host: '127.0.0.1' });
  return { url: address, admin: test.workspace.admin, close: test.close };
}
