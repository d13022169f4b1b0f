/** The routing module's public surface and manifest: what other modules and the platform may use. */
import { defineModule } from '../../core/module.js';
import { seedRoutingDemo } from './routing.demo.js';
import { routingRoutes } from './routing.routes.js';
import type { RoutingService } from './routing.service.js';

export { RoutingService, type AgentRouting, type DepartmentRouting, type PickRequest } from './routing.service.js';
export { routingRoutes } from './routing.routes.js';
export type { TicketHolderSource } from './routing.sources.js';
export { AVAILABILITIES, CHAT_STRATEGIES, STRATEGIES, WORK_KINDS, type Availability, type ChatStrategy, type RoutingTables, type Strategy, type WorkKind } from './routing.schema.js';

export const routingModule = defineModule<{ routing: RoutingService; tickets: { departments(workspaceId: string): Promise<{ id: string; key: string }[]> } }>({
  name: 'routing',
  routes: ({ services }) => [routingRoutes(services.routing)],
  // Ticket auto-assignment follows the tickets.
  subscriptions: ({ routing }) => ({
    'ticket.created': { each: routing.onTicketCreated, batch: routing.onTicketsCreated },
    'ticket.updated': { each: routing.onTicketUpdated, batch: routing.onTicketsUpdated },
    'ticket.merged': routing.onTicketMerged,
  }),
  demo: (services, world) => seedRoutingDemo(services, world),
});
