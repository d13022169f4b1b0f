import { AppError } from '../../core/errors.js';
import type { DomainEvent } from '../../core/events/index.js';
import { PermanentJobError, type Job, type JobQueue } from '../../core/jobs/index.js';
import type { AccountsService } from '../accounts/index.js';
import type { MailOutbox } from '../../core/mail/outbox.js';
import type { TicketsService } from './tickets.service.js';

export const CSAT_REQUEST_JOB = 'tickets.csat_request';

export interface CsatRequestJob {
  workspaceId: string;
  ticketId: string;
}

/**
 * Customer satisfaction: when a ticket is solved, the customer gets a mail (in their language)
 * with a link to rate it on the portal. The rating itself is `TicketsService.rate`.
 *
 * The `ticket.solved` event reaches every instance over Redis, so the mail is a job keyed by the
 * event id: however many instances hear it, one job runs, and it survives a restart.
 */
export class CsatRequests {
  constructor(
    private readonly tickets: TicketsService,
    private readonly accounts: AccountsService,
    private readonly outbox: MailOutbox,
    private readonly publicUrl: string,
  ) {}

  /** The `ticket.solved` handler. */
  async onSolved(jobs: JobQueue, event: DomainEvent<'ticket.solved'>): Promise<void> {
    const ticketId = event.payload.ticket.id;
    await jobs.send<CsatRequestJob>(CSAT_REQUEST_JOB, { workspaceId: event.workspaceId, ticketId }, { idempotencyKey: `${CSAT_REQUEST_JOB}:${event.id}` });
  }

  /** Only where the worker role runs. */
  async work(jobs: JobQueue): Promise<void> {
    await jobs.work<CsatRequestJob>(CSAT_REQUEST_JOB, (job) => this.run(job));
  }

  private async run(job: Job<CsatRequestJob>): Promise<void> {
    try {
      await this.send(job.data.workspaceId, job.data.ticketId);
    } catch (error) {
      // A ticket or customer that is gone will not come back on a retry.
      if (error instanceof AppError && error.status === 404) throw new PermanentJobError(error.message, { cause: error });
      throw error;
    }
  }

  /** Queues the request mail, unless the ticket was reopened meanwhile or already rated since it was solved. */
  async send(workspaceId: string, ticketId: string): Promise<boolean> {
    const ticket = await this.tickets.ticket(workspaceId, ticketId);
    if (ticket.status !== 'solved' && ticket.status !== 'closed') return false;
    if (ticket.merged_into_id) return false;
    if (ticket.csat_at && ticket.solved_at && ticket.csat_at >= ticket.solved_at) return false;
    const customer = await this.accounts.customer(workspaceId, ticket.customer_id);
    const workspace = await this.accounts.workspace(workspaceId);
    const locale = customer.locale ?? workspace.default_locale;
    await this.outbox.queue(workspaceId, {
      to: customer.email, template: 'csatRequest', locale,
      vars: {
        name: customer.name, number: String(ticket.number), subject: ticket.subject, workspace: workspace.name[locale],
        link: `${this.publicUrl}/requests/${ticket.number}/rate`,
      },
    });
    return true;
  }
}
