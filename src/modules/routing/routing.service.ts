import type { Clock } from '../../core/clock.js';
import { eventsByWorkspace, type DomainEvent, type EventBus } from '../../core/events/index.js';
import { WorkspaceCache } from '../../core/workspace-cache.js';
import type { AccountsService, Actor } from '../accounts/index.js';
import type { TicketsService } from '../tickets/index.js';
import { ACTIVE_STATUSES, type TicketStatus } from '../tickets/index.js';
import { routingErrors } from './routing.errors.js';
import type { Db, RoutingRepo } from './routing.repo.js';
import type { Availability, ChatStrategy, RoutingAgentRow, RoutingDepartmentRow, Strategy, WorkKind } from './routing.schema.js';
import type { TicketHolderSource } from './routing.sources.js';

/** What auto-assignment needs of a ticket (a `ticket.created` or `ticket.updated` payload's ticket). */
interface RoutedTicket {
  id: string;
  departmentId: string | null;
  assigneeId: string | null;
  status: string;
  channel?: string;
}

export interface PickRequest {
  departmentId: string;
  kind: WorkKind;
  /** The ticket or chat the slot is for: it holds the slot until it is released or moves on. */
  itemId: string;
  /** Agents not to offer it to (a chat re-offered after a timeout, a transfer). */
  exclude?: string[];
}

export interface AgentRouting {
  agentId: string;
  availability: Availability;
  availabilityChangedAt: Date | null;
  capacity: Record<WorkKind, number>;
  load: Record<WorkKind, number>;
  lastAssignedAt: Record<WorkKind, Date | null>;
  /** Set while in after-contact work after a chat: no chat is offered until it is cleared. */
  acwUntil: Date | null;
}

export interface DepartmentRouting {
  departmentId: string;
  key: string;
  name: Record<string, string>;
  strategy: Strategy;
  autoAssign: boolean;
  memberIds: string[];
  /** How the team's chat queue picks agents, and where waiting chats overflow to after how long. */
  chatStrategy: ChatStrategy;
  overflowDepartmentId: string | null;
  overflowAfterSeconds: number | null;
  /** Whether customers may pick it on the portal's contact form. */
  customerSelectable: boolean;
}


const SYSTEM: Actor = { type: 'system', id: null };
/** A ticket claimed by auto-assignment whose ticket still shows nobody after this long was abandoned. */
const CLAIM_TTL_MS = 60_000;
/**
 * How often a node looks for abandoned claims of a workspace, on its next claim. They exist only
 * after a crash between a claim and the ticket's update, so looking before every claim (a
 * statement per new ticket, issue 15) finds nothing nearly always; a slot held by one is given
 * back at most this much later.
 */
const ABANDONED_LOOK_EVERY_MS = 10_000;
/** Deadlocks are possible (rarely) between a pick waiting for an agent and a sync moving a ticket; Postgres breaks them, we retry. */
const RETRYABLE = new Set(['40P01', '40001']);
const DEFAULT_CAPACITY: Record<WorkKind, number> = { ticket: 20, chat: 3 };
/** Tickets of these channels are chats: the ACD offers them; ticket auto-assignment leaves them alone. */
const LIVE_CHANNELS = new Set(['chat', 'sms']);

/** The longest a node routes with team settings changed elsewhere, should it miss `routing.settings_changed`. */
const SETTINGS_TTL_MS = 10_000;

/**
 * One routing service for every kind of work: agents' availability and capacity, teams with their
 * strategy, and the choice of the next agent for a ticket (auto-assignment) or a chat (the ACD).
 *
 * Concurrency: each agent's load per kind is a counter on their `routing_agents` row, next to one
 * `routing_holdings` row per item held. A pick locks the chosen agent row (`FOR UPDATE SKIP
 * LOCKED`, then a waiting `FOR UPDATE` if every candidate was busy), Postgres re-checks
 * `load < capacity` on the newest row version, and the counter and holding are written in the same
 * transaction: two simultaneous picks can never both take an agent's last free slot.
 */
export class RoutingService {
  /** Per workspace, its teams' routing settings by department: every new ticket's auto-assignment looks one up. */
  private readonly settingsCache = new WorkspaceCache(SETTINGS_TTL_MS, async (workspaceId) =>
    new Map((await this.repo.departmentSettings(this.repo.in(workspaceId))).map((row) => [row.department_id, row])));
  /** Per workspace, when this node last looked for abandoned claims (the service clock's ms). */
  private readonly abandonedLookedAt = new Map<string, number>();

  constructor(
    private readonly repo: RoutingRepo,
    private readonly tickets: TicketsService,
    private readonly accounts: AccountsService,
    private readonly ticketHolder: TicketHolderSource,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  // ---- availability and capacity -----------------------------------------------------------

  async agentRouting(workspaceId: string, agentId: string): Promise<AgentRouting> {
    await this.accounts.agent(workspaceId, agentId);
    return routingView(agentId, await this.repo.agent(this.repo.in(workspaceId), agentId));
  }

  /** Agents set their own availability; only `online` agents are picked. */
  async setAvailability(workspaceId: string, agentId: string, availability: Availability): Promise<AgentRouting> {
    return this.updateAgent(workspaceId, agentId, { availability });
  }

  async updateAgent(workspaceId: string, agentId: string, patch: { availability?: Availability; ticketCapacity?: number; chatCapacity?: number }, actor?: Actor): Promise<AgentRouting> {
    await this.accounts.agent(workspaceId, agentId);
    const now = this.clock.now();
    // The change of availability and its event commit together: chat's handler (offers, presence) never misses one.
    const { row } = await this.bus.transaction(this.repo.in(workspaceId), async (trx, events) => {
      await this.repo.ensureAgents(trx, [agentId]);
      const previous = (await this.repo.agentForUpdate(trx, agentId))!;
      const changes = {
        ...(patch.availability !== undefined && patch.availability !== previous.availability ? { availability: patch.availability, availability_changed_at: now } : {}),
        ...(patch.ticketCapacity !== undefined ? { ticket_capacity: patch.ticketCapacity } : {}),
        ...(patch.chatCapacity !== undefined ? { chat_capacity: patch.chatCapacity } : {}),
      };
      const row = Object.keys(changes).length ? await this.repo.updateAgent(trx, agentId, changes) : previous;
      if (row.availability !== previous.availability) {
        // One stream per agent: a subscriber sees an agent's changes in order (online, then away).
        events.publish('agent.availability_changed', workspaceId,
          { agentId, availability: row.availability, previous: previous.availability, changedAt: now.toISOString() }, { stream: agentId });
      }
      return { row };
    });
    if (actor && (patch.ticketCapacity !== undefined || patch.chatCapacity !== undefined)) {
      await this.accounts.audit(workspaceId, actor, 'routing.agent_updated', 'agent', agentId, patch);
    }
    return routingView(agentId, row);
  }

  /** Every agent of the workspace with availability, capacity, load, open tickets and teams. */
  async agents(workspaceId: string) {
    const db = this.repo.in(workspaceId);
    const [agents, rows, members] = await Promise.all([this.accounts.listAgents(workspaceId), this.repo.agents(db), this.repo.members(db)]);
    const openCounts = await this.tickets.openTicketCounts(workspaceId, agents.map((a) => a.id));
    const byId = new Map(rows.map((r) => [r.agent_id, r]));
    return agents.map((agent) => ({
      ...routingView(agent.id, byId.get(agent.id)),
      name: agent.name, email: agent.email, role: agent.role, disabled: agent.disabled_at !== null,
      openTickets: Number(openCounts.find((c) => c.assignee_id === agent.id)?.n ?? 0),
      departmentIds: members.filter((m) => m.agent_id === agent.id).map((m) => m.department_id),
    }));
  }

  // ---- teams ------------------------------------------------------------------------------

  async departments(workspaceId: string): Promise<DepartmentRouting[]> {
    const db = this.repo.in(workspaceId);
    const [departments, settings, members] = await Promise.all([this.tickets.departments(workspaceId), this.repo.departmentSettings(db), this.repo.members(db)]);
    return departments.map((d) => {
      const setting = settings.find((s) => s.department_id === d.id);
      return {
        departmentId: d.id, key: d.key, name: d.name, strategy: setting?.strategy ?? 'manual', autoAssign: setting?.auto_assign ?? false,
        memberIds: members.filter((m) => m.department_id === d.id).map((m) => m.agent_id),
        chatStrategy: setting?.chat_strategy ?? 'round_robin',
        overflowDepartmentId: setting?.overflow_department_id ?? null,
        overflowAfterSeconds: setting?.overflow_after_seconds ?? null,
        customerSelectable: setting?.customer_selectable ?? true,
      };
    });
  }

  async department(workspaceId: string, departmentId: string): Promise<DepartmentRouting> {
    const department = (await this.departments(workspaceId)).find((d) => d.departmentId === departmentId);
    if (!department) throw routingErrors.departmentNotFound();
    return department;
  }

  /** Adds a department (a team), offered to customers unless `customerSelectable` is false. */
  async createDepartment(workspaceId: string, input: { key: string; name: Record<string, string>; customerSelectable: boolean }, actor: Actor): Promise<DepartmentRouting> {
    const id = await this.repo.transaction(workspaceId, async (trx) => {
      const row = await this.repo.insertDepartment(trx, { key: input.key, name: input.name });
      if (!row) throw routingErrors.departmentKeyTaken();
      if (!input.customerSelectable) await this.repo.upsertCustomerSelectable(trx, { department_id: row.id, customer_selectable: false, updated_at: this.clock.now() });
      return row.id;
    });
    await this.tickets.departmentsChanged(workspaceId, id);
    if (!input.customerSelectable) await this.settingsChanged(workspaceId, id);
    await this.accounts.audit(workspaceId, actor, 'routing.department_created', 'department', id, input);
    return this.department(workspaceId, id);
  }

  /** Renames a department and/or says whether customers may pick it on the portal. */
  async updateDepartment(workspaceId: string, departmentId: string, patch: { name?: Record<string, string>; customerSelectable?: boolean }, actor: Actor): Promise<DepartmentRouting> {
    await this.department(workspaceId, departmentId);
    await this.repo.transaction(workspaceId, async (trx) => {
      if (patch.name) await this.repo.renameDepartment(trx, departmentId, patch.name);
      if (patch.customerSelectable !== undefined) {
        await this.repo.upsertCustomerSelectable(trx, { department_id: departmentId, customer_selectable: patch.customerSelectable, updated_at: this.clock.now() });
      }
    });
    if (patch.name) await this.tickets.departmentsChanged(workspaceId, departmentId);
    if (patch.customerSelectable !== undefined) await this.settingsChanged(workspaceId, departmentId);
    await this.accounts.audit(workspaceId, actor, 'routing.department_updated', 'department', departmentId, patch);
    return this.department(workspaceId, departmentId);
  }

  /**
   * The departments customers may pick on the portal (in the tickets' order). The contact form
   * (tickets.pages.ts) is to offer only these.
   */
  async customerDepartments(workspaceId: string): Promise<DepartmentRouting[]> {
    return (await this.departments(workspaceId)).filter((d) => d.customerSelectable);
  }

  /** The departments an agent works in: their "my team" inbox. */
  async departmentIdsOf(workspaceId: string, agentId: string): Promise<string[]> {
    return (await this.repo.departmentsOf(this.repo.in(workspaceId), agentId)).map((m) => m.department_id);
  }

  /** Replaces a team's members, strategy and auto-assignment switch (`manual` never auto-assigns). */
  async configureDepartment(workspaceId: string, departmentId: string, input: { strategy: Strategy; autoAssign: boolean; memberIds: string[] }, actor: Actor): Promise<DepartmentRouting> {
    await this.department(workspaceId, departmentId);
    const memberIds = [...new Set(input.memberIds)];
    const known = new Set((await this.accounts.listAgents(workspaceId)).map((a) => a.id));
    const unknown = memberIds.filter((id) => !known.has(id));
    if (unknown.length) throw routingErrors.membersUnknown(unknown);
    await this.repo.transaction(workspaceId, async (trx) => {
      await this.repo.upsertDepartmentSetting(trx, { department_id: departmentId, strategy: input.strategy, auto_assign: input.autoAssign, updated_at: this.clock.now() });
      await this.repo.replaceMembers(trx, departmentId, memberIds);
    });
    await this.settingsChanged(workspaceId, departmentId);
    await this.accounts.audit(workspaceId, actor, 'routing.department_updated', 'department', departmentId, { strategy: input.strategy, autoAssign: input.autoAssign, memberIds });
    return this.department(workspaceId, departmentId);
  }

  /** A team's chat queue: strategy and overflow (to another team after N seconds of waiting). */
  async configureChatQueue(workspaceId: string, departmentId: string, input: { chatStrategy: ChatStrategy; overflowDepartmentId: string | null; overflowAfterSeconds: number | null }, actor: Actor): Promise<DepartmentRouting> {
    await this.department(workspaceId, departmentId);
    if (input.overflowDepartmentId) {
      if (input.overflowDepartmentId === departmentId) throw routingErrors.overflowInvalid('overflowDepartmentId');
      // Named in the body, not the path: an unknown overflow team is a bad request, not a missing resource.
      if (!(await this.departments(workspaceId)).some((d) => d.departmentId === input.overflowDepartmentId)) throw routingErrors.departmentUnknown();
    }
    if ((input.overflowDepartmentId === null) !== (input.overflowAfterSeconds === null)) {
      throw routingErrors.overflowInvalid(input.overflowDepartmentId === null ? 'overflowDepartmentId' : 'overflowAfterSeconds');
    }
    await this.repo.upsertChatQueue(this.repo.in(workspaceId), {
      department_id: departmentId, chat_strategy: input.chatStrategy, overflow_department_id: input.overflowDepartmentId,
      overflow_after_seconds: input.overflowAfterSeconds, updated_at: this.clock.now(),
    });
    await this.settingsChanged(workspaceId, departmentId);
    await this.accounts.audit(workspaceId, actor, 'routing.chat_queue_updated', 'department', departmentId, input);
    return this.department(workspaceId, departmentId);
  }

  /** Online agents of a team with their chat capacity: whether anyone can answer, and the estimated wait. */
  onlineMembers(workspaceId: string, departmentId: string) {
    return this.repo.onlineMembers(this.repo.in(workspaceId), departmentId);
  }

  // ---- after-contact work -------------------------------------------------------------------

  /**
   * After a chat ends the agent does after-contact work until `until` and gets no chat meanwhile;
   * `null` (no ACW configured) makes them idle at once.
   */
  async startAfterContactWork(workspaceId: string, agentId: string, until: Date | null): Promise<void> {
    const db = this.repo.in(workspaceId);
    await this.repo.ensureAgents(db, [agentId]);
    if (until) await this.repo.updateAgent(db, agentId, { acw_until: until });
    else await this.repo.updateAgent(db, agentId, { chat_idle_since: this.clock.now() });
  }

  /**
   * Ends an agent's ACW (`expected`: only if it is still that one, so two nodes' sweeps end it
   * once); the agent is idle from `at`. Answers whether this call ended it.
   */
  endAfterContactWork(workspaceId: string, agentId: string, at: Date, expected: Date | null = null): Promise<boolean> {
    return this.repo.endAcw(this.repo.in(workspaceId), agentId, expected, at);
  }

  /** Agents whose after-contact work has run out. */
  afterContactWorkDue(workspaceId: string, now: Date) {
    return this.repo.acwDue(this.repo.in(workspaceId), now);
  }

  // ---- picking ----------------------------------------------------------------------------

  /**
   * The agent who takes `itemId` now, or `null` when nobody of the team can (nobody online with a
   * free slot, or the team is routed by hand): the ticket stays unassigned, the chat queues. The
   * slot is held until the item is released (`release`) or, for tickets, until the ticket is
   * solved, reassigned or merged. Asking again for an item already held answers its holder.
   */
  async pickAgent(workspaceId: string, request: PickRequest): Promise<string | null> {
    return (await this.claim(workspaceId, request)).agentId;
  }

  /** `pickAgent`, also telling whether this call made the claim (false: somebody already held it). */
  async claim(workspaceId: string, request: PickRequest): Promise<{ agentId: string | null; claimed: boolean }> {
    const strategy = await this.strategyOf(workspaceId, request.departmentId, request.kind);
    await this.releaseAbandonedClaims(workspaceId);
    return retrying(() => this.repo.transaction(workspaceId, async (trx) => {
      await this.repo.lockItem(trx, workspaceId, request.kind, request.itemId);
      const held = await this.repo.holding(trx, request.kind, request.itemId);
      if (held) return { agentId: held.agent_id, claimed: false };
      if (strategy === 'manual') return { agentId: null, claimed: false };
      const query = { departmentId: request.departmentId, kind: request.kind, strategy, exclude: request.exclude ?? [] };
      // Fast path skips agents other picks hold locked right now, spreading a burst over the team;
      // if that finds nobody free but someone is eligible, wait for those picks and look again, so a
      // busy moment never looks full.
      const free = await this.repo.freeCandidate(trx, query);
      const agentId = free.agentId ?? (free.anyone ? await this.repo.candidate(trx, query) : undefined);
      if (!agentId) return { agentId: null, claimed: false };
      const now = this.clock.now();
      await this.repo.addLoad(trx, agentId, request.kind, 1, now);
      // A ticket's claim is confirmed once the ticket shows the assignee; a chat is the chat module's to release.
      await this.repo.insertHolding(trx, { kind: request.kind, item_id: request.itemId, agent_id: agentId, department_id: request.departmentId, confirmed: request.kind === 'chat', held_since: now });
      await this.repo.logAssignment(trx, { kind: request.kind, item_id: request.itemId, agent_id: agentId, previous_agent_id: null, department_id: request.departmentId, reason: strategy, created_at: now });
      return { agentId, claimed: true };
    }));
  }

  /**
   * Moves a held chat to one named agent (a transfer), who must be online, enabled, not in ACW and
   * below capacity (else AGENT_UNAVAILABLE); the agent row is locked so the slot cannot be taken
   * meanwhile. An item nobody holds is simply given to them.
   */
  async handOver(workspaceId: string, item: { kind: WorkKind; itemId: string; toAgentId: string; departmentId: string | null }): Promise<void> {
    await this.accounts.agent(workspaceId, item.toAgentId);
    await retrying(() => this.repo.transaction(workspaceId, async (trx) => {
      await this.repo.lockItem(trx, workspaceId, item.kind, item.itemId);
      const held = await this.repo.holding(trx, item.kind, item.itemId);
      if (held?.agent_id === item.toAgentId) return;
      await this.repo.ensureAgents(trx, [item.toAgentId]);
      const target = await this.repo.agentForUpdate(trx, item.toAgentId);
      const load = item.kind === 'chat' ? target!.chat_load : target!.ticket_load;
      const capacity = item.kind === 'chat' ? target!.chat_capacity : target!.ticket_capacity;
      if (target!.availability !== 'online' || target!.acw_until || load >= capacity) throw routingErrors.agentUnavailable();
      await this.move(trx, item.kind, item.itemId, held?.agent_id ?? null, item.toAgentId, item.departmentId ?? held?.department_id ?? null, 'transfer');
    }));
  }

  /** Frees the slot an item holds (a chat that ended or moved on); answers who held it. */
  async release(workspaceId: string, item: { kind: WorkKind; itemId: string }): Promise<string | null> {
    return retrying(() => this.repo.transaction(workspaceId, async (trx) => {
      await this.repo.lockItem(trx, workspaceId, item.kind, item.itemId);
      const held = await this.repo.holding(trx, item.kind, item.itemId);
      if (!held) return null;
      await this.move(trx, item.kind, item.itemId, held.agent_id, null, held.department_id);
      return held.agent_id;
    }));
  }

  /**
   * Makes routing's record of a ticket match the ticket: its assignee holds a slot while it is
   * active, nobody otherwise. Idempotent, so every node may run it for every event. A fresh claim by
   * auto-assignment that the ticket does not show yet is left alone unless `force`.
   */
  async syncTicket(workspaceId: string, ticketId: string, options: { force?: boolean } = {}): Promise<void> {
    await retrying(() => this.repo.transaction(workspaceId, async (trx) => {
      await this.repo.lockItem(trx, workspaceId, 'ticket', ticketId);
      const state = await this.ticketHolder(trx, ticketId);
      const desired = state?.holder ?? null;
      const held = await this.repo.holding(trx, 'ticket', ticketId);
      const current = held?.agent_id ?? null;
      if (current === desired) {
        if (held && !held.confirmed) await this.repo.confirmHolding(trx, 'ticket', ticketId);
        return;
      }
      const pending = held && !held.confirmed && desired === null && held.held_since.getTime() > this.clock.now().getTime() - CLAIM_TTL_MS;
      if (pending && !options.force) return;
      await this.move(trx, 'ticket', ticketId, current, desired, state?.departmentId ?? held?.department_id ?? null);
    }));
  }

  /** Assigns a new (or newly moved) unassigned ticket when its department routes automatically. */
  async autoAssignTicket(workspaceId: string, ticket: RoutedTicket): Promise<string | null> {
    const departmentId = await this.autoAssignedTeam(workspaceId, ticket);
    if (!departmentId) return null;
    const { agentId, claimed } = await this.claim(workspaceId, { departmentId, kind: 'ticket', itemId: ticket.id });
    if (!agentId) return null;
    // Held already: by someone the ticket shows (nothing to do), or by this very claim, made before
    // a crash cut off the update below (the event is delivered again): the update is done now.
    if (!claimed && (await this.tickets.ticket(workspaceId, ticket.id)).assignee_id) return null;
    try {
      // tickets.update records the activity and publishes ticket.updated, whose sync confirms the claim.
      await this.tickets.update(workspaceId, ticket.id, { assigneeId: agentId }, SYSTEM);
    } finally {
      // If the update failed (the ticket was merged or closed meanwhile), this gives the slot back.
      await this.syncTicket(workspaceId, ticket.id, { force: true });
    }
    return agentId;
  }

  // ---- events -----------------------------------------------------------------------------

  onTicketCreated = async (event: DomainEvent<'ticket.created'>): Promise<void> => {
    const { ticket } = event.payload;
    await this.autoAssignTicket(event.workspaceId, ticket);
  };

  /**
   * `ticket.created` for a batch (core/events `BatchHandler`): as `onTicketCreated` on each, in
   * order, but without the claims that would be made in vain (`claimsInVain`).
   */
  onTicketsCreated = async (events: readonly DomainEvent<'ticket.created'>[]): Promise<void> => {
    for (const [workspaceId, group] of eventsByWorkspace(events)) {
      const inVain = await this.claimsInVain(workspaceId, group.map((e) => e.payload.ticket));
      for (const { payload: { ticket } } of group) if (!inVain(ticket)) await this.autoAssignTicket(workspaceId, ticket);
    }
  };

  onTicketUpdated = async (event: DomainEvent<'ticket.updated'>): Promise<void> => {
    const { ticket, changes } = event.payload;
    if (changes.assigneeId || changes.status) await this.syncTicket(event.workspaceId, ticket.id);
    if (changes.departmentId) await this.autoAssignTicket(event.workspaceId, ticket);
  };

  /**
   * `ticket.updated` for a batch: as `onTicketUpdated` on each, in order, but a ticket only moved to
   * another team (its holder and status unchanged in the whole batch, which syncing would change)
   * is not claimed where the claim would be made in vain (`claimsInVain`): triage moving new tickets
   * to a team off shift costs nothing per ticket.
   */
  onTicketsUpdated = async (events: readonly DomainEvent<'ticket.updated'>[]): Promise<void> => {
    for (const [workspaceId, group] of eventsByWorkspace(events)) {
      const synced = new Set(group.filter((e) => e.payload.changes.assigneeId || e.payload.changes.status).map((e) => e.payload.ticket.id));
      const onlyMoved = group.filter((e) => e.payload.changes.departmentId && !synced.has(e.payload.ticket.id));
      const inVain = await this.claimsInVain(workspaceId, onlyMoved.map((e) => e.payload.ticket));
      for (const event of group) {
        if (!(onlyMoved.includes(event) && inVain(event.payload.ticket))) await this.onTicketUpdated(event);
      }
    }
  };

  /**
   * Which of these tickets auto-assignment would claim in vain: nobody holds them, and nobody in
   * the team that assigns them could take them now (a team off shift, or full). Each such claim
   * costs three statements (issue 15); this is one look at all their holdings and teams. A ticket
   * that appears twice is always claimed (its first claim may change what the second finds).
   */
  private async claimsInVain(workspaceId: string, tickets: readonly RoutedTicket[]): Promise<(ticket: RoutedTicket) => boolean> {
    const teams = new Map<RoutedTicket, string>();
    for (const ticket of tickets) {
      const departmentId = await this.autoAssignedTeam(workspaceId, ticket);
      if (departmentId) teams.set(ticket, departmentId);
    }
    if (!teams.size) return () => false;
    // What a claim does first; it may free a slot for these tickets.
    await this.releaseAbandonedClaims(workspaceId);
    const db = this.repo.in(workspaceId);
    const ids = [...teams.keys()].map((t) => t.id);
    const held = await this.repo.heldItems(db, 'ticket', ids);
    const withRoom = await this.repo.teamsWithRoom(db, 'ticket', [...new Set(teams.values())]);
    const repeated = new Set(ids.filter((id, i) => ids.indexOf(id) !== i));
    return (ticket) => {
      const team = teams.get(ticket);
      return team !== undefined && !held.has(ticket.id) && !repeated.has(ticket.id) && !withRoom.has(team);
    };
  }

  onTicketMerged = async (event: DomainEvent<'ticket.merged'>): Promise<void> => {
    const { ticketId } = event.payload;
    await this.syncTicket(event.workspaceId, ticketId);
  };

  /** The history of an item's holders, oldest first. */
  assignments(workspaceId: string, kind: WorkKind, itemId: string) {
    return this.repo.assignments(this.repo.in(workspaceId), kind, itemId);
  }

  // ---- helpers ----------------------------------------------------------------------------

  /**
   * A team's routing settings (undefined: it has none, manual), kept briefly per workspace
   * (core/workspace-cache.ts): every new ticket's auto-assignment and every claim read them
   * (issue 15), and they change rarely. Other nodes forget them on `routing.settings_changed`.
   */
  private async departmentSetting(workspaceId: string, departmentId: string): Promise<RoutingDepartmentRow | undefined> {
    return (await this.settingsCache.get(workspaceId)).get(departmentId);
  }

  /**
   * The team that assigns this ticket automatically, or undefined: it has no team, someone has it,
   * it is done, it is the chat queue's, or its team routes by hand.
   */
  private async autoAssignedTeam(workspaceId: string, ticket: RoutedTicket): Promise<string | undefined> {
    if (!ticket.departmentId || ticket.assigneeId || !ACTIVE_STATUSES.includes(ticket.status as TicketStatus)) return undefined;
    // Live channels are the chat queue's: their ticket is assigned when an agent accepts the chat.
    if (ticket.channel && LIVE_CHANNELS.has(ticket.channel)) return undefined;
    const setting = await this.departmentSetting(workspaceId, ticket.departmentId);
    return setting?.auto_assign && setting.strategy !== 'manual' ? ticket.departmentId : undefined;
  }

  /** Drops this node's copy of a workspace's team settings (they changed). */
  forgetSettings(workspaceId: string): void {
    this.settingsCache.forget(workspaceId);
  }

  private async settingsChanged(workspaceId: string, departmentId: string): Promise<void> {
    this.forgetSettings(workspaceId);
    await this.bus.publish('routing.settings_changed', workspaceId, { departmentId });
  }

  private async strategyOf(workspaceId: string, departmentId: string, kind: WorkKind): Promise<Strategy | ChatStrategy> {
    const setting = await this.departmentSetting(workspaceId, departmentId);
    if (setting) return kind === 'chat' ? setting.chat_strategy : setting.strategy;
    if (!(await this.tickets.departments(workspaceId)).some((d) => d.id === departmentId)) throw routingErrors.departmentUnknown();
    // Chats always queue for an agent; tickets are routed by hand until a team opts in.
    return kind === 'chat' ? 'round_robin' : 'manual';
  }

  /** Moves an item from one holder to another (either may be nobody), keeping loads equal to holdings. */
  private async move(trx: Db, kind: WorkKind, itemId: string, from: string | null, to: string | null, departmentId: string | null, reason: 'manual' | 'transfer' = 'manual'): Promise<void> {
    const now = this.clock.now();
    if (to) await this.repo.ensureAgents(trx, [to]);
    // Agent rows are locked in id order, so two moves between the same agents cannot deadlock.
    for (const agentId of [from, to].filter((id): id is string => !!id).sort()) {
      await this.repo.addLoad(trx, agentId, kind, agentId === to ? 1 : -1);
    }
    if (from) await this.repo.deleteHolding(trx, kind, itemId);
    // Given by hand (a PATCH, a reopened ticket): counted even beyond capacity; the next pick skips the agent.
    if (to) await this.repo.insertHolding(trx, { kind, item_id: itemId, agent_id: to, department_id: departmentId, confirmed: true, held_since: now });
    await this.repo.logAssignment(trx, { kind, item_id: itemId, agent_id: to, previous_agent_id: from, department_id: departmentId, reason: to ? reason : 'released', created_at: now });
  }

  private async releaseAbandonedClaims(workspaceId: string): Promise<void> {
    const now = this.clock.now().getTime();
    const last = this.abandonedLookedAt.get(workspaceId);
    if (last !== undefined && now >= last && now - last < ABANDONED_LOOK_EVERY_MS) return;
    this.abandonedLookedAt.set(workspaceId, now);
    const before = new Date(now - CLAIM_TTL_MS);
    const stale = await this.repo.unconfirmedBefore(this.repo.in(workspaceId), before, 20);
    for (const item of stale) {
      if (item.kind === 'ticket') await this.syncTicket(workspaceId, item.item_id, { force: true });
    }
  }
}

function routingView(agentId: string, row: RoutingAgentRow | undefined): AgentRouting {
  return {
    agentId,
    availability: row?.availability ?? 'offline',
    availabilityChangedAt: row?.availability_changed_at ?? null,
    capacity: { ticket: row?.ticket_capacity ?? DEFAULT_CAPACITY.ticket, chat: row?.chat_capacity ?? DEFAULT_CAPACITY.chat },
    load: { ticket: row?.ticket_load ?? 0, chat: row?.chat_load ?? 0 },
    lastAssignedAt: { ticket: row?.last_ticket_at ?? null, chat: row?.last_chat_at ?? null },
    acwUntil: row?.acw_until ?? null,
  };
}

async function retrying<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= attempts || typeof code !== 'string' || !RETRYABLE.has(code)) throw error;
    }
  }
}
