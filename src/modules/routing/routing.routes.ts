import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { actorOf, requireAgent } from '../accounts/index.js';
import type { AgentRouting, DepartmentRouting, RoutingService } from './routing.service.js';
import { ErrorView, IdParams } from '../../contracts/http.js';
import {
  AgentRoutingPatch, AvailabilityBody, ChatQueueConfig, DepartmentPatch, NewDepartment, RoutingAgentListView, RoutingView, TeamConfig, TeamListView, TeamView,
} from '../../contracts/routing.js';

const departmentView = (d: DepartmentRouting): z.infer<typeof TeamView> => ({
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
      body: AvailabilityBody,
      response: { 200: RoutingView, 400: ErrorView },
    },
  }, async (request) => routingView(await routing.setAvailability(request.workspace.id, request.agent!.id, request.body.availability)));

  app.get('/routing/agents', {
    ...adminOnly,
    schema: {
      tags: ['routing'], summary: 'Every agent with availability, capacity, load, open tickets and teams (admin)',
      response: { 200: RoutingAgentListView },
    },
  }, async (request) => ({ agents: await routing.agents(request.workspace.id) }));

  app.put('/routing/agents/:id', {
    ...adminOnly,
    schema: {
      tags: ['routing'], summary: 'Set an agent\'s capacity (open tickets, concurrent chats) or availability (admin)',
      params: IdParams,
      body: AgentRoutingPatch,
      response: { 200: RoutingView, 400: ErrorView, 404: ErrorView },
    },
  }, async (request) => routingView(await routing.updateAgent(request.workspace.id, request.params.id, request.body, actorOf(request))));

  app.get('/routing/departments', {
    ...anyAgent,
    schema: {
      tags: ['routing'], summary: 'Teams: each department\'s members, strategy and whether it assigns automatically',
      response: { 200: TeamListView },
    },
  }, async (request) => ({ departments: (await routing.departments(request.workspace.id)).map(departmentView) }));

  app.post('/routing/departments', {
    ...adminOnly,
    schema: {
      tags: ['routing'], summary: 'Add a department (team) with its names in both languages (admin)',
      body: NewDepartment,
      response: { 201: TeamView, 400: ErrorView, 409: ErrorView },
    },
  }, async (request, reply) => reply.code(201).send(departmentView(await routing.createDepartment(request.workspace.id, request.body, actorOf(request)))));

  app.patch('/routing/departments/:id', {
    ...adminOnly,
    schema: {
      tags: ['routing'], summary: 'Rename a department, or choose whether customers may pick it on the portal (admin)',
      params: IdParams,
      body: DepartmentPatch,
      response: { 200: TeamView, 400: ErrorView, 404: ErrorView },
    },
  }, async (request) => departmentView(await routing.updateDepartment(request.workspace.id, request.params.id, request.body, actorOf(request))));

  app.get('/routing/departments/:id', {
    ...anyAgent,
    schema: { tags: ['routing'], summary: 'One team', params: IdParams, response: { 200: TeamView, 404: ErrorView } },
  }, async (request) => departmentView(await routing.department(request.workspace.id, request.params.id)));

  app.put('/routing/departments/:id', {
    ...adminOnly,
    schema: {
      tags: ['routing'], summary: 'Set a team\'s members, strategy and auto-assignment (admin)',
      params: IdParams,
      body: TeamConfig,
      response: { 200: TeamView, 400: ErrorView, 404: ErrorView },
    },
  }, async (request) => departmentView(await routing.configureDepartment(request.workspace.id, request.params.id, request.body, actorOf(request))));

  app.put('/routing/departments/:id/chat-queue', {
    ...adminOnly,
    schema: {
      tags: ['routing'], summary: 'Set how a team\'s chat queue picks agents and where waiting chats overflow after how many seconds (admin)',
      params: IdParams,
      body: ChatQueueConfig,
      response: { 200: TeamView, 400: ErrorView, 404: ErrorView },
    },
  }, async (request) => departmentView(await routing.configureChatQueue(request.workspace.id, request.params.id, request.body, actorOf(request))));
};
