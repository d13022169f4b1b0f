/** The chat module's public surface and manifest: what other modules and the platform may use. */
import { defineModule } from '../../core/module.js';
import { en, zhCN } from './chat.i18n.js';
import type { RoutingService } from '../routing/index.js';
import type { AttachmentStore } from '../../core/storage/attachments.js';
import type { TicketsService } from '../tickets/index.js';
import type { ChatChannels } from './chat.channels.js';
import type { ChatConversations } from './chat.conversations.js';
import type { ChatDeadlines } from './chat.deadlines.js';
import { seedChatDemo } from './chat.demo.js';
import type { ChatLog } from './chat.log.js';
import type { ChatMetricsService } from './chat.metrics.js';
import { chatPublicRoutes } from './chat.public.js';
import type { ChatPush } from './chat.push.js';
import type { ChatQueue } from './chat.queue.js';
import { chatRoutes } from './chat.routes.js';
import type { ChatSettingsService } from './chat.settings.js';

export { ChatConversations, type ChannelReply, type ContactOrigin, type Suggest } from './chat.conversations.js';
export { ChatQueue } from './chat.queue.js';
export { ChatLog } from './chat.log.js';
export { ChatTicketCopy } from './chat.ticket-copy.js';
export { ChatMetricsService, metricsSources } from './chat.metrics.js';
export { ChatSettingsService, type ChatSettings } from './chat.settings.js';
export { ChatPush, type ChatNotifier } from './chat.push.js';
export { ChatDeadlines } from './chat.deadlines.js';
export { conversationView } from './chat.views.js';
export { ChatChannels, CHANNEL_REPLY_JOB } from './chat.channels.js';
export { chatRoutes } from './chat.routes.js';
export { chatPublicRoutes } from './chat.public.js';
export { transcriptLinks, visitorTokens, type Signer } from './chat.tokens.js';
export type { ChatTables } from './chat.schema.js';

/**
 * The chat's parts, each with one job (README.md, "Inside"), built in src/services.ts. Callers take
 * the part they need: the sockets the conversations and the queue, the routes the log, metrics and
 * settings, the recurring work the deadlines.
 */
export interface ChatServices {
  /** Visitors' and agents' actions in a conversation: start, messages, read, typing, end, transcript. */
  conversations: ChatConversations;
  /** The ACD: dispatch, offers (accept, decline, time-outs), transfers, presence and agent state, queue positions. */
  queue: ChatQueue;
  /** Each conversation's session and messages: look-ups, appending once, pushing messages and state. */
  log: ChatLog;
  /** Contact-centre figures and the wallboard, computed in SQL. */
  metrics: ChatMetricsService;
  settings: ChatSettingsService;
  /** Where pushes go (the socket layer registers its notifier) and the coalesced wallboard push. */
  push: ChatPush;
  /** Acts on due deadlines (offer timeouts, ACW, overflow, visitors gone, missing ticket copies). */
  deadlines: ChatDeadlines;
}

interface ChatNeeds {
  chat: ChatServices;
  chatChannels: ChatChannels;
  tickets: TicketsService;
  routing: RoutingService;
  attachments: AttachmentStore;
}

export const chatModule = defineModule<ChatNeeds>({
  name: 'chat',
  i18n: { namespace: 'chat', strings: { en, 'zh-CN': zhCN } },
  routes: ({ services, config }) => [chatRoutes(services.chat, services.chatChannels, { store: services.attachments, attachmentMaxBytes: config.attachmentMaxBytes })],
  // Visitors (token), the widget (public) and webhook channels (HMAC) authenticate themselves: outside the context.
  publicRoutes: ({ services, config }) => [chatPublicRoutes({
    chat: services.chat, channels: services.chatChannels, tickets: services.tickets, store: services.attachments,
    attachmentMaxBytes: config.attachmentMaxBytes,
  })],
  workers: ({ chatChannels }, jobs) => chatChannels.work(jobs),
  // Offers time out in 20 s and after-contact work in seconds: deadlines are acted on every second,
  // on every web node (each deadline is claimed in SQL, so nodes never act on one twice).
  recurring: ({ chat }) => [{ name: 'chat.sweep', everyMs: 1000, run: () => chat.deadlines.sweep() }],
  subscriptions: ({ chat }) => ({ 'agent.availability_changed': chat.queue.onAvailabilityChanged }),
  demo: (services, { workspaceId }) => seedChatDemo(services, workspaceId),
});

export { searchSuggestions } from './chat.suggest.js';
export { chatCustomerEraser, chatCustomerMover } from './chat.sources.js';
