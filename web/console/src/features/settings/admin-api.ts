/**
 * The REST calls of the settings screens beyond mail: API tokens and the audit log (accounts),
 * departments and teams (routing), SLA policies and the business calendar (sla), canned replies
 * (tickets) and webhooks. Bodies are checked for the lists the screens rely on.
 */
import { ApiError, isRecord, request } from '../../api/http.js';

const unexpected = (what: string) => new ApiError('UNEXPECTED_RESPONSE', 0, `unexpected ${what} response`);
const str = (value: unknown): string => (typeof value === 'string' ? value : String(value ?? ''));
const strOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const numOrNull = (value: unknown): number | null => (typeof value === 'number' ? value : null);
const id = (value: string) => encodeURIComponent(value);

async function list<T>(path: string, key: string, map: (r: Record<string, unknown>) => T): Promise<T[]> {
  const body = await request('GET', path);
  const items = isRecord(body) ? body[key] : undefined;
  if (!Array.isArray(items)) throw unexpected(key);
  return items.filter(isRecord).map(map);
}

// ---- API tokens -----------------------------------------------------------------------------

export const TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface ApiToken {
  id: string;
  name: string;
  agentId: string;
  scopes: TokenScope[];
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

const token = (t: Record<string, unknown>): ApiToken => ({
  id: str(t.id), name: str(t.name), agentId: str(t.agentId),
  scopes: Array.isArray(t.scopes) ? TOKEN_SCOPES.filter((s) => (t.scopes as unknown[]).includes(s)) : [],
  expiresAt: strOrNull(t.expiresAt), createdAt: str(t.createdAt), lastUsedAt: strOrNull(t.lastUsedAt),
});

/** Mine, or everyone's (`all`, admins). */
export const apiTokens = (whose: 'mine' | 'all') => list(`/api/v1/api-tokens${whose === 'all' ? '?agentId=all' : ''}`, 'tokens', token);

export async function createApiToken(input: { name: string; scopes: TokenScope[]; expiresAt?: string }): Promise<ApiToken & { secret: string }> {
  const body = await request('POST', '/api/v1/api-tokens', { body: input });
  if (!isRecord(body) || typeof body.token !== 'string') throw unexpected('api token');
  return { ...token(body), secret: body.token };
}

export const revokeApiToken = (tokenId: string) => request('DELETE', `/api/v1/api-tokens/${id(tokenId)}`);

// ---- agents ---------------------------------------------------------------------------------

export interface AgentRow {
  agentId: string;
  name: string;
  email: string;
  role: string;
  disabled: boolean;
  availability: string;
  capacity: { ticket: number; chat: number };
  openTickets: number;
  departmentIds: string[];
}

export const routingAgents = () => list('/api/v1/routing/agents', 'agents', (a): AgentRow => ({
  agentId: str(a.agentId), name: str(a.name), email: str(a.email), role: str(a.role), disabled: a.disabled === true,
  availability: str(a.availability),
  capacity: isRecord(a.capacity) ? { ticket: Number(a.capacity.ticket ?? 0), chat: Number(a.capacity.chat ?? 0) } : { ticket: 0, chat: 0 },
  openTickets: Number(a.openTickets ?? 0), departmentIds: Array.isArray(a.departmentIds) ? a.departmentIds.map(str) : [],
}));

export const setAgentCapacity = (agentId: string, capacity: { ticketCapacity: number; chatCapacity: number }) =>
  request('PUT', `/api/v1/routing/agents/${id(agentId)}`, { body: capacity });

export const updateAgent = (agentId: string, patch: { role?: string; disabled?: boolean }) =>
  request('PATCH', `/api/v1/agents/${id(agentId)}`, { body: patch });

// ---- departments and teams ------------------------------------------------------------------

export const STRATEGIES = ['manual', 'round_robin', 'least_loaded'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface Team {
  id: string;
  key: string;
  name: { en: string; 'zh-CN': string };
  strategy: Strategy;
  autoAssign: boolean;
  memberIds: string[];
  customerSelectable: boolean;
}

const team = (d: Record<string, unknown>): Team => {
  const name = isRecord(d.name) ? d.name : {};
  return {
    id: str(d.id), key: str(d.key), name: { en: str(name.en), 'zh-CN': str(name['zh-CN']) },
    strategy: STRATEGIES.find((s) => s === d.strategy) ?? 'manual', autoAssign: d.autoAssign === true,
    memberIds: Array.isArray(d.memberIds) ? d.memberIds.map(str) : [], customerSelectable: d.customerSelectable !== false,
  };
};

export const teams = () => list('/api/v1/routing/departments', 'departments', team);

export const createDepartment = (input: { key: string; name: { en: string; 'zh-CN': string }; customerSelectable: boolean }) =>
  request('POST', '/api/v1/routing/departments', { body: input });

export const updateDepartment = (departmentId: string, patch: { name?: { en: string; 'zh-CN': string }; customerSelectable?: boolean }) =>
  request('PATCH', `/api/v1/routing/departments/${id(departmentId)}`, { body: patch });

export const configureTeam = (departmentId: string, input: { strategy: Strategy; autoAssign: boolean; memberIds: string[] }) =>
  request('PUT', `/api/v1/routing/departments/${id(departmentId)}`, { body: input });

// ---- SLA ------------------------------------------------------------------------------------

export interface SlaPolicy {
  id: string;
  name: string;
  urgency: number;
  departmentId: string | null;
  firstResponseMinutes: number | null;
  nextResponseMinutes: number | null;
  resolutionMinutes: number | null;
  warningMinutes: number;
}

export type PolicyInput = Omit<SlaPolicy, 'id'>;

export const slaPolicies = () => list('/api/v1/sla/policies', 'policies', (p): SlaPolicy => ({
  id: str(p.id), name: str(p.name), urgency: Number(p.urgency), departmentId: strOrNull(p.departmentId),
  firstResponseMinutes: numOrNull(p.firstResponseMinutes), nextResponseMinutes: numOrNull(p.nextResponseMinutes),
  resolutionMinutes: numOrNull(p.resolutionMinutes), warningMinutes: Number(p.warningMinutes ?? 0),
}));

export const createSlaPolicy = (input: PolicyInput) => request('POST', '/api/v1/sla/policies', { body: input });
export const updateSlaPolicy = (policyId: string, input: PolicyInput) => request('PATCH', `/api/v1/sla/policies/${id(policyId)}`, { body: input });
export const deleteSlaPolicy = (policyId: string) => request('DELETE', `/api/v1/sla/policies/${id(policyId)}`);

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export interface Interval { start: string; end: string }
export interface DatedDay { date: string; name?: string }

export interface Calendar {
  timeZone: string;
  weeklyHours: Record<Weekday, Interval[]>;
  holidays: DatedDay[];
  workdays: (DatedDay & { hours?: Interval[] })[];
  pauseOnHold: boolean;
}

const intervals = (value: unknown): Interval[] =>
  Array.isArray(value) ? value.filter(isRecord).map((i) => ({ start: str(i.start), end: str(i.end) })) : [];
const dated = (value: unknown): DatedDay[] =>
  Array.isArray(value) ? value.filter(isRecord).map((d) => ({ date: str(d.date), ...(typeof d.name === 'string' ? { name: d.name } : {}) })) : [];

export async function slaCalendar(): Promise<Calendar> {
  const body = await request('GET', '/api/v1/sla/calendar');
  if (!isRecord(body) || !isRecord(body.weeklyHours)) throw unexpected('calendar');
  const weekly = body.weeklyHours;
  return {
    timeZone: str(body.timeZone),
    weeklyHours: Object.fromEntries(WEEKDAYS.map((d) => [d, intervals(weekly[d])])) as Record<Weekday, Interval[]>,
    holidays: dated(body.holidays),
    workdays: Array.isArray(body.workdays) ? body.workdays.filter(isRecord).map((w) => ({ ...dated([w])[0]!, ...(Array.isArray(w.hours) ? { hours: intervals(w.hours) } : {}) })) : [],
    pauseOnHold: body.pauseOnHold === true,
  };
}

export const saveSlaCalendar = (calendar: Calendar) => request('PUT', '/api/v1/sla/calendar', { body: calendar });

// ---- canned replies -------------------------------------------------------------------------

export interface CannedReply {
  id: string;
  title: string;
  body: string;
  locale: 'en' | 'zh-CN' | null;
}

export const cannedReplies = () => list('/api/v1/canned-replies', 'cannedReplies', (c): CannedReply => ({
  id: str(c.id), title: str(c.title), body: str(c.body), locale: c.locale === 'en' || c.locale === 'zh-CN' ? c.locale : null,
}));

export const createCannedReply = (input: Omit<CannedReply, 'id'>) => request('POST', '/api/v1/canned-replies', { body: input });
export const updateCannedReply = (replyId: string, input: Omit<CannedReply, 'id'>) => request('PATCH', `/api/v1/canned-replies/${id(replyId)}`, { body: input });
export const deleteCannedReply = (replyId: string) => request('DELETE', `/api/v1/canned-replies/${id(replyId)}`);

// ---- webhooks -------------------------------------------------------------------------------

export interface Webhook {
  id: string;
  url: string;
  description: string;
  events: string[];
  active: boolean;
}

export interface WebhookDelivery {
  id: string;
  eventType: string;
  status: string;
  attempts: number;
  responseStatus: number | null;
  error: string | null;
  redeliveryOf: string | null;
  createdAt: string;
}

const webhook = (w: Record<string, unknown>): Webhook => ({
  id: str(w.id), url: str(w.url), description: str(w.description), events: Array.isArray(w.events) ? w.events.map(str) : [], active: w.active === true,
});

export const webhooks = () => list('/api/v1/webhooks', 'webhooks', webhook);

export async function createWebhook(input: { url: string; events: string[]; description: string; active: boolean }): Promise<Webhook & { secret: string }> {
  const body = await request('POST', '/api/v1/webhooks', { body: input });
  if (!isRecord(body) || typeof body.secret !== 'string') throw unexpected('webhook');
  return { ...webhook(body), secret: body.secret };
}

export const updateWebhook = (webhookId: string, patch: Partial<{ url: string; events: string[]; description: string; active: boolean }>) =>
  request('PATCH', `/api/v1/webhooks/${id(webhookId)}`, { body: patch });
export const deleteWebhook = (webhookId: string) => request('DELETE', `/api/v1/webhooks/${id(webhookId)}`);

export async function webhookDeliveries(webhookId: string): Promise<WebhookDelivery[]> {
  return list(`/api/v1/webhooks/${id(webhookId)}/deliveries?limit=50`, 'deliveries', (d) => ({
    id: str(d.id), eventType: str(d.eventType), status: str(d.status), attempts: Number(d.attempts ?? 0),
    responseStatus: numOrNull(d.responseStatus), error: strOrNull(d.error), redeliveryOf: strOrNull(d.redeliveryOf), createdAt: str(d.createdAt),
  }));
}

export const redeliver = (webhookId: string, deliveryId: string) =>
  request('POST', `/api/v1/webhooks/${id(webhookId)}/deliveries/${id(deliveryId)}/redeliver`);

// ---- audit log ------------------------------------------------------------------------------

export interface AuditEntry {
  id: number;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

export async function auditLog(before?: number): Promise<AuditEntry[]> {
  const params = new URLSearchParams({ limit: '100' });
  if (before) params.set('before', String(before));
  return list(`/api/v1/audit-log?${params}`, 'entries', (e) => ({
    id: Number(e.id), actorType: str(e.actorType), actorId: strOrNull(e.actorId), action: str(e.action),
    targetType: strOrNull(e.targetType), targetId: strOrNull(e.targetId), details: isRecord(e.details) ? e.details : {}, createdAt: str(e.createdAt),
  }));
}

/** What a webhook may subscribe to (src/modules/webhooks/webhooks.schema.ts, WEBHOOK_EVENT_PATTERNS). */
export const WEBHOOK_EVENTS = [
  '*', 'ticket.*', 'message.*', 'sla.*',
  'ticket.created', 'ticket.updated', 'ticket.solved', 'ticket.merged', 'ticket.rated', 'message.created', 'sla.warned', 'sla.breached',
] as const;
