/** The sla module's public surface and manifest: what other modules and the platform may use. */
import { defineModule } from '../../core/module.js';
import { registerSlaWorkers } from './sla.jobs.js';
import { slaRoutes } from './sla.routes.js';
import type { SlaService } from './sla.service.js';

export { SlaService, SLA_JOBS, type CheckJob, type PolicyInput, type TicketSla } from './sla.service.js';
export { slaRoutes } from './sla.routes.js';
export { registerSlaWorkers } from './sla.jobs.js';
export type { SlaTables } from './sla.schema.js';
export {
  addBusinessMinutes, addBusinessTime, businessMinutesBetween, compileCalendar, type BusinessCalendar, type CalendarDocument,
} from './sla.calendar.js';

export const slaModule = defineModule<{ sla: SlaService }>({
  name: 'sla',
  routes: ({ services }) => [slaRoutes(services.sla)],
  workers: ({ sla }, jobs) => registerSlaWorkers(sla, jobs),
  subscriptions: ({ sla }) => sla.subscriptions(),
});
