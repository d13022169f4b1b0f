/** The chat module's public surface and manifest: what other modules and the platform may use. */
import { defineModule } from '../../core/module.js';
import { en, zhCN } from './chat.i18n.js';
import type { RoutingService } from '../routing/index.js';
import type { AttachmentStore } from '../../core/storage/attachments.js';
import type { TicketsService } from '../tickets/index.js';
import type { ChatChannels } from './chat.channels.js';
import { seedChatDemo } from './chat.demo.js';
import { chatPublicRoutes } from './chat.public.js';
import { chatRoutes } from './chat.routes.js';
import type { ChatService } from './chat.service.js';

export { ChatService, conversationView, type ChatNotifier, type ChatSettings, type Suggest } from './chat.service.js';
export { ChatChannels, CHANNEL_REPLY_JOB } from './chat.channels.js';
export { chatRoutes } from './chat.routes.js';
export { chatPublicRoutes } from './chat.public.js';
export { transcriptLinks, visitorTokens, type Signer } from './chat.tokens.js';
export type { ChatTables } from './chat.schema.js';

interface ChatNeeds {
  chat: ChatService;
  chatChannels: ChatChannels;
  tickets: TicketsService;
  routing: RoutingService;
  attachments: AttachmentStore;
}

export const chatModule = defineModule<ChatNeeds>({
  name: 'chat',
  i18n: { namespace: 'chat', strings: { en, 'zh-CN': zhCN } },
  routes: ({ services }) => [chatRoutes(services.chat, services.chatChannels)],
  // Visitors (token), the widget (public) and webhook channels (HMAC) authenticate themselves: outside the context.
  publicRoutes: ({ services, config }) => [chatPublicRoutes({
    chat: services.chat, channels: services.chatChannels, tickets: services.tickets, store: services.attachments,
    attachmentMaxBytes: config.attachmentMaxBytes,
  })],
  workers: ({ chatChannels }, jobs) => chatChannels.work(jobs),
  // Offers time out in 20 s and after-contact work in seconds: deadlines are acted on every second,
  // on every web node (each deadline is claimed in SQL, so nodes never act on one twice).
  recurring: ({ chat }) => [{ name: 'chat.sweep', everyMs: 1000, run: () => chat.sweep() }],
  subscriptions: ({ chat }) => ({ 'agent.availability_changed': chat.onAvailabilityChanged }),
  demo: (services, { workspaceId }) => seedChatDemo(services, workspaceId),
});

export { searchSuggestions } from './chat.suggest.js';
export { chatCustomerEraser, chatCustomerMover } from './chat.sources.js';
