/**
 * What the settings screens' browser tests share: the real server on the embedded default with a
 * plain agent beside the admin, one Chromium, sign-in at a size and language, and the API as the
 * admin (an API token with every scope) to check what the screens did.
 */
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium, signInToConsole, type ConsoleSession } from '../helpers/browser.js';
import { buildConsoleIfStale, startTestServer } from '../helpers/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
export const SYSTEM = { type: 'system' as const, id: null };
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

export interface SettingsHarness {
  server(): TestServer;
  agent: { email: string; name: string; password: string; id: string };
  signIn(locale: string, who: { email: string; password: string; name: string }, path: string, viewport?: { width: number; height: number }): Promise<ConsoleSession>;
  api(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object, authorization?: string): Promise<{ status: number; body: any }>;
}

export function settingsHarness(): SettingsHarness {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let adminAuth = '';
  const agent = { email: 'plain.agent@acme.example', name: 'Plain Agent', password: 'plain-agent-password-1', id: '' };

  beforeAll(async () => {
    buildConsoleIfStale();
    server = await startTestServer({ recurring: false });
    const { services, workspace } = server.test;
    agent.id = (await services.accounts.createAgent(workspace.id, { ...agent, role: 'agent' }, SYSTEM)).id;
    adminAuth = `Bearer ${(await services.accounts.createApiToken(workspace.id, workspace.admin.id, 'e2e checks', SYSTEM)).token}`;
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const running = () => {
    if (!server || !browser) throw new Error('the test server or browser did not start');
    return { server, browser };
  };

  return {
    server: () => running().server,
    agent,
    async signIn(locale, who, path, viewport = DESKTOP) {
      // At phone width the banner hides the agent's name: wait for the page's heading instead.
      const phone = viewport.width < 600;
      const session = await signInToConsole(running().browser, `${running().server.url}${path}`, phone ? { email: who.email, password: who.password } : who, { locale, viewport });
      if (phone) await session.page.getByRole('heading', { level: 1 }).waitFor();
      session.page.on('dialog', (dialog) => void dialog.accept());
      return session;
    },
    async api(method, url, payload, authorization = adminAuth) {
      const res = await running().server.test.app.http.inject({ method, url: `/api/v1${url}`, headers: { authorization }, ...(payload ? { payload } : {}) });
      return { status: res.statusCode, body: res.body ? res.json() : undefined };
    },
  };
}

/** No horizontal scroll on the page itself at phone width (wide tables scroll inside their box). */
export async function pageFitsWidth(page: ConsoleSession['page']): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}
