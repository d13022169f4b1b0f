/**
 * The REST calls of the settings screens beyond mail: API tokens and the audit log (accounts),
 * departments and teams (routing), SLA policies and the business calendar (sla), canned replies
 * (tickets) and webhooks. The shapes are the server's response schemas (src/contracts/…) as JSON
 * carries them; bodies are checked for the lists the screens rely on.
 */
import type { ChatSettingsPatchBody, ChatSettingsWire } from '@contracts/chat-settings.js';
import type {
  AgentPatchBody, ApiTokenWire, AuditEntryWire, AuditFilterQuery, InvitationWire, NewApiTokenBody, NewApiTokenWire, NewInvitationBody,
} from '@contracts/accounts.js';
import { WEEKDAYS } from '@contracts/enums.js';
import type {
  AgentRoutingPatchBody, ChatQueueConfigBody, ChatStrategy, DepartmentPatchBody, NewDepartmentBody, RoutingAgentWire, Strategy, TeamConfigBody, TeamWire,
} from '@contracts/routing.js';
import type { CalendarDocumentBody, NewPolicyBody, PolicyWire, Weekday } from '@contracts/sla.js';
import type { CannedReplyWire, NewCannedReplyBody } from '@contracts/tickets.js';
import type { DeliveryWire, WebhookWire, WithSecretWire } from '@contracts/webhooks.js';
import { ApiError, isRecord, request } from '../../api/http.js';

export { API_TOKEN_SCOPES as TOKEN_SCOPES, CHAT_STRATEGIES, STRATEGIES, WEBHOOK_EVENT_PATTERNS as WEBHOOK_EVENTS, WEEKDAYS } from '@contracts/enums.js';

const unexpected = (what: string) => new ApiError('UNEXPECTED_RESPONSE', 0, `unexpected ${what} response`);
const str = (value: unknown): string => (typeof value === 'string' ? value : String(value ?? ''));
const id = (value: string) => encodeURIComponent(value);

async function list<T>(path: string, key: string): Promise<T[]> {
  const body = await request('GET', path);
  const items = isRecord(body) ? body[key] : undefined;
  if (!Array.isArray(items)) throw unexpected(key);
  return items.filter(isRecord) as T[];
}

// ---- the workspace's host names ---------------------------------------------------------------

const hostnameList = (body: unknown): string[] => {
  if (!isRecord(body) || !Array.isArray(body.hostnames)) throw unexpected('hostnames');
  return body.hostnames.map(str);
};
export const hostnames = async () => hostnameList(await request('GET', '/api/v1/workspace/hostnames'));
export const addHostname = async (hostname: string) => hostnameList(await request('POST', '/api/v1/workspace/hostnames', { body: { hostname } }));
export const removeHostname = async (hostname: string) => hostnameList(await request('DELETE', `/api/v1/workspace/hostnames/${id(hostname)}`));

// ---- API tokens -----------------------------------------------------------------------------

export type TokenScope = ApiTokenWire['scopes'][number];
export type ApiToken = ApiTokenWire;

/** Mine, or everyone's (`all`, admins). */
export const apiTokens = (whose: 'mine' | 'all') => list<ApiToken>(`/api/v1/api-tokens${whose === 'all' ? '?agentId=all' : ''}`, 'tokens');

/** The new token with its secret (`token`), shown only this once. */
export async function createApiToken(input: Pick<NewApiTokenBody, 'name' | 'scopes' | 'expiresAt'>): Promise<NewApiTokenWire> {
  const body = await request('POST', '/api/v1/api-tokens', { body: input });
  if (!isRecord(body) || typeof body.token !== 'string') throw unexpected('api token');
  return body as NewApiTokenWire;
}

export const revokeApiToken = (tokenId: string) => request('DELETE', `/api/v1/api-tokens/${id(tokenId)}`);

// ---- agents ---------------------------------------------------------------------------------

export type AgentRow = RoutingAgentWire;

export const routingAgents = () => list<AgentRow>('/api/v1/routing/agents', 'agents');

export const setAgentCapacity = (agentId: string, capacity: Required<Pick<AgentRoutingPatchBody, 'ticketCapacity' | 'chatCapacity'>>) =>
  request('PUT', `/api/v1/routing/agents/${id(agentId)}`, { body: capacity });

export const updateAgent = (agentId: string, patch: Pick<AgentPatchBody, 'role' | 'disabled'>) =>
  request('PATCH', `/api/v1/agents/${id(agentId)}`, { body: patch });

// ---- invitations ----------------------------------------------------------------------------

export type Invitation = InvitationWire;

/** Open invitations, expired ones too (they can be resent). */
export const invitations = () => list<Invitation>('/api/v1/agent-invitations', 'invitations');
export const inviteAgent = (input: NewInvitationBody) => request('POST', '/api/v1/agent-invitations', { body: input });
export const resendInvitation = (invitationId: string) => request('POST', `/api/v1/agent-invitations/${id(invitationId)}/resend`);
export const revokeInvitation = (invitationId: string) => request('DELETE', `/api/v1/agent-invitations/${id(invitationId)}`);

// ---- departments and teams ------------------------------------------------------------------

export type { Strategy };
/** A team with both of its names (a department is made with both). */
export type Team = Omit<TeamWire, 'name'> & Pick<NewDepartmentBody, 'name'>;

/** A team's name in the console's language, its key when it has none. */
export const teamName = (team: Team, language: string) => (language === 'zh-CN' ? team.name['zh-CN'] : team.name.en) || team.key;

export const teams = async () => (await list<TeamWire>('/api/v1/routing/departments', 'departments'))
  .map((d): Team => ({ ...d, name: { en: str(d.name.en), 'zh-CN': str(d.name['zh-CN']) } }));

export const createDepartment = (input: Required<NewDepartmentBody>) => request('POST', '/api/v1/routing/departments', { body: input });

export const updateDepartment = (departmentId: string, patch: DepartmentPatchBody) =>
  request('PATCH', `/api/v1/routing/departments/${id(departmentId)}`, { body: patch });

export const configureTeam = (departmentId: string, input: TeamConfigBody) =>
  request('PUT', `/api/v1/routing/departments/${id(departmentId)}`, { body: input });

// ---- chat -----------------------------------------------------------------------------------

export type ChatSettings = ChatSettingsWire;
export type { ChatStrategy };

export const chatSettings = async (): Promise<ChatSettings> => chatSettingsOf(await request('GET', '/api/v1/chat/settings'));

/** Changes chat settings; answers with the settings as stored. */
export const saveChatSettings = async (patch: ChatSettingsPatchBody): Promise<ChatSettings> =>
  chatSettingsOf(await request('PUT', '/api/v1/chat/settings', { body: patch }));

function chatSettingsOf(body: unknown): ChatSettings {
  if (!isRecord(body) || typeof body.offerTimeoutSeconds !== 'number') throw unexpected('chat settings');
  return body as ChatSettings;
}

/** A team's chat queue: how it picks an agent, and where waiting chats overflow after how long. */
export const configureChatQueue = (departmentId: string, input: ChatQueueConfigBody) =>
  request('PUT', `/api/v1/routing/departments/${id(departmentId)}/chat-queue`, { body: input });

// ---- SLA ------------------------------------------------------------------------------------

export type SlaPolicy = PolicyWire;
/** What the policy form sends: targets and the warning; escalations and tiers keep the server's defaults. */
export type PolicyInput = Required<Pick<NewPolicyBody, 'name' | 'urgency' | 'departmentId' | 'firstResponseMinutes' | 'nextResponseMinutes' | 'resolutionMinutes' | 'warningMinutes'>>;

export const slaPolicies = () => list<SlaPolicy>('/api/v1/sla/policies', 'policies');

export const createSlaPolicy = (input: PolicyInput) => request('POST', '/api/v1/sla/policies', { body: input });
export const updateSlaPolicy = (policyId: string, input: PolicyInput) => request('PATCH', `/api/v1/sla/policies/${id(policyId)}`, { body: input });
export const deleteSlaPolicy = (policyId: string) => request('DELETE', `/api/v1/sla/policies/${id(policyId)}`);

export type { Weekday };
export type Calendar = Required<CalendarDocumentBody>;
export type Interval = Calendar['weeklyHours'][Weekday][number];
export type DatedDay = Calendar['holidays'][number];

export const slaCalendar = async (): Promise<Calendar> => calendarOf(await request('GET', '/api/v1/sla/calendar'));

/** Replaces the calendar; answers with the calendar as stored. */
export const saveSlaCalendar = async (calendar: Calendar): Promise<Calendar> =>
  calendarOf(await request('PUT', '/api/v1/sla/calendar', { body: calendar }));

function calendarOf(body: unknown): Calendar {
  if (!isRecord(body) || !isRecord(body.weeklyHours)) throw unexpected('calendar');
  const calendar = body as Calendar;
  return {
    timeZone: calendar.timeZone,
    // A weekday without hours may be left out of the stored calendar.
    weeklyHours: Object.fromEntries(WEEKDAYS.map((d) => [d, calendar.weeklyHours[d] ?? []])) as Calendar['weeklyHours'],
    holidays: calendar.holidays, workdays: calendar.workdays, pauseOnHold: calendar.pauseOnHold,
  };
}

// ---- canned replies -------------------------------------------------------------------------

export type CannedReply = CannedReplyWire;
export type CannedReplyInput = Required<NewCannedReplyBody>;

export const cannedReplies = () => list<CannedReply>('/api/v1/canned-replies', 'cannedReplies');

export const createCannedReply = (input: CannedReplyInput) => request('POST', '/api/v1/canned-replies', { body: input });
export const updateCannedReply = (replyId: string, input: CannedReplyInput) => request('PATCH', `/api/v1/canned-replies/${id(replyId)}`, { body: input });
export const deleteCannedReply = (replyId: string) => request('DELETE', `/api/v1/canned-replies/${id(replyId)}`);

// ---- webhooks -------------------------------------------------------------------------------

export type Webhook = WebhookWire;
export type WebhookDelivery = DeliveryWire;
type WebhookInput = Pick<Webhook, 'url' | 'events' | 'description' | 'active'>;

export const webhooks = () => list<Webhook>('/api/v1/webhooks', 'webhooks');

/** The new webhook with its signing secret, shown only this once. */
export async function createWebhook(input: WebhookInput): Promise<WithSecretWire> {
  const body = await request('POST', '/api/v1/webhooks', { body: input });
  if (!isRecord(body) || typeof body.secret !== 'string') throw unexpected('webhook');
  return body as WithSecretWire;
}

export const updateWebhook = (webhookId: string, patch: Partial<WebhookInput>) =>
  request('PATCH', `/api/v1/webhooks/${id(webhookId)}`, { body: patch });
export const deleteWebhook = (webhookId: string) => request('DELETE', `/api/v1/webhooks/${id(webhookId)}`);

export const webhookDeliveries = (webhookId: string) => list<WebhookDelivery>(`/api/v1/webhooks/${id(webhookId)}/deliveries?limit=50`, 'deliveries');

export const redeliver = (webhookId: string, deliveryId: string) =>
  request('POST', `/api/v1/webhooks/${id(webhookId)}/deliveries/${id(deliveryId)}/redeliver`);

// ---- audit log ------------------------------------------------------------------------------

export type AuditEntry = AuditEntryWire;
export type AuditFilter = AuditFilterQuery;

/** A page of 100 entries, newest first, narrowed by `filter`; older ones with `before` (the last id). */
export async function auditLog(filter: AuditFilter, before?: number): Promise<AuditEntry[]> {
  const params = new URLSearchParams({ limit: '100' });
  for (const [key, value] of Object.entries(filter)) if (value) params.set(key, value);
  if (before) params.set('before', String(before));
  return list<AuditEntry>(`/api/v1/audit-log?${params}`, 'entries');
}
