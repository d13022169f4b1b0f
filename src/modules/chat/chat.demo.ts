import type { RoutingService } from '../routing/index.js';
import type { TicketsService } from '../tickets/index.js';
import type { ChatChannels } from './chat.channels.js';
import type { ChatConversations } from './chat.conversations.js';
import type { ChatQueue } from './chat.queue.js';
import type { ChatSettingsService } from './chat.settings.js';

const SYSTEM = { type: 'system' as const, id: null };

/**
 * The demo's contact centre: the service team's chat queue (least loaded, overflowing to sales
 * after two minutes), a cost per agent hour for the metrics, an SMS gateway channel, one chat an
 * agent answered and the visitor rated (the desk's history and the wallboard's rating), and one
 * chat that came in while nobody was online and became a ticket.
 */
export async function seedChatDemo(services: { chat: { conversations: ChatConversations; queue: ChatQueue; settings: ChatSettingsService }; chatChannels: ChatChannels; routing: RoutingService; tickets: TicketsService }, workspaceId: string): Promise<void> {
  const departments = await services.tickets.departments(workspaceId);
  const byKey = (key: string) => departments.find((d) => d.key === key)!.id;
  await services.chat.settings.update(workspaceId, { costPerAgentHour: 60, serviceLevelSeconds: 20, acwSeconds: 30, defaultDepartmentId: byKey('service') });
  await services.routing.configureChatQueue(workspaceId, byKey('service'), { chatStrategy: 'least_loaded', overflowDepartmentId: byKey('sales'), overflowAfterSeconds: 120 }, SYSTEM);
  await services.chatChannels.create(workspaceId, { name: 'SMS 短信网关', kind: 'sms', outboundUrl: null, departmentId: byKey('service') });
  // The answered chat is seeded whatever the hour: business hours are set aside while it is, then restored.
  const { respectBusinessHours } = await services.chat.settings.get(workspaceId);
  await services.chat.settings.update(workspaceId, { respectBusinessHours: false });
  await seedRatedChat(services.chat, workspaceId, (await services.routing.department(workspaceId, byKey('service'))).memberIds[0]);
  await services.chat.settings.update(workspaceId, { respectBusinessHours });
  // Every demo agent starts offline, so this chat turns into a ticket with the offline notice.
  await services.chat.conversations.start(workspaceId, { name: '李娜', email: 'li.na@example.com', text: '你好，P200 打印出来的字有重影，怎么办？', departmentId: byKey('service') }, 'zh-CN', 'demo');
}

/** A chat the service team's first agent answered and ended, rated 5 by the visitor; the agent goes offline again. */
async function seedRatedChat(chat: { conversations: ChatConversations; queue: ChatQueue }, workspaceId: string, agentId: string | undefined): Promise<void> {
  if (!agentId) return;
  await chat.queue.setPresence(workspaceId, agentId, 'online');
  const { conversation } = await chat.conversations.start(workspaceId, {
    name: 'Grace Chen', email: 'grace.chen@example.com', text: 'My X900 shows "paper jam" but there is no paper inside.',
  }, 'en', 'demo-rated');
  await chat.queue.accept(workspaceId, agentId, conversation.id);
  await chat.conversations.agentMessage(workspaceId, agentId, {
    conversationId: conversation.id, clientMessageId: 'demo-rated-1', text: 'Please open the rear cover and check the small roller for a scrap of paper; then switch the printer off and on.',
  });
  await chat.conversations.visitorMessage(workspaceId, conversation.id, { clientMessageId: 'demo-rated-2', text: 'Found a tiny scrap behind the roller. It prints again, thank you!' });
  await chat.conversations.agentEnd(workspaceId, agentId, conversation.id);
  await chat.conversations.rate(workspaceId, conversation.id, { score: 5, comment: 'Fast and clear, solved in two minutes.' });
  await chat.queue.setPresence(workspaceId, agentId, 'offline');
}
