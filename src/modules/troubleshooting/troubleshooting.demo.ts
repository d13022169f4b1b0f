import type { Locale } from '../../core/i18n/index.js';
import type { Actor } from '../accounts/index.js';
import type { NodeKind, TreeNode } from './troubleshooting.schema.js';
import type { TroubleshootingService } from './troubleshooting.service.js';

type Bilingual = Record<Locale, string>;
interface DemoNode { id: string; kind: NodeKind; title: Bilingual; body?: Bilingual; answers?: { id: string; label: Bilingual; next: string }[]; article?: string }

const yes = { en: 'Yes', 'zh-CN': '是' };
const no = { en: 'No', 'zh-CN': '否' };

/** "Printer does not print": from the power light to a fix or a repair request, in both languages. */
const PRINTER_DOES_NOT_PRINT: DemoNode[] = [
  { id: 'power', kind: 'question', title: { en: 'Is the power light on?', 'zh-CN': '电源指示灯亮吗？' },
    answers: [{ id: 'on', label: yes, next: 'error-light' }, { id: 'off', label: no, next: 'socket' }] },
  { id: 'socket', kind: 'question', title: { en: 'Plug the printer straight into a wall socket. Does the light come on now?', 'zh-CN': '请将打印机直接插到墙上的插座。指示灯现在亮了吗？' },
    body: { en: 'Skip power strips and timers while you test.', 'zh-CN': '测试时请不要使用插线板或定时开关。' },
    answers: [{ id: 'on', label: yes, next: 'socket-fixed' }, { id: 'off', label: no, next: 'repair-power' }] },
  { id: 'socket-fixed', kind: 'solution', title: { en: 'The power strip was the problem', 'zh-CN': '问题出在插线板' },
    body: { en: 'Keep the printer on a wall socket, or replace the power strip. Then print again.', 'zh-CN': '请让打印机使用墙上插座，或更换插线板，然后重新打印。' } },
  { id: 'repair-power', kind: 'repair', title: { en: 'The power supply needs a check', 'zh-CN': '电源需要检修' },
    body: { en: 'The printer gets no power even from a wall socket. Our repair team will take it from here.', 'zh-CN': '打印机接在墙上插座也无法通电，请交给我们的维修团队处理。' } },
  { id: 'error-light', kind: 'question', title: { en: 'Is an error light blinking or is a message shown?', 'zh-CN': '是否有错误指示灯闪烁或屏幕显示错误信息？' },
    answers: [{ id: 'error', label: yes, next: 'error-kind' }, { id: 'quiet', label: no, next: 'queue' }] },
  { id: 'error-kind', kind: 'question', title: { en: 'What does the printer report?', 'zh-CN': '打印机提示什么？' },
    answers: [
      { id: 'jam', label: { en: 'Paper jam', 'zh-CN': '卡纸' }, next: 'jam' },
      { id: 'ink', label: { en: 'Ink or toner low', 'zh-CN': '墨水或碳粉不足' }, next: 'ink' },
      { id: 'code', label: { en: 'An error code (E-xx)', 'zh-CN': '错误代码（E-xx）' }, next: 'repair-error' },
    ] },
  { id: 'jam', kind: 'solution', title: { en: 'Clear the paper jam', 'zh-CN': '清除卡纸' },
    body: { en: '1. Switch the printer off.\n2. Open the rear cover and pull the sheet out **slowly, with both hands**.\n3. Close the cover, switch on, print again.', 'zh-CN': '1. 关闭打印机电源。\n2. 打开后盖，**用双手缓慢**抽出纸张。\n3. 合上后盖，开机后重新打印。' },
    article: 'clear-paper-jam' },
  { id: 'ink', kind: 'solution', title: { en: 'Replace the ink cartridge or toner', 'zh-CN': '更换墨盒或碳粉' },
    body: { en: 'Open the front cover, wait for the carriage to stop, swap the cartridge, and run a cleaning cycle.', 'zh-CN': '打开前盖，等待墨车停止后更换墨盒，然后执行一次清洁。' },
    article: 'replace-ink-cartridge' },
  { id: 'repair-error', kind: 'repair', title: { en: 'This error needs our repair team', 'zh-CN': '此错误需要维修团队处理' },
    body: { en: 'Note the error code shown on the display: it helps us bring the right part.', 'zh-CN': '请记下屏幕上的错误代码，方便我们准备合适的配件。' } },
  { id: 'queue', kind: 'question', title: { en: 'Does the document appear in the print queue on your computer?', 'zh-CN': '电脑的打印队列中能看到该文档吗？' },
    answers: [{ id: 'listed', label: yes, next: 'test-page' }, { id: 'missing', label: no, next: 'driver' }] },
  { id: 'driver', kind: 'solution', title: { en: 'Reinstall the printer driver', 'zh-CN': '重新安装打印机驱动' },
    body: { en: 'Remove the printer from your computer, download the latest driver from our site, and add the printer again.', 'zh-CN': '从电脑中删除该打印机，到官网下载最新驱动后重新添加打印机。' },
    article: 'install-driver-windows' },
  { id: 'test-page', kind: 'question', title: { en: 'Hold the Cancel button for 5 seconds. Does a test page print?', 'zh-CN': '按住“取消”键 5 秒。能打印出测试页吗？' },
    answers: [{ id: 'printed', label: yes, next: 'spooler' }, { id: 'blank', label: no, next: 'repair-print' }] },
  { id: 'spooler', kind: 'solution', title: { en: 'Restart the print spooler', 'zh-CN': '重启打印后台处理程序' },
    body: { en: 'The printer works; the computer\'s queue is stuck. Cancel all jobs, restart the computer, and print again.', 'zh-CN': '打印机本身正常，是电脑的打印队列卡住了。请取消所有任务、重启电脑后再打印。' } },
  { id: 'repair-print', kind: 'repair', title: { en: 'The print engine needs a check', 'zh-CN': '打印组件需要检修' },
    body: { en: 'The printer cannot print even its own test page. Our repair team will take it from here.', 'zh-CN': '打印机连自检页都无法打印，请交给我们的维修团队处理。' } },
];

function nodesIn(locale: Locale, articleIds: ReadonlyMap<string, string>): TreeNode[] {
  return PRINTER_DOES_NOT_PRINT.map((n) => ({
    id: n.id, kind: n.kind, title: n.title[locale], body: n.body?.[locale] ?? '',
    answers: (n.answers ?? []).map((a) => ({ id: a.id, label: a.label[locale], next: a.next })),
    // Text alone still solves it when the help centre has no such article.
    articleId: (n.article && articleIds.get(n.article)) ?? null,
  }));
}

/**
 * The demo's published "printer does not print" tree in zh-CN and en. `articleIdOf` finds the demo
 * help centre's article for a slug (the portal shows its version in the reader's language).
 */
export async function seedTroubleshootingDemo(
  trees: TroubleshootingService, workspaceId: string, actor: Actor,
  articleIdOf: (slug: string) => Promise<string | undefined> = async () => undefined,
) {
  const articleIds = new Map<string, string>();
  for (const slug of new Set(PRINTER_DOES_NOT_PRINT.flatMap((n) => (n.article ? [n.article] : [])))) {
    const id = await articleIdOf(slug);
    if (id) articleIds.set(slug, id);
  }
  const product = { en: 'Yunmo P-series inkjet', 'zh-CN': '云墨 P 系列喷墨打印机' };
  const created = [];
  for (const locale of ['zh-CN', 'en'] as const) {
    const tree = await trees.create(workspaceId, {
      slug: 'printer-does-not-print', locale, product: product[locale],
      title: locale === 'en' ? 'Printer does not print' : '打印机不打印',
      description: locale === 'en' ? 'Nothing comes out? Find the cause in a few steps.' : '打印不出来？几步找到原因。',
      nodes: nodesIn(locale, articleIds),
    }, actor);
    created.push(await trees.publish(workspaceId, tree.id, actor));
  }
  return created;
}
