/**
 * Regenerates the README's screenshots: starts Kefu on a throw-away data dir (demo world), then
 * photographs the portal and the console in Chromium. Run with `npm run screenshots`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, runKefu, whenHealthy } from '../test/helpers/cli.js';
import { launchChromium } from '../test/helpers/browser.js';

const out = path.resolve('docs/screenshots');
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kefu-shots-'));
const kefu = runKefu(['start'], { KEFU_DATA_DIR: dataDir }, await freePort());
try {
  await whenHealthy(kefu);
  const { admin } = JSON.parse(await readFile(path.join(dataDir, 'demo-credentials.json'), 'utf8')) as { admin: { email: string; password: string } };
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1200, height: 760 }, locale: 'zh-CN' });
  await page.goto(`${kefu.url}/`);
  await page.screenshot({ path: path.join(out, 'portal-home.png') });
  await page.goto(`${kefu.url}/agent`);
  await page.getByLabel(/邮箱|E-mail/i).fill(admin.email);
  await page.getByLabel(/密码|Password/i).fill(admin.password);
  await page.getByRole('button', { name: /登录|Sign in/ }).click();
  await page.getByRole('navigation').first().waitFor();
  await page.screenshot({ path: path.join(out, 'console-home.png') });
  // The admin screens added since (issue 19's "screenshots show the new screens"), each once its data is in.
  for (const [address, file, ready] of [
    ['/agent/settings/triage/templates', 'console-triage-templates.png', /模板|Templates/],
    ['/agent/settings/triage/classifier', 'console-triage-classifier.png', /分类器|Classifier/],
    ['/agent/customers/companies', 'console-customers-companies.png', /公司|Companies/],
    ['/agent/settings/hostnames', 'console-settings-hostnames.png', /域名|Host names/],
    ['/agent/chat/wallboard', 'console-chat-wallboard.png', /今日对话评分|Chat rating today/],
  ] as const) {
    await page.goto(`${kefu.url}${address}`);
    await page.getByText(ready).first().waitFor();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: path.join(out, file) });
  }
  await browser.close();
  console.log(`screenshots written to ${out}`);
} finally {
  kefu.child.kill('SIGTERM');
  await kefu.exited;
  await rm(dataDir, { recursive: true, force: true });
}
