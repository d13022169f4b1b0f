/** The chat module's public surface: what other modules and the wiring may import. */
export { ChatService, conversationView, type ChatNotifier, type ChatSettings, type Suggest } from './chat.service.js';
export { ChatChannels, CHANNEL_REPLY_JOB } from './chat.channels.js';
export { ChatRepo } from './chat.repo.js';
export { chatRoutes } from './chat.routes.js';
export { chatPublicRoutes } from './chat.public.js';
export { visitorTokens, type Signer } from './chat.tokens.js';
export type { ChatTables } from './chat.schema.js';
export * from './chat.protocol.js';
