/** Rows to the JSON shapes of the SLA API (src/contracts/sla.ts). */
import type { z } from 'zod';
import type { CalendarView, PolicyView, TicketSlaView } from '../../contracts/sla.js';
import type { PolicyRow } from './sla.schema.js';
import type { CalendarSettings, TicketSla } from './sla.service.js';

export function calendarView(settings: CalendarSettings): z.infer<typeof CalendarView> {
  return { ...settings.calendar, pauseOnHold: settings.pauseOnHold, updatedAt: settings.updatedAt };
}

export function policyView(p: PolicyRow): z.infer<typeof PolicyView> {
  return {
    id: p.id, name: p.name, urgency: p.urgency, departmentId: p.department_id, customerTier: p.customer_tier,
    firstResponseMinutes: p.first_response_minutes, nextResponseMinutes: p.next_response_minutes, resolutionMinutes: p.resolution_minutes,
    warningMinutes: p.warning_minutes, escalations: p.escalations, createdAt: p.created_at, updatedAt: p.updated_at,
  };
}

export const ticketSlaView = (sla: TicketSla): z.infer<typeof TicketSlaView> => sla;
