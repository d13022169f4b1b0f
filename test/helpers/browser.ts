import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import consoleEn from '../../web/console/src/locales/en.json' with { type: 'json' };
import consoleZh from '../../web/console/src/locales/zh-CN.json' with { type: 'json' };

const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, headless, with the flags this sandbox needs (no background network calls). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium fonts-noto-cjk)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

export interface ConsoleSession {
  page: Page;
  /** Uncaught errors in the page, which a test expects to stay empty. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * A fresh browser context (own cookies) that opens `url` (a console path, which shows the sign-in
 * form first) and signs in as `who` in the language of `locale`. With `who.name`, it waits until
 * the console's banner shows the signed-in agent.
 */
export async function signInToConsole(
  browser: Browser,
  url: string,
  who: { email: string; password: string; name?: string },
  options: Pick<BrowserContextOptions, 'locale' | 'viewport' | 'timezoneId'> & { timeoutMs?: number } = {},
): Promise<ConsoleSession> {
  const { timeoutMs = 10_000, ...contextOptions } = options;
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 }, ...contextOptions });
  const page = await context.newPage();
  page.setDefaultTimeout(timeoutMs);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.stack ?? error.message));
  await page.goto(url);
  const catalogue = (contextOptions.locale ?? 'en').startsWith('zh') ? consoleZh : consoleEn;
  await page.getByLabel(catalogue.login.email).fill(who.email);
  await page.getByLabel(catalogue.login.password).fill(who.password);
  await page.getByRole('button', { name: catalogue.login.submit }).click();
  if (who.name) await page.getByRole('banner').getByText(who.name, { exact: true }).waitFor();
  return { page, errors, close: () => context.close() };
}
