import { DateTime } from 'luxon';
import type { DomainEvent } from '../../core/events/index.js';
import { translator, type Locale } from '../../core/i18n/index.js';
import type { MailOutbox, MailTemplate } from '../../core/mail/outbox.js';
import type { AccountsService } from './accounts.service.js';
import type { NotificationPreferences } from './accounts.schema.js';

/** What the notifier reads of a ticket: the tickets module's service answers it. */
export interface NotifiedTicketSource {
  findTicket(workspaceId: string, id: string): Promise<{ id: string; number: number; subject: string; assignee_id: string | null } | undefined>;
}

/**
 * Notification mails to agents (issue 19, 2): a ticket assigned to them, a customer's reply on
 * their ticket, an SLA clock of their ticket about to breach. Durable event subscribers (the
 * accounts module's manifest): each event is handled at least once, so the mail's idempotency key
 * is the event's id and a redelivered event queues nothing new. Each kind is one of the agent's
 * preferences; a disabled agent gets none. Mails are in the agent's language, else the workspace's.
 */
export class AgentNotifications {
  constructor(
    private readonly accounts: AccountsService,
    private readonly tickets: NotifiedTicketSource,
    private readonly outbox: MailOutbox,
    private readonly publicUrl: string,
  ) {}

  readonly onTicketCreated = async (event: DomainEvent<'ticket.created'>) => {
    const { ticket } = event.payload;
    if (ticket.assigneeId) await this.notify(event, ticket.assigneeId, 'assigned', 'agentAssigned', ticket, {});
  };

  /** Assigned by someone else (a colleague, a rule, the chat queue); an agent taking a ticket themself needs no mail about it. */
  readonly onTicketUpdated = async (event: DomainEvent<'ticket.updated'>) => {
    const assignee = event.payload.changes.assigneeId?.[1];
    const { actor } = event.payload;
    const self = actor !== undefined && (actor.type === 'agent' || actor.type === 'api') && actor.id === assignee;
    if (assignee && !self) await this.notify(event, assignee, 'assigned', 'agentAssigned', event.payload.ticket, {});
  };

  readonly onMessageCreated = async (event: DomainEvent<'message.created'>) => {
    const { authorType, kind, opening, ticketId } = event.payload;
    // The message a ticket opens with is the ticket's own news (assigned to you).
    if (authorType !== 'customer' || kind !== 'reply' || opening) return;
    const ticket = await this.tickets.findTicket(event.workspaceId, ticketId);
    if (ticket?.assignee_id) await this.notify(event, ticket.assignee_id, 'customerReplied', 'agentCustomerReplied', ticket, {});
  };

  readonly onSlaWarned = async (event: DomainEvent<'sla.warned'>) => {
    const { assigneeId, ticketId, dueAt, kind } = event.payload;
    if (!assigneeId) return;
    const ticket = await this.tickets.findTicket(event.workspaceId, ticketId);
    if (ticket) await this.notify(event, assigneeId, 'slaWarning', 'agentSlaWarning', ticket, { dueAt, kind });
  };

  private async notify(event: DomainEvent, agentId: string, preference: keyof NotificationPreferences, template: MailTemplate & `agent${string}`,
    ticket: { id: string; number: number; subject: string }, sla: { dueAt?: string | null; kind?: string }) {
    const agent = await this.accounts.findAgent(event.workspaceId, agentId);
    if (!agent || agent.disabled_at) return;
    if (!(await this.accounts.notificationPreferences(event.workspaceId, agentId))[preference]) return;
    const workspace = await this.accounts.workspace(event.workspaceId);
    const locale: Locale = agent.locale ?? workspace.default_locale;
    // The due time in the workspace's zone, named, so an agent elsewhere reads it right.
    const due = sla.dueAt ? DateTime.fromISO(sla.dueAt).setZone(workspace.time_zone).setLocale(locale).toFormat('yyyy-MM-dd HH:mm ZZZZ') : '';
    await this.outbox.queue(event.workspaceId, {
      to: agent.email, template, locale, autoSubmitted: 'auto-generated', idempotencyKey: `agent-notification:${event.id}`,
      vars: {
        name: agent.name, number: String(ticket.number), subject: ticket.subject, workspace: workspace.name[locale], due,
        clock: sla.kind ? translator(locale)(`mail.agentSlaWarning.clocks.${sla.kind}`) : '',
        link: `${this.publicUrl}/agent/inbox/${ticket.number}`, settings: `${this.publicUrl}/agent/settings/profile`,
      },
    });
  }
}
