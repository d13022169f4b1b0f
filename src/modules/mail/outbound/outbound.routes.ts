import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, requireAgent } from '../../accounts/index.js';
import type { OutboundMailService } from './outbound.service.js';
import { ErrorView, IdParams } from '../../../contracts/http.js';
import { OUTBOX_STATUSES, OutboxMailDetailView, OutboxMailView, OutboxPageView, ReleasedView, type OutboxStatus } from '../../../contracts/mail.js';

type SummaryRow = {
  id: string; message_id: string; from_address: string; to_address: string; subject: string; template: string; locale: string;
  status: OutboxStatus; ticket_id: string | null; attempts: number; next_attempt_at: Date; sent_at: Date | null;
  last_error: string | null; created_at: Date;
};

const summaryView = (m: SummaryRow) => ({
  id: m.id, messageId: m.message_id, from: m.from_address, to: m.to_address, subject: m.subject, template: m.template, locale: m.locale,
  status: m.status, ticketId: m.ticket_id, attempts: m.attempts, nextAttemptAt: m.status === 'queued' ? m.next_attempt_at : null,
  sentAt: m.sent_at, lastError: m.last_error, createdAt: m.created_at,
});

/** Admin only: the outbox holds every customer's mail, password-reset links included. */
export const outboundRoutes = (outbound: OutboundMailService): FastifyPluginAsyncZod => async (app) => {
  const adminOnly = { preHandler: requireAgent('admin') };

  app.get('/mail/outbox', {
    ...adminOnly,
    schema: {
      tags: ['mail'], summary: 'Outbound mail, newest first, one keyset page at a time (admin)',
      querystring: z.strictObject({
        status: z.enum(OUTBOX_STATUSES).optional(),
        recipient: z.string().trim().min(1).max(254).optional().describe('Part of the recipient\'s address'),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().regex(/^\d{1,15}$/, 'a nextCursor from the previous page').optional(),
      }),
      response: {
        200: OutboxPageView,
      },
    },
  }, async (request) => {
    const { status, recipient, limit, cursor } = request.query;
    const page = await outbound.list(request.workspace.id, { status, recipient }, { limit, cursor });
    return { mails: page.mails.map(summaryView), nextCursor: page.nextCursor, smtpConfigured: outbound.smtpConfigured };
  });

  app.get('/mail/outbox/:id', {
    ...adminOnly,
    schema: { tags: ['mail'], summary: 'One outbound mail as rendered, with its attempts (admin)', params: IdParams, response: { 200: OutboxMailDetailView, 404: ErrorView } },
  }, async (request) => {
    const m = await outbound.mail(request.workspace.id, request.params.id);
    return {
      ...summaryView(m), replyTo: m.reply_to, inReplyTo: m.in_reply_to, references: m.reference_ids, autoSubmitted: m.auto_submitted,
      text: m.text_body, html: m.html_body, attachmentIds: m.attachment_ids,
      history: m.history.map((a) => ({
        attempt: a.attempt, startedAt: a.started_at, durationMs: a.duration_ms, outcome: a.outcome, smtpCode: a.smtp_code, response: a.response,
      })),
    };
  });

  app.post('/mail/outbox/:id/retry', {
    ...adminOnly,
    schema: {
      tags: ['mail'], summary: 'Send a failed mail again, with a fresh set of attempts (admin)', params: IdParams,
      response: { 200: OutboxMailView, 404: ErrorView, 409: ErrorView },
    },
  }, async (request) => summaryView(await outbound.retry(request.workspace.id, request.params.id, actorOf(request))));

  app.post('/mail/outbox/release-held', {
    ...adminOnly,
    schema: {
      tags: ['mail'], summary: 'Send the mail held while no SMTP server was configured (admin)',
      response: { 200: ReleasedView, 409: ErrorView },
    },
  }, async (request) => ({ released: await outbound.releaseHeld(request.workspace.id, actorOf(request)) }));
};
