/** The sla module's public surface: what other modules and the wiring may import. */
export { SlaService, SLA_JOBS, type CheckJob, type PolicyInput, type TicketSla } from './sla.service.js';
export { SlaRepo } from './sla.repo.js';
export { slaRoutes } from './sla.routes.js';
export { registerSlaWorkers } from './sla.jobs.js';
export type { SlaTables } from './sla.schema.js';
export {
  addBusinessMinutes, businessMinutesBetween, compileCalendar, type BusinessCalendar, type CalendarDocument,
} from './sla.calendar.js';
