import type { Locale } from '../../core/i18n/index.js';
import type { DemoWorld } from '../../core/module.js';
import type { RuleInput, TemplateInput } from '../../contracts/triage.js';
import type { TriageService } from './triage.service.js';

/** What the demo needs of tickets: the departments, the settled history the classifiers learn from, and the parked spam mail. */
export interface DemoTickets {
  departments(workspaceId: string): Promise<{ id: string; key: string }[]>;
  open(workspaceId: string, input: {
    subject: string; body: string; channel: 'email' | 'phone'; customer: { email: string; name: string; locale?: Locale }; departmentKey?: string; urgency?: Urgency;
  }, actor: { type: 'system'; id: null }): Promise<{ id: string }>;
  update(workspaceId: string, ticketId: string, changes: { status: 'closed' }, actor: { type: 'agent'; id: string }): Promise<unknown>;
}

type Urgency = 0 | 1 | 2 | 3 | 4;

/**
 * Requests the demo's agents settled and closed: twelve per department, half in Chinese and half
 * in English, across the five urgencies (thanks · normal · urgent · critical · red alert). The
 * classifiers learn from them, so Settings → Triage → Classifier shows trained models, their accuracy on the
 * held-back fifth and its confusion matrix from the first start. `[department, urgency, subject, body]`.
 */
const HISTORY: [string, Urgency, string, string][] = [
  ['service', 1, '打印机卡纸故障', '云墨 P200 每次打印到第二页就卡纸，已经清理过进纸口，请安排维修。'],
  ['service', 1, '墨盒无法识别', '换了新的原装墨盒后，打印机提示无法识别墨盒，是不是打印机故障？'],
  ['service', 2, '驱动安装失败，今天必须打印合同', '在 Windows 11 上安装打印机驱动一直失败，今天下午必须打印合同，请尽快帮忙排除故障。'],
  ['service', 3, '整个办公室的打印机都无法打印', '所有电脑都连不上网络打印机，整个办公室的打印工作都停了，请派维修工程师。'],
  ['service', 4, '打印机冒烟', '打印时机器后部冒烟并有焦味，已经拔掉电源，请立刻派维修人员处理。'],
  ['service', 0, '维修师傅很专业，谢谢', '上门的维修师傅很快就修好了打印机的故障，非常感谢！'],
  ['service', 1, 'Paper jam on every page', 'The P500 printer reports a paper jam on every page even with new paper in the tray. Can you repair it?'],
  ['service', 1, 'Printer shows offline', 'Since the Wi-Fi router was replaced the printer shows offline on my laptop and will not print.'],
  ['service', 2, 'Faint prints before a deadline', 'The printer prints faint pages after changing the toner and we must print our reports by tomorrow morning. Please help urgently.'],
  ['service', 3, 'All printers down in the warehouse', 'None of the twelve printers in our warehouse print labels; shipping has stopped. We need a repair technician.'],
  ['service', 4, 'Printer caught fire', 'Sparks and smoke came out of the printer fuser while printing and we unplugged it. Please send a repair technician immediately.'],
  ['service', 0, 'Thanks for the quick repair', 'The driver update you sent fixed the printer problem. Thank you very much for the repair!'],
  ['sales', 1, '询问 P500 批量采购报价', '公司准备采购 30 台 P500 激光打印机，请提供报价和交货时间。'],
  ['sales', 1, '想成为经销商', '我们在成都做办公设备销售，想了解成为云墨经销商的条件和采购报价。'],
  ['sales', 2, '投标截止前需要报价', '明天上午投标截止，急需采购 50 台打印机的正式报价单。'],
  ['sales', 1, '打印机租赁报价', '有没有按月租赁打印机的方案？请提供包括墨盒和维护的报价。'],
  ['sales', 0, '谢谢您的报价', '报价已收到，采购价格很合适，谢谢销售经理的耐心解答。'],
  ['sales', 1, '教育行业采购折扣', '学校批量采购打印机有没有教育优惠？请发一份报价。'],
  ['sales', 1, 'Quote for 20 office printers', 'We are opening an office in Hamburg and need a quote to purchase 20 network printers with a service contract.'],
  ['sales', 1, 'Becoming a reseller', 'We sell office equipment in Manchester and would like to become a Yunmo reseller. What are your purchase prices?'],
  ['sales', 2, 'Tender closes tomorrow', 'Our tender closes tomorrow at noon; we urgently need a formal quote to purchase 40 printers.'],
  ['sales', 1, 'Leasing quote', 'Do you offer monthly leasing for printers? Please send a quote including toner and maintenance.'],
  ['sales', 0, 'Thanks for the quote', 'Thank you for the detailed quote, we will place the purchase order next week.'],
  ['sales', 1, 'Discount for schools', 'Is there an education discount for schools that purchase printers in bulk? Please send a quote.'],
  ['pr', 1, '媒体采访申请', '我是《科技日报》记者，想就打印机回收项目采访贵公司负责人，做一篇媒体报道。'],
  ['pr', 1, '展会媒体合作邀请', '我们将举办办公设备展会，邀请云墨参展演讲，并安排媒体报道。'],
  ['pr', 3, '微博上的负面报道正在扩散', '一篇关于 P200 质量问题的微博已经转发上万次，多家媒体记者在询问公司回应。'],
  ['pr', 2, '新闻稿需要今天确认', '新品发布的新闻稿需要今天确认，媒体明早发布报道。'],
  ['pr', 1, '赞助校园活动', '我们是大学学生会，想申请云墨赞助校园科技节，活动会有媒体报道。'],
  ['pr', 0, '感谢接受采访', '感谢贵公司接受记者采访，媒体报道已经刊登。'],
  ['pr', 1, 'Interview request from a journalist', 'I write for Office Tech Weekly and would like to interview your CEO about printer recycling for a press article.'],
  ['pr', 1, 'Sponsorship for a conference', 'We are organising a sustainability conference with wide press coverage and are looking for sponsors.'],
  ['pr', 3, 'Viral video about exploding printers', 'A video claiming your printers explode has gone viral and the press is asking for a media statement.'],
  ['pr', 2, 'Press release approval today', 'The press release for the launch must be approved today; the media embargo lifts tomorrow.'],
  ['pr', 1, 'Podcast guest invitation', 'Would someone from Yunmo join our podcast about office technology? It is a media partnership with the press.'],
  ['pr', 0, 'Thank you for the interview', 'Thank you for your time; the press article about your recycling programme is now published.'],
  ['hr', 1, '应聘售后工程师', '您好，附件是我的简历，应聘贵公司招聘的售后工程师职位。'],
  ['hr', 1, '实习生招聘', '我是大三学生，想申请暑期实习，请问人事部还在招聘吗？'],
  ['hr', 1, '面试时间确认', '收到人事部的面试通知，想确认面试的具体时间和地点。'],
  ['hr', 2, '入职材料今天截止', '入职材料今天截止提交，但我还没收到人事部的劳动合同，请尽快处理。'],
  ['hr', 1, '离职证明', '我上个月已离职，需要人事部开具离职证明。'],
  ['hr', 0, '感谢面试机会', '感谢人事部给我面试的机会，期待招聘结果。'],
  ['hr', 1, 'Job application: field technician', 'Please find my resume attached for the field technician job in Berlin.'],
  ['hr', 1, 'Internship enquiry', 'I am a mechanical engineering student looking for a six-month internship job in your HR programme.'],
  ['hr', 1, 'Reference letter request', 'I worked in your logistics team until May and need a reference letter from HR for a new job.'],
  ['hr', 2, 'Contract needed before my start date', 'I start my new job on Monday and HR still has not sent my employment contract; please send it urgently.'],
  ['hr', 1, 'Open job positions in sales', 'Are there open job positions in your sales team? HR can find my resume attached.'],
  ['hr', 0, 'Thanks for the job interview', 'Thank you for the job interview yesterday, I enjoyed meeting the HR team.'],
  ['finance', 1, '发票抬头开错了', '上个月订单的增值税发票抬头写错了，请财务重新开具发票。'],
  ['finance', 1, '退款还没到账', '退货已经寄回两周了，退款什么时候到账？请财务查一下付款记录。'],
  ['finance', 1, '对公转账付款', '可以用对公转账付款吗？请财务提供收款账户和发票。'],
  ['finance', 2, '付款逾期会停止供货吗', '财务系统显示我们的付款逾期，今天不付款会停止供货吗？请尽快回复。'],
  ['finance', 0, '退款已收到，谢谢', '退款已经到账了，谢谢财务同事的帮助。'],
  ['finance', 3, '重复扣款三百多笔', '系统对我们公司的订单重复扣款三百多笔，付款账户已经透支，请财务立即处理。'],
  ['finance', 1, 'Wrong VAT number on the invoice', 'The VAT number on our invoice is wrong; please send a corrected invoice.'],
  ['finance', 1, 'Refund not received', 'I returned the printer two weeks ago and have not received my refund payment yet.'],
  ['finance', 1, 'Payment by bank transfer', 'Can we make the payment for the invoice by bank transfer instead of credit card?'],
  ['finance', 2, 'Invoice needed for year-end closing', 'Our books close tomorrow and we urgently need the invoice and payment receipt for order 7731.'],
  ['finance', 0, 'Refund arrived, thank you', 'The refund payment has arrived. Thank you for sorting out the invoice so quickly.'],
  ['finance', 4, 'Card charged hundreds of times', 'Our company card was charged 312 times for one invoice and the account is frozen; payroll payments are blocked.'],
];

/** History requests opened side by side (each a few transactions, and the pool has ten connections). */
const HISTORY_BATCH = 6;

/** The history's customers: one writes in Chinese, one in English. */
const HISTORY_CUSTOMERS = {
  'zh-CN': { email: 'wang.fang@example.cn', name: '王芳', locale: 'zh-CN' },
  en: { email: 'james.wilson@example.com', name: 'James Wilson', locale: 'en' },
} as const;

/**
 * The printer maker's settled history (sixty requests its agents closed, in both languages), then
 * its rules, in both languages: invoices and refunds go to finance, job applications to HR, outages
 * are critical, lottery mail is spam with no acknowledgement, VIP customers' requests are urgent
 * and the admins hear of them. The classifiers learn from the history and the other demo tickets
 * people settled. Answer templates for finance and for critical requests, in both languages. The
 * automations are on (remind after 4 hours, escalate to urgent after 24 hours or on an SLA
 * warning, close pending tickets after 7 days, merge duplicates within 10 minutes, park spam at a
 * score of 5), and one bulk mail from a blocked sender waits in the spam view.
 */
export async function seedTriageDemo(triage: TriageService, tickets: DemoTickets, { workspaceId, agentIds: [wangLei, emma] }: DemoWorld): Promise<void> {
  const departments = await tickets.departments(workspaceId);
  const department = (key: string) => departments.find((d) => d.key === key)!.id;
  // Settled before the rules exist: people sorted these, not the rules. By phone, so no
  // acknowledgements go out; a few at a time, so their commits' waits for the disk overlap.
  for (let i = 0; i < HISTORY.length; i += HISTORY_BATCH) {
    await Promise.all(HISTORY.slice(i, i + HISTORY_BATCH).map(async ([departmentKey, urgency, subject, body]) => {
      const locale = /\p{Script=Han}/u.test(subject) ? 'zh-CN' : 'en';
      const ticket = await tickets.open(workspaceId, { subject, body, channel: 'phone', customer: HISTORY_CUSTOMERS[locale], departmentKey, urgency }, SYSTEM_ACTOR);
      // Closed, not solved: long done, so no satisfaction survey goes out for them.
      await tickets.update(workspaceId, ticket.id, { status: 'closed' }, { type: 'agent', id: locale === 'zh-CN' ? wangLei : emma });
    }));
  }
  const rules: RuleInput[] = [
    { name: '中奖 / lottery spam', enabled: true, conditions: [{ type: 'words', field: 'any', words: ['中奖', '彩票', 'lottery', 'you have won'], match: 'any' }],
      actions: [{ type: 'markSpam' }, { type: 'suppressAck' }] },
    { name: '发票与退款 → 财务 / invoices and refunds → finance', enabled: true,
      conditions: [{ type: 'words', field: 'any', words: ['发票', '退款', '报销', 'invoice', 'refund'], match: 'any' }],
      actions: [{ type: 'setDepartment', departmentId: department('finance') }] },
    { name: '求职 → 人力资源 / job applications → HR', enabled: true,
      conditions: [{ type: 'words', field: 'any', words: ['简历', '应聘', '招聘', 'job application', 'resume'], match: 'any' }],
      actions: [{ type: 'setDepartment', departmentId: department('hr') }] },
    { name: '停机 → 严重 / outages → critical', enabled: true,
      conditions: [{ type: 'words', field: 'any', words: ['停机', '全部无法打印', 'outage', 'production stopped'], match: 'any' }],
      actions: [{ type: 'setUrgency', urgency: 3 }, { type: 'addTags', tags: ['outage'] }] },
    // The customer database's tags (customers' demo: VIP accounts).
    { name: 'VIP 客户 → 紧急并通知管理员 / VIP customers → urgent, tell the admins', enabled: true,
      conditions: [{ type: 'customerTags', in: ['vip'] }], actions: [{ type: 'setUrgency', urgency: 2 }, { type: 'notify', agentId: null }] },
  ];
  for (const rule of rules) await triage.createRule(workspaceId, rule);
  await triage.train(workspaceId);
  const finance = department('finance');
  const templates: TemplateInput[] = [
    { departmentId: finance, urgency: null, locale: 'zh-CN', subject: '财务部已收到您的来信：{{subject}}',
      body: '{{name}}，您好：\n\n财务部已收到您关于发票、付款或退款的来信，编号 #{{number}}。回复时请附上订单号，我们核对账目会更快。\n\n{{expectation}}{{suggestions}}\n\n{{workspace}} 财务部' },
    { departmentId: finance, urgency: null, locale: 'en', subject: 'Finance received your message: {{subject}}',
      body: 'Hello {{name}},\n\nour finance team has your message about an invoice, payment or refund, number #{{number}}. Please include your order number when you reply: it lets us check the accounts faster.\n\n{{expectation}}{{suggestions}}\n\n{{workspace}} Finance' },
    { departmentId: null, urgency: 3, locale: 'zh-CN', subject: '紧急处理中：{{subject}}',
      body: '{{name}}，您好：\n\n您的请求 #{{number}} 已标记为严重，值班工程师已收到通知。{{expectation}}\n\n如有人员或设备安全风险，请先切断打印机电源。{{suggestions}}\n\n{{workspace}}' },
    { departmentId: null, urgency: 3, locale: 'en', subject: 'We are on it: {{subject}}',
      body: 'Hello {{name}},\n\nyour request #{{number}} is marked critical and our engineer on duty has been told. {{expectation}}\n\nIf anyone or anything is at risk, switch the printer off at the mains first.{{suggestions}}\n\n{{workspace}}' },
  ];
  for (const template of templates) await triage.templates.create(workspaceId, template);
  await triage.automations.saveSettings(workspaceId, {
    remind: { enabled: true, afterHours: 4 },
    escalate: { enabled: true, afterHours: 24, onSlaWarning: true, raiseUrgencyTo: 2, departmentId: null, notify: true },
    autoClose: { enabled: true, afterDays: 7 },
    duplicates: { enabled: true, windowMinutes: 10 },
    spam: { enabled: true, threshold: 5, blocklist: ['toner-deals.example'] },
  }, SYSTEM_ACTOR);
  const spam = await tickets.open(workspaceId, {
    subject: '墨盒特价 Toner 90% off', channel: 'email', customer: { email: 'offers@toner-deals.example', name: 'Toner Deals' },
    body: '限时特价！Limited time offer: https://toner-deals.example/a https://toner-deals.example/b https://toner-deals.example/c',
  }, SYSTEM_ACTOR);
  // Decided now, not when the relay delivers ticket.created: the demo shows it parked at once.
  await triage.decide(workspaceId, spam.id);
}

const SYSTEM_ACTOR = { type: 'system' as const, id: null };
