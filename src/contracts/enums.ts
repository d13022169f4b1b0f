/**
 * The contracts' value lists, with no zod import: a client bundle (the console, the widget) imports
 * them from here without pulling zod in; the schemas in the other contract files are built on them.
 */

/** The languages content and agents come in (the core's `locales` is this list). */
export const LOCALES = ['zh-CN', 'en'] as const;
/** The listening reports, each at `/api/v1/search/reports/<name>`. */
export const SEARCH_REPORTS = ['top', 'no-results', 'no-clicks'] as const;
export const NODE_KINDS = ['question', 'solution', 'repair'] as const;
export const OUTBOX_STATUSES = ['held', 'queued', 'sending', 'sent', 'failed'] as const;

// ---- tickets ----
/** A ticket's statuses, in the order of its life. */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export const CHANNELS = ['web', 'email', 'chat', 'forum', 'api', 'phone', 'sms'] as const;
/** 0 thanks · 1 normal · 2 urgent · 3 critical · 4 red alert: the order is fixed, the names are the workspace's. */
export const URGENCY_LEVELS = [0, 1, 2, 3, 4] as const;
export const SENDER_VERIFICATIONS = ['verified', 'unverified', 'disputed'] as const;
/** The inbox's views (`GET /tickets?view=`) and sort orders (`sort=`). */
export const INBOX_VIEWS = ['mine', 'unassigned', 'team', 'all', 'breaching'] as const;
export const INBOX_SORTS = ['updated', 'created', 'urgency', 'due'] as const;

// ---- accounts ----
export const AGENT_ROLES = ['admin', 'agent', 'editor'] as const;
/** `read` (GET requests), `write` (every other method), `admin` (admin-only routes). */
export const API_TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
/** Who an audit entry says acted: an agent (by session or token), the system, or the API on its own. */
export const AUDIT_ACTOR_TYPES = ['agent', 'system', 'api'] as const;

// ---- routing ----
export const AVAILABILITIES = ['online', 'away', 'on_break', 'offline'] as const;
/** How a team's tickets are assigned. */
export const STRATEGIES = ['manual', 'round_robin', 'least_loaded'] as const;
/** How a team's chat queue picks an agent. */
export const CHAT_STRATEGIES = ['round_robin', 'least_loaded', 'longest_idle'] as const;

// ---- sla ----
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const CLOCK_KINDS = ['first_response', 'next_response', 'resolution'] as const;

// ---- webhooks ----
/**
 * The events a webhook can subscribe to: the public catalogue. Other bus events (workspace.created
 * and whatever modules use among themselves) never leave Kefu. Add a type here to publish it.
 */
export const WEBHOOK_EVENT_TYPES = [
  'ticket.created', 'ticket.updated', 'ticket.solved', 'ticket.merged', 'ticket.rated', 'message.created',
  'sla.warned', 'sla.breached', 'chat.rated',
] as const;
/** What a webhook may list in `events`: an exact type, every type of one noun (`ticket.*`), or `*`. */
export const WEBHOOK_EVENT_PATTERNS = [
  '*',
  ...[...new Set(WEBHOOK_EVENT_TYPES.map((type) => `${type.split('.')[0]}.*`))],
  ...WEBHOOK_EVENT_TYPES,
] as [string, ...string[]];
export const DELIVERY_STATUSES = ['pending', 'retrying', 'succeeded', 'failed', 'cancelled'] as const;

/** Triage automations: the ranges an admin may choose; outside them a save is refused with the field's path. */
export const AUTOMATION_LIMITS = {
  hours: { min: 1, max: 720 }, days: { min: 1, max: 365 }, duplicateMinutes: { min: 1, max: 1440 }, spamThreshold: { min: 1, max: 20 }, blocklist: 500,
} as const;
