import { randomBytes } from 'node:crypto';
import type { Services } from '../../services.js';
import { seedTroubleshootingDemo } from '../troubleshooting/index.js';
import { seedKbDemo } from '../kb/index.js';
import { seedChatDemo } from '../chat/chat.demo.js';
import { seedMailInboundDemo } from '../mail/inbound/inbound.demo.js';

export interface DemoCredentials {
  workspace: string;
  admin: { email: string; password: string };
  agents: { email: string; password: string }[];
  customer: { email: string; password: string };
}

const SYSTEM = { type: 'system' as const, id: null };

/** Readable but unguessable: the demo must not ship a password every install shares. */
const demoPassword = () => `yunmo-${randomBytes(6).toString('base64url')}`;

/**
 * The demo world: one printer maker, "云墨打印 / Yunmo Printers", with an admin, two agents and
 * customers. Later modules add their own demo content (help centre, tickets, chats) here.
 */
export async function seedDemo({ accounts, tickets, routing, troubleshooting, kb, search, mailInbound, chat, chatChannels }: Services): Promise<DemoCredentials> {
  const workspace = await accounts.createWorkspace({
    slug: 'yunmo', name: { 'zh-CN': '云墨打印', en: 'Yunmo Printers' }, defaultLocale: 'zh-CN', timeZone: 'Asia/Shanghai',
  });
  const admin = { email: 'admin@yunmo.example', password: demoPassword() };
  const adminAgent = await accounts.createAgent(workspace.id, { ...admin, name: '林静 Lin Jing', role: 'admin', locale: 'zh-CN' }, SYSTEM);
  const agents = [
    { email: 'wang.lei@yunmo.example', name: '王磊 Wang Lei', locale: 'zh-CN' as const },
    { email: 'emma.hughes@yunmo.example', name: 'Emma Hughes', locale: 'en' as const },
  ].map((a) => ({ ...a, password: demoPassword() }));
  const agentIds: string[] = [];
  for (const agent of agents) agentIds.push((await accounts.createAgent(workspace.id, { ...agent, role: 'agent' }, SYSTEM)).id);

  const customer = { email: 'zhang.wei@example.com', password: demoPassword() };
  await accounts.registerCustomer(workspace.id, { ...customer, name: '张伟', locale: 'zh-CN' });
  const others = [
    { email: 'li.na@example.com', name: '李娜', locale: 'zh-CN' as const },
    { email: 'chen.jie@example.com', name: '陈杰', locale: 'zh-CN' as const },
    { email: 'sarah.miller@example.com', name: 'Sarah Miller', locale: 'en' as const },
    { email: 'tom.becker@example.com', name: 'Tom Becker', locale: 'en' as const },
  ];
  for (const other of others) await accounts.registerCustomer(workspace.id, { ...other, password: null });

  await seedTeams(routing, tickets, workspace.id, [adminAgent.id, ...agentIds]);
  await seedTickets(tickets, workspace.id, agentIds);
  await seedKbDemo({ kb, search }, workspace.id, adminAgent.id);
  await seedMailInboundDemo(mailInbound, tickets, workspace.id);
  await seedChatDemo({ chat, chatChannels, routing, tickets }, workspace.id);
  await seedTroubleshootingDemo(troubleshooting, workspace.id, SYSTEM, (slug) => kb.publishedArticle(workspace.id, slug).then((a) => a.article.id, () => undefined));

  return {
    workspace: workspace.slug,
    admin,
    agents: agents.map(({ email, password }) => ({ email, password })),
    customer,
  };
}

async function seedTeams(routing: Services['routing'], tickets: Services['tickets'], workspaceId: string, [adminId, wangLei, emma]: string[]) {
  const departments = await tickets.departments(workspaceId);
  const byKey = (key: string) => departments.find((d) => d.key === key)!.id;
  await routing.configureDepartment(workspaceId, byKey('service'), { strategy: 'least_loaded', autoAssign: true, memberIds: [wangLei!, emma!] }, SYSTEM);
  await routing.configureDepartment(workspaceId, byKey('sales'), { strategy: 'round_robin', autoAssign: false, memberIds: [emma!, adminId!] }, SYSTEM);
}

/** A handful of conversations across channels, urgencies and statuses, in both languages. */
async function seedTickets(tickets: Services['tickets'], workspaceId: string, [wangLei, emma]: string[]) {
  const open = (subject: string, body: string, email: string, options: { department: string; urgency: 0 | 1 | 2 | 3 | 4; channel: 'web' | 'email' | 'phone' | 'api'; tags?: string[] }) =>
    tickets.open(workspaceId, { subject, body, customer: { email, name: email }, departmentKey: options.department, urgency: options.urgency, channel: options.channel, tags: options.tags }, SYSTEM);
  const jam = await open('打印机每页都卡纸', '我的云墨 P200 从昨天开始每打印一页都卡纸，已经换过纸了。', 'zhang.wei@example.com', { department: 'service', urgency: 2, channel: 'web', tags: ['p200', '卡纸'] });
  await tickets.addMessage(workspaceId, jam.id, { kind: 'reply', body: '张先生您好，请问卡纸的位置是在进纸口还是出纸口？方便的话请拍一张照片。' }, { type: 'agent', id: wangLei! });
  await tickets.addMessage(workspaceId, jam.id, { kind: 'note', body: '可能是搓纸轮老化，准备备件。' }, { type: 'agent', id: wangLei! });

  await open('Quote for 20 office printers', 'We are opening a new office in Hamburg and need 20 network printers with a service contract.', 'tom.becker@example.com', { department: 'sales', urgency: 1, channel: 'email', tags: ['quote'] });
  await open('墨盒无法识别', '新买的原装墨盒装上后提示“无法识别墨盒”。', 'li.na@example.com', { department: 'service', urgency: 1, channel: 'phone' });
  await open('Printer offline after router change', 'Since we changed our Wi-Fi router the printer shows offline on every laptop. Our whole office cannot print!', 'sarah.miller@example.com', { department: 'service', urgency: 3, channel: 'web', tags: ['network'] });
  await open('发票抬头需要修改', '上个月订单的发票抬头写错了，需要改成公司全称。', 'chen.jie@example.com', { department: 'finance', urgency: 0, channel: 'email' });

  const thanks = await open('Thank you for the quick repair', 'The technician fixed our P500 in one visit. Great service!', 'sarah.miller@example.com', { department: 'service', urgency: 0, channel: 'email' });
  await tickets.addMessage(workspaceId, thanks.id, { kind: 'reply', body: 'Thank you, Sarah — we are glad the P500 is back in action.', status: 'solved' }, { type: 'agent', id: emma! });
}
