import { z } from 'zod';
import { AVAILABILITIES, CHAT_STRATEGIES, STRATEGIES } from './enums.js';
import type { Wire } from './http.js';

/**
 * Routing on the wire (`/api/v1/routing/…`, `/me/availability`): agents' availability, capacity and
 * load, and departments as teams (members, strategies, chat queue, overflow) — the bodies the
 * routing module's routes take and the shapes they answer with. The console reads them as
 * `Wire<…>`: times travel as ISO strings.
 */

export { AVAILABILITIES, CHAT_STRATEGIES, STRATEGIES };
/** `on_break`: logged in for the contact centre's figures, but takes no contacts (like `away`). */
export type Availability = (typeof AVAILABILITIES)[number];
export type Strategy = (typeof STRATEGIES)[number];
/** How a team's chat queue picks an agent (tickets keep `strategy`): longest_idle = idle longest since their last chat (and its ACW) ended. */
export type ChatStrategy = (typeof CHAT_STRATEGIES)[number];

const Availability = z.enum(AVAILABILITIES);
const PerKind = <T extends z.ZodTypeAny>(value: T) => z.object({ ticket: value, chat: value });

export const RoutingView = z.object({
  agentId: z.string(),
  availability: Availability,
  availabilityChangedAt: z.date().nullable(),
  capacity: PerKind(z.number()),
  load: PerKind(z.number()),
  lastAssignedAt: PerKind(z.date().nullable()),
});
export const RoutingAgentView = RoutingView.extend({
  name: z.string(), email: z.string(), role: z.string(), disabled: z.boolean(),
  openTickets: z.number(), departmentIds: z.array(z.string()),
});
export const RoutingAgentListView = z.object({ agents: z.array(RoutingAgentView) });
export const TeamView = z.object({
  id: z.string(), key: z.string(), name: z.record(z.string(), z.string()),
  strategy: z.enum(STRATEGIES), autoAssign: z.boolean(), memberIds: z.array(z.string()),
  chatStrategy: z.enum(CHAT_STRATEGIES), overflowDepartmentId: z.string().nullable(), overflowAfterSeconds: z.number().nullable(),
  customerSelectable: z.boolean(),
});
export const TeamListView = z.object({ departments: z.array(TeamView) });

export const AvailabilityBody = z.strictObject({ availability: Availability });
export const AgentRoutingPatch = z.strictObject({
  availability: Availability.optional(),
  ticketCapacity: z.number().int().min(0).max(10_000).optional(),
  chatCapacity: z.number().int().min(0).max(100).optional(),
}).refine((b) => Object.values(b).some((v) => v !== undefined), 'change at least one of availability, ticketCapacity, chatCapacity');

const DepartmentName = z.strictObject({ en: z.string().trim().min(1).max(80), 'zh-CN': z.string().trim().min(1).max(80) });
export const NewDepartment = z.strictObject({
  key: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _; at most 40'),
  name: DepartmentName,
  customerSelectable: z.boolean().default(true),
});
export const DepartmentPatch = z.strictObject({ name: DepartmentName.optional(), customerSelectable: z.boolean().optional() })
  .refine((b) => b.name !== undefined || b.customerSelectable !== undefined, 'change at least one of name, customerSelectable');
export const TeamConfig = z.strictObject({
  strategy: z.enum(STRATEGIES),
  autoAssign: z.boolean(),
  memberIds: z.array(z.string().uuid()).max(1000),
}).refine((b) => !(b.autoAssign && b.strategy === 'manual'), { message: 'a manual team cannot assign automatically', path: ['autoAssign'] });
export const ChatQueueConfig = z.strictObject({
  chatStrategy: z.enum(CHAT_STRATEGIES),
  overflowDepartmentId: z.string().uuid().nullable(),
  overflowAfterSeconds: z.number().int().min(1).max(86_400).nullable(),
});

export type RoutingAgentWire = Wire<z.infer<typeof RoutingAgentView>>;
export type TeamWire = z.infer<typeof TeamView>;
export type AgentRoutingPatchBody = z.input<typeof AgentRoutingPatch>;
export type NewDepartmentBody = z.input<typeof NewDepartment>;
export type DepartmentPatchBody = z.input<typeof DepartmentPatch>;
export type TeamConfigBody = z.input<typeof TeamConfig>;
export type ChatQueueConfigBody = z.input<typeof ChatQueueConfig>;
