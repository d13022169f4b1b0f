import type { MailInbound } from './index.js';

/** The demo's support addresses: Chinese service mail and English sales mail, each to its department. */
export async function seedMailInboundDemo(mail: MailInbound, tickets: { departments(workspaceId: string): Promise<{ id: string; key: string }[]> }, workspaceId: string): Promise<void> {
  const departments = await tickets.departments(workspaceId);
  const department = (key: string) => departments.find((d) => d.key === key)?.id ?? null;
  await mail.addresses.create(workspaceId, { address: 'support@yunmo.example', displayName: '云墨打印客服 Yunmo Support', departmentId: department('service'), locale: 'zh-CN' });
  await mail.addresses.create(workspaceId, { address: 'sales@yunmo.example', displayName: 'Yunmo Sales', departmentId: department('sales'), locale: 'en' });
}
