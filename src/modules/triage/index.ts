/** The triage module's public surface and manifest: what other modules and the platform may use. See README.md. */
import { defineModule } from '../../core/module.js';
import { seedTriageDemo, type DemoTickets } from './triage.demo.js';
import { en, zhCN } from './triage.i18n.js';
import { registerTriageWorkers } from './triage.jobs.js';
import { triageRoutes } from './triage.routes.js';
import type { TriageService } from './triage.service.js';

export {
  TriageService, TRIAGE_JOBS, type AutomationTicket, type CustomerOpening, type DuplicateWindow, type JustOpenedTicket, type TriagePorts, type TriageTicket, type TriageTicketSource, type LabelledTicket,
} from './triage.service.js';
export { TriageAutomations, type AutomationPorts } from './triage.automations.js';
export { TriageTemplates } from './triage.templates.js';
export { TriageConfigCache } from './triage.config.js';
export type { TriageTables } from './triage.schema.js';

interface TriageNeeds {
  triage: TriageService;
  tickets: DemoTickets;
}

export const triageModule = defineModule<TriageNeeds>({
  name: 'triage',
  i18n: { namespace: 'triage', strings: { en, 'zh-CN': zhCN } },
  routes: ({ services }) => [triageRoutes(services.triage)],
  workers: ({ triage }, jobs) => registerTriageWorkers(triage, jobs),
  subscriptions: ({ triage }) => ({
    'ticket.created': { each: triage.onTicketCreated, batch: triage.onTicketsCreated },
    'sla.warned': triage.automations.onSlaWarned,
  }),
  demo: ({ triage, tickets }, world) => seedTriageDemo(triage, tickets, world),
  tenancyFixture: async ({ triage, tickets }, workspace) => {
    const departments = await tickets.departments(workspace.id);
    const rule = await triage.createRule(workspace.id, {
      name: 'tenancy probe rule', enabled: true, conditions: [{ type: 'words', field: 'any', words: ['tenancy-secret-word'], match: 'any' }],
      actions: [{ type: 'setDepartment', departmentId: departments[0]!.id }],
    });
    const template = await triage.templates.create(workspace.id, {
      departmentId: departments[0]!.id, urgency: 2, locale: 'en', subject: 'tenancy secret template', body: 'tenancy secret template {{number}}',
    });
    return { triageRule: rule.id, triageTemplate: template.id };
  },
});
