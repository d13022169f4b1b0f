/** The accounts module's public surface and manifest: what other modules and the platform may use. */
import { defineModule } from '../../core/module.js';
import { seedAccountsDemo } from './accounts.demo.js';
import { accountsPages } from './accounts.pages.js';
import { accountsRoutes } from './accounts.routes.js';
import type { AccountsService } from './accounts.service.js';
import type { AgentNotifications } from './agent-notifications.js';

export const accountsModule = defineModule<{ accounts: AccountsService; agentNotifications: AgentNotifications }>({
  name: 'accounts',
  routes: ({ services, config, secureCookies }) => [accountsRoutes(services.accounts, { secureCookies, loginAttemptsPer15Min: config.loginAttemptsPer15Min, loginAttemptsPerIpPer15Min: config.loginAttemptsPerIpPer15Min })],
  workers: ({ accounts }, jobs) => accounts.work(jobs),
  pages: ({ services, config, secureCookies }) => [accountsPages(services.accounts, { secureCookies, signIn: { perAccount: config.loginAttemptsPer15Min, perIp: config.loginAttemptsPerIpPer15Min } })],
  subscriptions: ({ agentNotifications }) => ({
    'ticket.created': agentNotifications.onTicketCreated,
    'ticket.updated': agentNotifications.onTicketUpdated,
    'message.created': agentNotifications.onMessageCreated,
    'sla.warned': agentNotifications.onSlaWarned,
  }),
  demo: ({ accounts }, world) => seedAccountsDemo(accounts, world),
});

export { AgentNotifications } from './agent-notifications.js';
export { parseHostname } from './workspace-hostnames.js';
export { AccountsService, SYSTEM_ACTOR, emailLinkErrors, tokenScopeMissing, type Actor, type ApiTokenGrant, type VerifiedEmail } from './accounts.service.js';
export {
  COOKIE, actorOf, actsAsAdmin, issueCsrfToken, requireAgent, requireCustomer, sessionCookieOptions, type SignedInAgent, type SignedInCustomer,
} from './accounts.http.js';
export type { AccountsTables, AgentRole, EmailVerificationPurpose, WorkspaceRow } from './accounts.schema.js';

export { type CustomersTable } from './accounts.schema.js';
