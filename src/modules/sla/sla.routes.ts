import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAgent } from '../accounts/index.js';
import type { SlaService } from './sla.service.js';
import { calendarView, policyView, ticketSlaView } from './sla.views.js';
import { ErrorView, IdParams } from '../../contracts/http.js';
import { CalendarBody, CalendarView, NewPolicy, NotificationView, PolicyPatch, PolicyView, TicketSlaView } from '../../contracts/sla.js';

/** Agents read the SLA setup and a ticket's clocks; only admins change the calendar and policies. */
export const slaRoutes = (sla: SlaService): FastifyPluginAsyncZod => async (app) => {
  const agents = { preHandler: requireAgent() };
  const admins = { preHandler: requireAgent('admin') };

  app.get('/sla/calendar', {
    ...agents,
    schema: { tags: ['sla'], summary: 'Business hours: time zone, weekly hours, holidays, make-up working days', response: { 200: CalendarView } },
  }, async (request) => calendarView(await sla.calendarSettings(request.workspace.id)));

  app.put('/sla/calendar', {
    ...admins,
    schema: {
      tags: ['sla'], summary: 'Replace the business-hours calendar (admin); open tickets get new deadlines',
      body: CalendarBody, response: { 200: CalendarView, 400: ErrorView },
    },
  }, async (request) => {
    const { pauseOnHold, ...calendar } = request.body;
    const current = pauseOnHold ?? (await sla.calendarSettings(request.workspace.id)).pauseOnHold;
    return calendarView(await sla.setCalendar(request.workspace.id, calendar, current));
  });

  app.get('/sla/policies', {
    ...agents,
    schema: { tags: ['sla'], summary: 'SLA policies: targets per urgency (and department), warnings, escalations', response: { 200: z.object({ policies: z.array(PolicyView) }) } },
  }, async (request) => ({ policies: (await sla.policies(request.workspace.id)).map(policyView) }));

  app.post('/sla/policies', {
    ...admins,
    schema: { tags: ['sla'], summary: 'Add a policy (admin)', body: NewPolicy, response: { 201: PolicyView, 400: ErrorView, 409: ErrorView } },
  }, async (request, reply) => reply.code(201).send(policyView(await sla.createPolicy(request.workspace.id, request.body))));

  app.patch('/sla/policies/:id', {
    ...admins,
    schema: { tags: ['sla'], summary: 'Change a policy (admin); open tickets get new deadlines', params: IdParams, body: PolicyPatch, response: { 200: PolicyView, 400: ErrorView, 404: ErrorView, 409: ErrorView } },
  }, async (request) => policyView(await sla.updatePolicy(request.workspace.id, request.params.id, request.body)));

  app.delete('/sla/policies/:id', {
    ...admins,
    schema: { tags: ['sla'], summary: 'Delete a policy (admin)', params: IdParams, response: { 204: z.null(), 404: ErrorView } },
  }, async (request, reply) => {
    await sla.deletePolicy(request.workspace.id, request.params.id);
    return reply.code(204).send(null);
  });

  app.get('/tickets/:id/sla', {
    ...agents,
    schema: { tags: ['sla'], summary: 'A ticket\'s SLA clocks: due times, pauses, business minutes used and left, warnings, breaches', params: IdParams, response: { 200: TicketSlaView, 404: ErrorView } },
  }, async (request) => ticketSlaView(await sla.ticketSla(request.workspace.id, request.params.id)));

  app.get('/sla/notifications', {
    ...agents,
    schema: {
      tags: ['sla'], summary: 'Your SLA notifications (warnings and breaches of tickets you own, or all of them for admins), newest first',
      querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      response: { 200: z.object({ notifications: z.array(NotificationView) }) },
    },
  }, async (request) => ({
    notifications: (await sla.notifications(request.workspace.id, request.agent!.id, request.query.limit)).map((n) => ({
      id: n.id, ticketId: n.ticket_id, phase: n.phase, kind: n.kind, subject: n.subject, body: n.body, createdAt: n.created_at,
    })),
  }));
};
