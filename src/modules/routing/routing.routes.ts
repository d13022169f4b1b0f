import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, requireAgent } from '../accounts/index.js';
import { AVAILABILITIES, CHAT_STRATEGIES, STRATEGIES } from './routing.schema.js';
import type { AgentRouting, DepartmentRouting, RoutingService } from './routing.service.js';
import { ErrorView, IdParams } from '../../contracts/http.js';

const Availability = z.enum(AVAILABILITIES);
const PerKind = <T extends z.ZodTypeAny>(value: T) => z.object({ ticket: value, chat: value });

const RoutingView = z.object({
  agentId: z.string(),
  availability: Availability,
  availabilityChangedAt: z.date().nullable(),
  capacity: PerKind(z.number()),
  load: PerKind(z.number()),
  lastAssignedAt: PerKind(z.date().nullable()),
});
const AgentView = RoutingView.extend({
  name: z.string(), email: z.string(), role: z.string(), disabled: z.boolean(),
  openTickets: z.number(), departmentIds: z.array(z.string()),
});
const DepartmentView = z.object({
  id: z.string(), key: z.string(), name: z.record(z.string(), z.string()),
  strategy: z.enum(STRATEGIES), autoAssign: z.boolean(), memberIds: z.array(z.string()),
  chatStrategy: z.enum(CHAT_STRATEGIES), overflowDepartmentId: z.string().nullable(), overflowAfterSeconds: z.number().nullable(),
  customerSelectable: z.boolean(),
});
const DepartmentName = z.strictObject({ en: z.string().trim().min(1).max(80), 'zh-CN': z.string().trim().min(1).max(80) });

const departmentView = (d: DepartmentRouting): z.infer<typeof DepartmentView> => ({
  id: d.departmentId, key: d.key, name: d.name, strategy: d.strategy, autoAssign: d.autoAssign, memberIds: d.memberIds,
  chatStrategy: d.chatStrategy, overflowDepartmentId: d.overflowDepartmentId, overflowAfterSeconds: d.overflowAfterSeconds,
  customerSelectable: d.customerSelectable,
});
const routingView = (r: AgentRouting): z.infer<typeof RoutingView> => r;

export const routingRoutes = (routing: RoutingService): FastifyPluginAsyncZod => async (app) => {
  const anyAgent = { preHandler: requireAgent() };
  const adminOnly = { preHandler: requireAgent('admin') };

  app.get('/me/availability', {
    ...anyAgent,
    schema: { tags: ['routing'], summary: 'Your availability, capacity and current load', response: { 200: RoutingView } },
  }, async (request) => routingView(await routing.agentRouting(request.workspace.id, request.agent!.id)));

  app.put('/me/availability', {
    ...anyAgent,
    schema: {
      tags: ['routing'], summary: 'Set your availability: only online agents get tickets and chats automatically',
      body: z.strictObject({ availability: Availability }),
      response: { 200: RoutingView, 400: ErrorView },
    },
  }, async (request) => routingView(await routing.setAvailability(request.workspace.id, request.agent!.id, request.body.availability)));

  app.get('/routing/agents', {
    ...adminOnly,
    schema: {
      tags: ['routing'], summary: 'Every agent with availability, capacity, load, open tickets and teams (admin)',
      response: { 200: z.object({ agents: z.array(AgentView) }) },
    },
  }, async (request) => ({ agents: await routing.agents(request.workspace.id) }));

  app.put('/routing/agents/:id', {
    ...adminOnly,
    schema: {
      tags: ['routing'], summary: 'Set an agent\'s capacity (open tickets, concurrent chats) or availability (admin)',
      params: IdParams,
      body: z.strictObject({
        availability: Availability.optional(),
        ticketCapacity: z.number().int().min(0).max(10_000).optional(),
        chatCapacity: z.number().int().min(0).max(100).optional(),
      }).refine((b) => Object.values(b).some((v) => v !== undefined), 'change at least one of availability, ticketCapacity, chatCapacity'),
      response: { 200: RoutingView, 400: ErrorView, 404: ErrorView },
    },
  }, async (request) => routingView(await routing.updateAgent(request.workspace.id, request.params.id, request.body, actorOf(request))));

  app.get('/routing/departments', {
    ...anyAgent,
    schema: {
      tags: ['routing'], summary: 'Teams: each department\'s members, strategy and whether it assigns automatically',
      response: { 200: z.object({ departments: z.array(DepartmentView) }) },
    },
  }, async (request) => ({ departments: (await routing.departments(request.workspace.id)).map(departmentView) }));

  app.post('/routing/departments', {
    ...adminOnly,
    schema: {
      tags: ['routing'], summary: 'Add a department (team) with its names in both languages (admin)',
      body: z.strictObject({
        key: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _; at most 40'),
        name: DepartmentName,
        customerSelectable: z.boolean().default(true),
      }),
      response: { 201: DepartmentView, 400: ErrorView, 409: ErrorView },
    },
  }, async (request, reply) => reply.code(201).send(departmentView(await routing.createDepartment(request.workspace.id, request.body, actorOf(request)))));

  app.patch('/routing/departments/:id', {
    ...adminOnly,
    schema: {
      tags: ['routing'], summary: 'Rename a department, or choose whether customers may pick it on the portal (admin)',
      params: IdParams,
      body: z.strictObject({ name: DepartmentName.optional(), customerSelectable: z.boolean().optional() })
        .refine((b) => b.name !== undefined || b.customerSelectable !== undefined, 'change at least one of name, customerSelectable'),
      response: { 200: DepartmentView, 400: ErrorView, 404: ErrorView },
    },
  }, async (request) => departmentView(await routing.updateDepartment(request.workspace.id, request.params.id, request.body, actorOf(request))));

  app.get('/routing/departments/:id', {
    ...anyAgent,
    schema: { tags: ['routing'], summary: 'One team', params: IdParams, response: { 200: DepartmentView, 404: ErrorView } },
  }, async (request) => departmentView(await routing.department(request.workspace.id, request.params.id)));

  app.put('/routing/departments/:id', {
    ...adminOnly,
    schema: {
      tags: ['routing'], summary: 'Set a team\'s members, strategy and auto-assignment (admin)',
      params: IdParams,
      body: z.strictObject({
        strategy: z.enum(STRATEGIES),
        autoAssign: z.boolean(),
        memberIds: z.array(z.string().uuid()).max(1000),
      }).refine((b) => !(b.autoAssign && b.strategy === 'manual'), { message: 'a manual team cannot assign automatically', path: ['autoAssign'] }),
      response: { 200: DepartmentView, 400: ErrorView, 404: ErrorView },
    },
  }, async (request) => departmentView(await routing.configureDepartment(request.workspace.id, request.params.id, request.body, actorOf(request))));

  app.put('/routing/departments/:id/chat-queue', {
    ...adminOnly,
    schema: {
      tags: ['routing'], summary: 'Set how a team\'s chat queue picks agents and where waiting chats overflow after how many seconds (admin)',
      params: IdParams,
      body: z.strictObject({
        chatStrategy: z.enum(CHAT_STRATEGIES),
        overflowDepartmentId: z.string().uuid().nullable(),
        overflowAfterSeconds: z.number().int().min(1).max(86_400).nullable(),
      }),
      response: { 200: DepartmentView, 400: ErrorView, 404: ErrorView },
    },
  }, async (request) => departmentView(await routing.configureChatQueue(request.workspace.id, request.params.id, request.body, actorOf(request))));
};
