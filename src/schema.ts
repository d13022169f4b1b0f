import type { AccountsTables } from './modules/accounts/accounts.schema.js';
import type { MailTables } from './modules/mail/mail.schema.js';
import type { TicketsTables } from './modules/tickets/tickets.schema.js';
import type { SlaTables } from './modules/sla/sla.schema.js';
import type { WebhooksTables } from './modules/webhooks/webhooks.schema.js';
import type { RoutingTables } from './modules/routing/routing.schema.js';

/** The whole database as the query builder sees it: each module declares its own tables. */
export interface DB extends AccountsTables, MailTables, TicketsTables, WebhooksTables {}
// Interface declarations merge, so a module can add its tables on lines of its own.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DB extends RoutingTables {}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DB extends SlaTables {}
