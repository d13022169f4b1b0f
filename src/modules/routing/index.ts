/** The routing module's public surface: what other modules and the wiring may import. */
export { RoutingService, type AgentRouting, type DepartmentRouting, type PickRequest } from './routing.service.js';
export { RoutingRepo } from './routing.repo.js';
export { routingRoutes } from './routing.routes.js';
export { ticketHolderSource, type TicketHolderSource } from './routing.sources.js';
export { AVAILABILITIES, CHAT_STRATEGIES, STRATEGIES, WORK_KINDS, type Availability, type ChatStrategy, type RoutingTables, type Strategy, type WorkKind } from './routing.schema.js';
