/**
 * The help centre in the console, in a real browser: an editor signs in, edits an article with the
 * live preview, saves a draft revision and publishes it, and the customer who follows the article
 * gets the digest (the kbDigest mail in the outbox). Then the editor opens the troubleshooting
 * tree, makes an answer loop back, and is shown the loop instead of a saved tree; empties a
 * question and is shown which step and field, with publishing held until the edit is saved; and
 * reads what customers wrote with "not helpful" votes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTroubleshootingDemo } from '../../src/modules/troubleshooting/index.js';
import helpCentre from '../../web/console/src/features/help-centre/locales/en.json' with { type: 'json' };
import trees from '../../web/console/src/features/help-centre/trees/locales/en.json' with { type: 'json' };
import { drainAfter } from '../helpers/app.js';
import { named } from './settings-harness.js';
import { launchChromium, signInToConsole, type ConsoleSession } from '../helpers/browser.js';
import { buildConsoleIfStale, startTestServer } from '../helpers/server.js';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
let server: TestServer | undefined;
let browser: Browser | undefined;
const screenshots = process.env.KEFU_SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'kefu-kb-console-e2e-'));
const SYSTEM = { type: 'system' as const, id: null };
const editor = { email: 'editor@acme.example', password: 'editor-password-1', name: 'Edda Editor' };
const fixture = { articleId: '', customerId: '', admin: { authorization: '' } };

beforeAll(async () => {
  buildConsoleIfStale();
  server = await startTestServer();
  const { services, workspace } = server.test;
  await services.accounts.createAgent(workspace.id, { ...editor, role: 'editor' }, SYSTEM);
  // Through the REST API (its documented contract), as any editor's tool would.
  const admin = { authorization: `Bearer ${(await services.accounts.createApiToken(workspace.id, workspace.admin.id, 'fixtures', SYSTEM)).token}` };
  const created = await server.test.app.http.inject({
    method: 'POST', url: '/api/v1/kb/articles', headers: admin,
    payload: { title: 'Clear a paper jam', markdown: 'Open the rear cover.', locale: 'en', slug: 'clear-a-paper-jam' },
  });
  const articleId = (created.json() as { id: string }).id;
  expect((await server.test.app.http.inject({ method: 'POST', url: `/api/v1/kb/articles/${articleId}/publish`, headers: admin, payload: {} })).statusCode).toBe(200);
  const customer = await services.accounts.registerCustomer(workspace.id, { email: 'follower@example.com', name: 'Fay Follower', password: null, locale: 'en' });
  await services.kb.subscribe(workspace.id, customer.id, { kind: 'article', id: articleId }, '127.0.0.1');
  await seedTroubleshootingDemo(services.troubleshooting, workspace.id, SYSTEM);
  fixture.articleId = articleId;
  fixture.admin = admin;
  fixture.customerId = customer.id;
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  console.info(`kb console e2e screenshots: ${screenshots}`);
});

function signedIn(path: string): Promise<ConsoleSession> {
  if (!server || !browser) throw new Error('the test server or browser did not start');
  return signInToConsole(browser, `${server.url}/agent${path}`, editor, { viewport: { width: 1360, height: 900 }, timeoutMs: 15_000 });
}

const digestMails = async () => server!.test.database.db.selectFrom('mail_outbox').select(['to_address', 'template']).where('template', '=', 'kbDigest').execute();

describe('the help centre console', () => {
  it('lets an editor revise and publish an article, and the follower gets a digest', async () => {
    const { page, errors, close } = await signedIn('/help-centre/articles');
    try {
      await page.getByRole('link', { name: 'Clear a paper jam' }).click();
      const source = page.locator('textarea[name="markdown"]');
      expect(await source.inputValue()).toBe('Open the rear cover.');
      await source.fill('Open the rear cover and pull the sheet out **slowly**.\n\n<script>window.hacked = 1</script>');
      // The preview is the server's sanitised rendering: bold text, no script.
      await page.locator('.md-preview strong', { hasText: 'slowly' }).waitFor();
      expect(await page.locator('.md-preview script').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { hacked?: number }).hacked)).toBeUndefined();
      expect(await digestMails()).toHaveLength(0);
      // Other ways to ask, one per line; blank lines and spaces around them are dropped.
      await page.getByLabel(helpCentre.editor.questions).fill('  paper stuck in the printer\n\n打印机卡纸了怎么办  ');

      await page.getByRole('button', { name: helpCentre.editor.saveDraft }).click();
      await page.getByText(helpCentre.editor.saved).waitFor();
      await page.getByText(helpCentre.status.changed).first().waitFor();
      await page.getByRole('button', { name: helpCentre.editor.publish }).click();
      await page.getByText(helpCentre.editor.published).waitFor();
      await page.screenshot({ path: join(screenshots, 'article-published.png') });

      const { services, workspace } = server!.test;
      const article = await services.kb.article(workspace.id, fixture.articleId);
      expect(article.published?.markdown).toContain('pull the sheet out **slowly**');
      expect(article.revisions.length).toBe(2);
      expect(article.article.questions).toEqual(['paper stuck in the printer', '打印机卡纸了怎么办']);

      // Digests wait (KEFU_KB_DIGEST_DELAY_SECONDS, 15 minutes by default) to gather a burst of edits:
      // move the clock past that window, then let the due job run.
      await drainAfter(server!.test, 16 * 60_000);
      expect(await digestMails()).toEqual([{ to_address: 'follower@example.com', template: 'kbDigest' }]);
      const digests = await services.kb.digests(workspace.id, { customerId: fixture.customerId, limit: 10 });
      expect(digests.flatMap((d) => d.article_ids)).toEqual([fixture.articleId]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);

  it('shows a loop in a troubleshooting tree instead of saving it', async () => {
    const { page, errors, close } = await signedIn('/help-centre/troubleshooting');
    try {
      await page.getByRole('link', { name: 'Printer does not print' }).click();
      const node = page.locator('li.tree-node[data-node="queue"]');
      await node.waitFor();
      // "Does the document appear in the queue?" → "No" now leads back to the first question.
      await node.locator('.tree-answers li').nth(1).getByRole('combobox').selectOption('power');
      await page.getByRole('button', { name: trees.save }).click();
      await page.getByText(trees.errors.TREE_INVALID).waitFor();
      // The loop, and the solution its "No" used to reach, now a second start: nothing else.
      expect(await page.locator('.tree-problems li').allInnerTexts()).toEqual([
        'Answers form a loop: power → error-light → queue → power',
        'A tree starts only at its first step; no answer leads to “driver”.',
      ]);
      await page.screenshot({ path: join(screenshots, 'tree-loop.png') });
      const tree = (await server!.test.services.troubleshooting.list(server!.test.workspace.id, { locale: 'en' }))[0]!;
      expect(tree.version).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);

  it('adds images from the button, a paste and a drop to the text at the cursor, shows them in the draft\'s preview, and refuses what is not an image', async () => {
    const { page, errors, close } = await signedIn(`/help-centre/articles/${fixture.articleId}`);
    try {
      const source = page.locator('textarea[name="markdown"]');
      await source.waitFor();
      await source.fill('Open the rear cover.\nPull the sheet out.');
      await source.evaluate((box: HTMLTextAreaElement) => box.setSelectionRange(21, 21)); // the start of the second line
      const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
      await page.locator('input[type="file"]').setInputFiles({ name: 'rear cover.png', mimeType: 'image/png', buffer: png });
      await page.getByText(helpCentre.editor.imageAdded).waitFor();
      const markdown = await source.inputValue();
      expect(markdown).toMatch(/^Open the rear cover\.\n!\[rear cover\]\(\/help\/attachments\/[0-9a-f-]{36}\/rear%20cover\.png\)\nPull the sheet out\.$/);
      // The draft's preview loads it (from the editors' address: the portal has nothing to show yet).
      const shown = page.locator('.md-preview img[alt="rear cover"]');
      await shown.waitFor();
      await page.waitForFunction(() => (document.querySelector('.md-preview img') as HTMLImageElement | null)?.naturalWidth === 1);
      expect(await shown.getAttribute('src')).toMatch(/^\/api\/v1\/kb\/attachments\//);
      await page.screenshot({ path: join(screenshots, 'article-image.png') });

      await page.locator('input[type="file"]').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not an image') });
      await page.getByText(helpCentre.editor.imageRefused.KB_IMAGE_INVALID).waitFor();
      expect(await source.inputValue()).toBe(markdown);

      // A screenshot pasted, then a picture dropped, at the end of the text.
      const gif = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';
      for (const [name, type, base64, event] of [['pasted.png', 'image/png', png.toString('base64'), 'paste'], ['dropped.gif', 'image/gif', gif, 'drop']] as const) {
        await source.evaluate((box: HTMLTextAreaElement, file) => {
          const data = new DataTransfer();
          data.items.add(new File([Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0))], file.name, { type: file.type }));
          box.setSelectionRange(box.value.length, box.value.length);
          box.dispatchEvent(file.event === 'paste'
            ? new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })
            : new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
        }, { name, type, base64, event });
        await expect.poll(() => source.inputValue()).toContain(`![${name.replace(/\.\w+$/, '')}](/help/attachments/`);
      }
      const files = await server!.test.services.kb.attachments(server!.test.workspace.id, fixture.articleId);
      expect(files.map((f) => f.filename).sort()).toEqual(['dropped.gif', 'pasted.png', 'rear cover.png']);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);

  it('names the step and field a refused tree save is about, and publishes only what is saved', async () => {
    const { page, errors, close } = await signedIn('/help-centre/troubleshooting');
    try {
      await page.getByRole('link', { name: 'Printer does not print' }).click();
      const node = page.locator('li.tree-node[data-node="queue"]');
      await node.waitFor();
      const publish = page.getByRole('button', { name: trees.publish, exact: true });
      expect(await publish.isEnabled()).toBe(true);
      // An edit on screen: publishing would not publish it, so the button says why it waits.
      const question = node.getByRole('textbox', { name: trees.fields.question });
      await question.fill('');
      expect(await publish.isDisabled()).toBe(true);
      expect(await page.locator('#tree-publish-reason').innerText()).toBe(trees.saveBeforePublish);

      await page.getByRole('button', { name: trees.save }).click();
      await page.getByText(trees.errors.VALIDATION_FAILED).waitFor();
      // The request's check, beside the field it is about, and in the list with its step and field.
      expect(await question.getAttribute('aria-invalid')).toBe('true');
      expect(await node.locator(`#${await question.getAttribute('aria-describedby')}`).innerText()).toBe(trees.messages.required);
      expect(await page.locator('.tree-problems li').allInnerTexts()).toEqual([
        named(trees.nodeFieldProblem, { node: 'queue', field: trees.fields.question, message: trees.messages.required }),
      ]);
      await node.screenshot({ path: join(screenshots, 'tree-field-problem.png') });

      await question.fill('Is the document in the print queue?');
      await page.getByRole('button', { name: trees.save }).click();
      await page.getByText(trees.saved).waitFor();
      expect(await publish.isEnabled()).toBe(true);
      expect(await question.getAttribute('aria-invalid')).toBeNull();
      await publish.click();
      await page.getByText(trees.publishedNow).waitFor();
      const tree = (await server!.test.services.troubleshooting.list(server!.test.workspace.id, { locale: 'en' }))[0]!;
      const published = await server!.test.services.troubleshooting.get(server!.test.workspace.id, tree.id);
      expect(published.published?.nodes.find((n) => n.id === 'queue')?.title).toBe('Is the document in the print queue?');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);

  it('shows editors what customers wrote with "not helpful", on the listening page and beside the article', async () => {
    const { services, workspace } = server!.test;
    await services.kb.vote(workspace.id, fixture.articleId, 'visitor:e2e-reader', false, 'Where is the rear cover on the P500?');
    const { page, errors, close } = await signedIn('/help-centre/listening');
    try {
      const feedback = page.locator('section.hc-feedback');
      await feedback.getByText('Where is the rear cover on the P500?').waitFor();
      expect(await feedback.getByRole('heading').innerText()).toBe(helpCentre.feedback.title);
      await page.screenshot({ path: join(screenshots, 'listening-feedback.png') });
      await feedback.getByRole('link', { name: 'Clear a paper jam' }).click();
      await page.locator('textarea[name="markdown"]').waitFor();
      await page.locator('section.hc-feedback').getByText('Where is the rear cover on the P500?').waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);

  it('shows what customers search for without finding it, and opens a pre-filled article; edits synonyms', async () => {
    const { app, services, workspace } = server!.test;
    for (const q of ['墨盒漏墨', '墨盒漏墨', 'wifi direct pairing']) {
      expect((await app.http.inject({ url: `/api/v1/search?q=${encodeURIComponent(q)}`, headers: fixture.admin })).statusCode).toBe(200);
    }
    const { page, errors, close } = await signedIn('/help-centre/listening');
    try {
      const gaps = page.locator('section.hc-report', { has: page.getByRole('heading', { name: helpCentre.listening.reports['no-results'] }) });
      const row = gaps.locator('tr', { hasText: '墨盒漏墨' });
      await row.waitFor();
      expect(await row.locator('td.num').first().innerText()).toBe('2');
      await gaps.locator('.hc-chart canvas').waitFor(); // ECharts drew the numbers
      await page.screenshot({ path: join(screenshots, 'listening.png') });
      await row.getByRole('link', { name: helpCentre.listening.createArticle }).click();
      const title = page.locator('input[name="title"]');
      await title.waitFor();
      expect(await title.inputValue()).toBe('墨盒漏墨');

      await page.getByRole('link', { name: helpCentre.tabs.synonyms }).click();
      await page.getByLabel(helpCentre.synonyms.terms).last().fill('卡纸, 夹纸，paper jam');
      await page.getByRole('button', { name: helpCentre.synonyms.add }).click();
      await page.getByText(helpCentre.synonyms.saved).waitFor();
      const groups = await services.search.synonyms(workspace.id);
      expect(groups.map((g) => [g.locale, g.terms])).toEqual([['zh-CN', ['卡纸', '夹纸', 'paper jam']]]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);
});
