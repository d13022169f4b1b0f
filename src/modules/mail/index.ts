/**
 * The mail module's manifest: outbound delivery and agents' replies by e-mail (outbound/), support
 * addresses, SMTP/IMAP intake and the autoresponder (inbound/). See README.md.
 */
import { defineModule } from '../../core/module.js';
import { en, zhCN } from './mail.i18n.js';
import type { TicketsService } from '../tickets/index.js';
import { mailInboundRoutes, registerMailInboundWorkers, type MailInbound } from './inbound/index.js';
import { seedMailInboundDemo } from './inbound/inbound.demo.js';
import { outboundRoutes, registerOutboundWorkers, type OutboundMailService } from './outbound/index.js';

interface MailNeeds {
  mailOutbound: OutboundMailService;
  mailInbound: MailInbound;
  tickets: Pick<TicketsService, 'departments'>;
}

export const mailModule = defineModule<MailNeeds>({
  name: 'mail',
  i18n: { namespace: 'mail', strings: { en, 'zh-CN': zhCN } },
  routes: ({ services }) => [mailInboundRoutes(services.mailInbound), outboundRoutes(services.mailOutbound)],
  workers: async ({ mailOutbound, mailInbound }, jobs) => {
    await registerOutboundWorkers(mailOutbound, jobs);
    await registerMailInboundWorkers(mailInbound, jobs);
  },
  subscriptions: ({ mailOutbound, mailInbound }, jobs) => ({
    'message.created': (event) => mailOutbound.onMessageCreated(event),
    'ticket.created': (event) => mailInbound.autoresponder.onTicketCreated(jobs, event),
  }),
  demo: ({ mailInbound, tickets }, { workspaceId }) => seedMailInboundDemo(mailInbound, tickets, workspaceId),
});

export { type MailInbound, createMailInbound, startMailIntake } from './inbound/index.js';
export { MailOutboxService } from './mail.outbox.js';
export { type MailTables } from './mail.schema.js';
export { NodemailerSender, OutboundMailService } from './outbound/index.js';
export { mailCustomerEraser, mailHeaderSource, mailRecipientSource } from './mail.sources.js';
