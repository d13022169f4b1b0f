import type { AccountsTables } from './modules/accounts/accounts.schema.js';
import type { MailTables } from './modules/mail/mail.schema.js';
import type { TicketsTables } from './modules/tickets/tickets.schema.js';

/** The whole database as the query builder sees it: each module declares its own tables. */
export interface DB extends AccountsTables, MailTables, TicketsTables {}
