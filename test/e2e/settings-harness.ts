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

/** A catalogue string with its `{{placeholders}}` filled in, as i18next fills them on the page. */
export const named = (template: string, values: Record<string, string>) => template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => values[k] ?? '');

/** A response body as `inject().json()` gives it: the tests' assertions check its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same loose type as inject().json(), checked by the assertions
type ApiBody = any;

export interface SettingsHarness {
  server(): TestServer;
  agent: { email: string; name: string; password: string; id: string };
  /** `origin`: another address of the same server (http://localhost:port), whose host name may name another workspace. */
  signIn(locale: string, who: { email: string; password: string; name: string }, path: string, viewport?: { width: number; height: number }, origin?: string): Promise<ConsoleSession>;
  /** A fresh browser context, nobody signed in, at `path` (a mailed link, the sign-in page). */
  open(locale: string, path: string, viewport?: { width: number; height: number }): Promise<ConsoleSession>;
  api(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object, authorization?: string): Promise<{ status: number; body: ApiBody }>;
  /** The console path of the newest mailed link to `to`, as the recipient reads it (the outbox stores only a reference to its secret). */
  mailedLink(to: string, template: string): Promise<string>;
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
    async signIn(locale, who, path, viewport = DESKTOP, origin = running().server.url) {
      // At phone width the banner hides the agent's name: wait for the page's heading instead.
      const phone = viewport.width < 600;
      const session = await signInToConsole(running().browser, `${origin}${path}`, phone ? { email: who.email, password: who.password } : who, { locale, viewport });
      if (phone) await session.page.getByRole('heading', { level: 1 }).waitFor();
      session.page.on('dialog', (dialog) => void dialog.accept());
      return session;
    },
    async open(locale, path, viewport = DESKTOP) {
      const context = await running().browser.newContext({ locale, viewport });
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.stack ?? error.message));
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(`${running().server.url}${path}`);
      return { page, errors, close: () => context.close() };
    },
    async api(method, url, payload, authorization = adminAuth) {
      const res = await running().server.test.app.http.inject({ method, url: `/api/v1${url}`, headers: { authorization }, ...(payload ? { payload } : {}) });
      return { status: res.statusCode, body: res.body ? res.json() : undefined };
    },
    async mailedLink(to, template) {
      const { database, services } = running().server.test;
      const mail = await database.db.selectFrom('mail_outbox').select('text_body').where('to_address', '=', to).where('template', '=', template)
        .orderBy('created_at', 'desc').executeTakeFirstOrThrow();
      const link = new URL(/https?:\/\/\S+/.exec(await services.mailSecrets.render(mail.text_body))![0]);
      return link.pathname + link.search;
    },
  };
}

/**
 * The settings screen fits a phone: nothing in the page's main area reaches past the screen's
 * right edge, except inside a box that scrolls sideways (wide tables). The shell's navigation
 * scrolls sideways by design and is not this check's business.
 */
export async function pageFitsWidth(page: ConsoleSession['page']): Promise<boolean> {
  const wide = await page.evaluate(() => {
    const scrolls = (e: Element) => {
      for (let p = e.parentElement; p && p.tagName !== 'MAIN'; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') return true;
      return false;
    };
    return [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !scrolls(e))
      .slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} (${Math.round(e.getBoundingClientRect().right)}px)`);
  });
  if (wide.length) console.log(`wider than the screen: ${wide.join(', ')}`);
  return wide.length === 0;
}
