import type { Config } from './core/config.js';
import type { Database } from './core/db/database.js';
import type { Tenancy } from './core/tenancy.js';
import type { DB } from './schema.js';
import { AccountsRepo } from './modules/accounts/accounts.repo.js';
import { AccountsService } from './modules/accounts/accounts.service.js';
import { MailOutbox } from './modules/mail/mail.outbox.js';

export interface Services {
  accounts: AccountsService;
  outbox: MailOutbox;
}

/** The one place modules' services are wired to each other and to the data layer. */
export function createServices(deps: { config: Config; database: Database; tenancy: Tenancy<DB> }): Services {
  const outbox = new MailOutbox(deps.tenancy);
  const accounts = new AccountsService(new AccountsRepo(deps.database.db, deps.tenancy), outbox, deps.config.publicUrl);
  return { accounts, outbox };
}
