import type { AccountsTables } from './modules/accounts/index.js';
import type { MailTables } from './modules/mail/index.js';
import type { TicketsTables } from './modules/tickets/index.js';
import type { SlaTables } from './modules/sla/index.js';
import type { WebhooksTables } from './modules/webhooks/index.js';
import type { RoutingTables } from './modules/routing/index.js';
import type { SearchTables } from './modules/search/index.js';
import type { ChatTables } from './modules/chat/index.js';
import type { TroubleshootingTables } from './modules/troubleshooting/index.js';
import type { KbTables } from './modules/kb/index.js';

/** The whole database as the query builder sees it: each module declares its own tables. */
export interface DB extends AccountsTables, MailTables, TicketsTables, SearchTables, SlaTables, RoutingTables, WebhooksTables, TroubleshootingTables, ChatTables, KbTables {}

declare module './core/db/database.js' {
  // The core's database handle is typed with every module's tables.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DatabaseTables extends DB {}
}
