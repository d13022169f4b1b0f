import type { AccountsTables } from './modules/accounts/accounts.schema.js';
import type { MailTables } from './modules/mail/mail.schema.js';
import type { TicketsTables } from './modules/tickets/tickets.schema.js';
import type { SlaTables } from './modules/sla/sla.schema.js';
import type { WebhooksTables } from './modules/webhooks/webhooks.schema.js';
import type { RoutingTables } from './modules/routing/routing.schema.js';
import type { SearchTables } from './modules/search/search.schema.js';
import type { ChatTables } from './modules/chat/chat.schema.js';
import type { TroubleshootingTables } from './modules/troubleshooting/troubleshooting.schema.js';
import type { KbTables } from './modules/kb/kb.schema.js';

/** The whole database as the query builder sees it: each module declares its own tables. */
export interface DB extends AccountsTables, MailTables, TicketsTables, SearchTables, SlaTables, RoutingTables, WebhooksTables, TroubleshootingTables, ChatTables, KbTables {}
