import type { DemoWorld } from '../../core/module.js';
import type { TicketsService } from './tickets.service.js';

const SYSTEM = { type: 'system' as const, id: null };

/** A handful of conversations across channels, urgencies and statuses, in both languages. */
export async function seedTicketsDemo(tickets: TicketsService, { workspaceId, agentIds: [wangLei, emma] }: DemoWorld): Promise<void> {
  const open = (subject: string, body: string, email: string, options: { department: string; urgency: 0 | 1 | 2 | 3 | 4; channel: 'web' | 'email' | 'phone' | 'api'; tags?: string[] }) =>
    tickets.open(workspaceId, { subject, body, customer: { email, name: email }, departmentKey: options.department, urgency: options.urgency, channel: options.channel, tags: options.tags }, SYSTEM);
  const jam = await open('打印机每页都卡纸', '我的云墨 P200 从昨天开始每打印一页都卡纸，已经换过纸了。', 'zhang.wei@example.com', { department: 'service', urgency: 2, channel: 'web', tags: ['p200', '卡纸'] });
  await tickets.addMessage(workspaceId, jam.id, { kind: 'reply', body: '张先生您好，请问卡纸的位置是在进纸口还是出纸口？方便的话请拍一张照片。' }, { type: 'agent', id: wangLei });
  await tickets.addMessage(workspaceId, jam.id, { kind: 'note', body: '可能是搓纸轮老化，准备备件。' }, { type: 'agent', id: wangLei });

  await open('Quote for 20 office printers', 'We are opening a new office in Hamburg and need 20 network printers with a service contract.', 'tom.becker@example.com', { department: 'sales', urgency: 1, channel: 'email', tags: ['quote'] });
  await open('墨盒无法识别', '新买的原装墨盒装上后提示“无法识别墨盒”。', 'li.na@example.com', { department: 'service', urgency: 1, channel: 'phone' });
  await open('Printer offline after router change', 'Since we changed our Wi-Fi router the printer shows offline on every laptop. Our whole office cannot print!', 'sarah.miller@example.com', { department: 'service', urgency: 3, channel: 'web', tags: ['network'] });
  await open('发票抬头需要修改', '上个月订单的发票抬头写错了，需要改成公司全称。', 'chen.jie@example.com', { department: 'finance', urgency: 0, channel: 'email' });

  const thanks = await open('Thank you for the quick repair', 'The technician fixed our P500 in one visit. Great service!', 'sarah.miller@example.com', { department: 'service', urgency: 0, channel: 'email' });
  await tickets.addMessage(workspaceId, thanks.id, { kind: 'reply', body: 'Thank you, Sarah — we are glad the P500 is back in action.', status: 'solved' }, { type: 'agent', id: emma });
}
