import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attachRealtime } from '../../src/transport/ws/realtime.js';
import { attachChat } from '../../src/transport/ws/chat.socket.js';
import { startModulesRecurring } from '../../src/services.js';
import { createTestApp, type TestApp } from './app.js';

/**
 * The full app listening on a free local port, for browser tests, with the console's realtime
 * socket attached as `kefu start` attaches it. `test` gives the services, bus and workspace for fixtures;
 * `env` adds settings (as createTestApp's).
 */
export async function startTestServer(options: { recurring?: boolean; env?: Record<string, string> } = {}): Promise<{ url: string; admin: { email: string; password: string; name: string }; test: TestApp; close(): Promise<void> }> {
  const test = await createTestApp(options.env);
  attachRealtime({ http: test.app.http, accounts: test.services.accounts, bus: test.bus, log: test.app.http.log, publicUrl: test.config.publicUrl });
  attachChat({ http: test.app.http, accounts: test.services.accounts, chat: test.services.chat, log: test.app.http.log, publicUrl: test.config.publicUrl });
  // The modules' recurring work, as `kefu start` runs it; `recurring: false` leaves the chat's deadlines to the test (`test.services.chat.deadlines.sweep()`).
  if (options.recurring !== false) {
    const recurring = startModulesRecurring(test.services, test.app.http.log);
    test.app.http.addHook('preClose', () => recurring.stop());
  }
  const address = await test.app.http.listen({ port: 0, host: '127.0.0.1' });
  return { url: address, admin: test.workspace.admin, test, close: test.close };
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The server serves web/console/dist: rebuild it when any console source is newer than the build.
 */
export function buildConsoleIfStale(): void {
  const consoleDir = join(repoRoot, 'web/console');
  buildIfStale('console', join(consoleDir, 'dist/index.html'), join(consoleDir, 'vite.config.ts'),
    [join(consoleDir, 'index.html'), join(consoleDir, 'vite.config.ts'), ...listFiles(join(consoleDir, 'src'))]);
}

/** The server serves web/widget/dist/widget.js: rebuild it when a widget source (or the chat protocol it bundles) is newer. */
export function buildWidgetIfStale(): void {
  const widgetDir = join(repoRoot, 'web/widget');
  buildIfStale('widget', join(widgetDir, 'dist/widget.js'), join(widgetDir, 'vite.config.ts'),
    [join(widgetDir, 'vite.config.ts'), join(repoRoot, 'src/contracts/chat.ts'), ...listFiles(join(widgetDir, 'src'))]);
}

/**
 * Runs a Vite build when a source is newer than its output. Browser test files run in parallel
 * workers; a lock directory makes one build and the rest wait.
 */
function buildIfStale(name: string, built: string, viteConfig: string, sources: string[]): void {
  const lock = join(tmpdir(), `kefu-${name}-build.lock`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the deadline is a crashed build's leftover.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (Date.now() > deadline || (held && Date.now() - held.mtimeMs > 180_000)) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    const newestSource = Math.max(...sources.map((file) => statSync(file).mtimeMs));
    if (existsSync(built) && statSync(built).mtimeMs >= newestSource) return;
    execFileSync(
      process.execPath,
      [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', viteConfig, '--logLevel', 'warn'],
      // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
      { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } },
    );
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
