import type { RoutingService } from '../routing/index.js';
import type { TicketsService } from '../tickets/index.js';
import type { ChatChannels } from './chat.channels.js';
import type { ChatConversations } from './chat.conversations.js';
import type { ChatSettingsService } from './chat.settings.js';

const SYSTEM = { type: 'system' as const, id: null };

/**
 * The demo's contact centre: the service team's chat queue (least loaded, overflowing to sales
 * after two minutes), a cost per agent hour for the metrics, an SMS gateway channel, and one chat
 * that came in while nobody was online and became a ticket.
 */
export async function seedChatDemo(services: { chat: { conversations: ChatConversations; settings: ChatSettingsService }; chatChannels: ChatChannels; routing: RoutingService; tickets: TicketsService }, workspaceId: string): Promise<void> {
  const departments = await services.tickets.departments(workspaceId);
  const byKey = (key: string) => departments.find((d) => d.key === key)!.id;
  await services.chat.settings.update(workspaceId, { costPerAgentHour: 60, serviceLevelSeconds: 20, acwSeconds: 30, defaultDepartmentId: byKey('service') });
  await services.routing.configureChatQueue(workspaceId, byKey('service'), { chatStrategy: 'least_loaded', overflowDepartmentId: byKey('sales'), overflowAfterSeconds: 120 }, SYSTEM);
  await services.chatChannels.create(workspaceId, { name: 'SMS 短信网关', kind: 'sms', outboundUrl: null, departmentId: byKey('service') });
  // Every demo agent starts offline, so this chat turns into a ticket with the offline notice.
  await services.chat.conversations.start(workspaceId, { name: '李娜', email: 'li.na@example.com', text: '你好，P200 打印出来的字有重影，怎么办？', departmentId: byKey('service') }, 'zh-CN', 'demo');
}
