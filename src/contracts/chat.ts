/**
 * The live-chat wire protocol: every Socket.IO event both ways, for the visitor widget and for the
 * agent console, with payloads, acknowledgements and error codes. Shared by the server
 * (`src/transport/ws/chat.socket.ts`), the widget (`web/widget/`) and the console
 * (`web/console/src/features/chat/`). Type-only apart from a few constants, no imports: a client
 * bundle may import it without pulling server code.
 *
 * Changes are additive only (new optional fields, new events, new codes).
 *
 * Connecting (both sides: websocket transport only, one Socket.IO server at `CHAT_SOCKET_PATH`):
 *
 * ```ts
 * // visitor widget, from any website: the workspace is named by the embed's data-workspace slug
 * io(`${origin}${VISITOR_NAMESPACE}`, { path: CHAT_SOCKET_PATH, transports: ['websocket'],
 *   auth: { workspace: 'acme', token: localStorage.kefuChatToken ?? undefined } satisfies VisitorAuth });
 * // agent console, same site: authenticated by the `kefu_agent` session cookie, Origin must be this site
 * io(AGENT_NAMESPACE, { path: CHAT_SOCKET_PATH, transports: ['websocket'], withCredentials: true });
 * ```
 *
 * A refused handshake arrives as `connect_error` whose `message` is a `ChatErrorCode`
 * (`WORKSPACE_UNKNOWN`, `TOKEN_INVALID`, `UNAUTHENTICATED`, `ORIGIN_FORBIDDEN`, `UNAVAILABLE`).
 * A visitor whose token is refused should forget it and connect again without one.
 *
 * Every client → server event takes an ack callback answering `Ack<T>`: `{ ok: true, ...T }` once
 * the work is committed (a message's ack means "stored"), or `{ ok: false, error }` and nothing changed.
 */

export const CHAT_SOCKET_PATH = '/chat-socket';
export const VISITOR_NAMESPACE = '/visitor';
export const AGENT_NAMESPACE = '/agent';

/** Limits enforced per connection; exceeding one answers the matching error code and stores nothing. */
export const CHAT_LIMITS = {
  /** UTF-8 bytes of one message's text. */
  messageBytes: 4096,
  /** At most this many messages (visitor or agent) per connection within `rateWindowMs`; every attempt counts, refused or not. */
  messagesPerWindow: 10,
  rateWindowMs: 5000,
  /** Client message ids: 1–64 characters of [A-Za-z0-9_-] (a UUID fits). */
  clientMessageIdPattern: '^[A-Za-z0-9_-]{1,64}$',
  /** Bytes of one uploaded file (the server's attachment limit may be lower). */
  uploadBytes: 10 * 1024 * 1024,
} as const;

/** The visitor's rating of a chat an agent answered: once, after it ended, within `windowHours`. */
export const CHAT_RATING = {
  min: 1,
  max: 5,
  /** Characters of the optional comment. */
  commentChars: 1000,
  windowHours: 24,
} as const;

/** A rating as stored on the conversation. */
export interface ChatRating {
  score: number;
  comment: string | null;
  /** ISO. */
  ratedAt: string;
}

export const CHAT_ERROR_CODES = [
  'VALIDATION_FAILED', // details: zod issues ({ path, message }[])
  'UNAUTHENTICATED', // agent: no or ended session; visitor: no token where one is needed
  'ORIGIN_FORBIDDEN', // agent socket opened from another site
  'WORKSPACE_UNKNOWN', // visitor: no workspace with that slug
  'TOKEN_INVALID', // visitor token forged, expired or for another workspace
  'CONVERSATION_NOT_FOUND', // id unknown in this workspace, or not this visitor's / agent's
  'CONVERSATION_ENDED', // writing to a chat that has ended (continue by e-mail)
  'CONVERSATION_ACTIVE', // visitor: chat:start while the token's chat is still open (use chat:sync)
  'MESSAGE_TOO_LARGE', // text over CHAT_LIMITS.messageBytes
  'RATE_LIMITED', // over CHAT_LIMITS.messagesPerWindow; details: { retryAfterMs }
  'OFFER_NOT_FOUND', // accept/decline of an offer that expired, was withdrawn or went to somebody else
  'AGENT_UNAVAILABLE', // the agent is not online, on break, in ACW or at capacity (accepting, transfers)
  'DEPARTMENT_UNKNOWN', // pre-chat topic / transfer team not in this workspace
  'UNAVAILABLE', // a dependency failed; try again
  'ALREADY_RATED', // rating: this chat has been rated (once per conversation)
  'RATING_CLOSED', // rating: the chat is not one an agent answered, or CHAT_RATING.windowHours have passed since it ended
] as const;
export type ChatErrorCode = (typeof CHAT_ERROR_CODES)[number];

export interface ChatError {
  code: ChatErrorCode;
  /** Safe to show, in the connection's locale where known. */
  message: string;
  details?: unknown;
}

export type Ack<T extends object = Record<never, never>> = ({ ok: true } & T) | { ok: false; error: ChatError };
export type AckFn<T extends object = Record<never, never>> = (answer: Ack<T>) => void;

// ---- shared shapes ----------------------------------------------------------------------------

/**
 * - `queued`: waiting for an agent (position pushed with `chat:queue`)
 * - `offered`: ringing at one agent (still waiting, for the visitor)
 * - `active`: an agent has accepted
 * - `ended`: closed by agent or visitor after being answered; replies continue by e-mail
 * - `abandoned`: the visitor left before any agent answered (`chat:end`, or no widget of theirs
 *   connected for 60 s while waiting)
 * - `offline`: nobody could take it (outside business hours or nobody online): it became an
 *   ordinary ticket, answered by e-mail
 */
export type ConversationStatus = 'queued' | 'offered' | 'active' | 'ended' | 'abandoned' | 'offline';

export interface ConversationView {
  /** The chat session id: names the conversation on the socket and in REST routes. */
  id: string;
  /** The unified-model ticket this chat is (channel `chat` or `sms`/`phone` for webhook channels). */
  ticketId: string;
  ticketNumber: number;
  status: ConversationStatus;
  departmentId: string | null;
  /** The agent holding it now (`active`), else null. */
  agent: { id: string; name: string } | null;
  visitor: { name: string; email: string };
  /** Highest seq stored; a client that has seen less asks `chat:sync`. */
  lastSeq: number;
  /** ISO timestamps. */
  queuedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  /** How many times it was moved to another agent or team. */
  transfers: number;
  /** `web` for the widget; `webhook` for contacts posted by a webhook channel (SMS, phone). */
  source: 'web' | 'webhook';
  /** The visitor's rating once given (`POST /api/v1/chat/conversations/:id/rating`); null before. */
  rating?: ChatRating | null;
}

export interface ChatAttachment {
  id: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  /** Download URL. Visitors fetch it with their token (`?token=`), agents with their session. */
  url: string;
}

export interface ChatMessage {
  conversationId: string;
  /** Per-conversation sequence number, 1, 2, 3 … in the order stored: deliver and show in this order. */
  seq: number;
  /**
   * The message's id in the ticket thread. Null for system notices, which live only in the chat,
   * and for a moment after a text is stored: the chat log is written (and delivered) first, its
   * ticket copy right after; `chat:sync` answers it once written.
   */
  messageId: string | null;
  /** The sender's id for the message (visitor/agent); null for system messages. */
  clientMessageId: string | null;
  author: { type: 'visitor' | 'agent' | 'system'; id: string | null; name: string };
  /** Plain text, exactly as sent. Clients must render it as text (never as HTML). */
  text: string;
  attachments: ChatAttachment[];
  createdAt: string;
}

export interface QueueUpdate {
  conversationId: string;
  /** 1 = next to be offered. */
  position: number;
  /** From the queue's recent average handle time and the agents serving it; null when unknown. */
  estimatedWaitSeconds: number | null;
}

export interface SuggestedAnswer {
  articleId: string;
  title: string;
  snippet: string;
  url: string;
}

export type Presence = 'online' | 'away' | 'on_break' | 'offline';

/**
 * Where a declined chat went: to a colleague, or back to wait in the queue (nobody else free). Never
 * offline: the decliner is online in its team, so the team is not empty.
 */
export type DeclinedChatNext = 'colleague' | 'queue';

export interface AgentChatState {
  agentId: string;
  presence: Presence;
  /** Set while in after-contact work: no offers until then (ISO), or until `agent:ready`. */
  acwUntil: string | null;
  chatLoad: number;
  chatCapacity: number;
  /** Whether chat is open now by the workspace's business hours, and when it opens next if not. */
  hours: ChatHours;
  /** The agent's active conversations. */
  conversations: ConversationView[];
  /** The offer ringing now, if any. */
  offer: ChatOffer | null;
}

/** The customer's record, shown beside the chat the moment it is offered (screen-pop). */
export interface ScreenPop {
  customer: { id: string; name: string; email: string; locale: string | null; createdAt: string };
  /** Most recent first, at most 10, excluding this chat's own ticket. */
  recentTickets: { id: string; number: number; subject: string; status: string; channel: string; updatedAt: string }[];
}

export interface ChatOffer {
  conversation: ConversationView;
  /** ISO; after it the offer goes to the next agent and this agent gets `chat:offer_withdrawn`. */
  expiresAt: string;
  timeoutSeconds: number;
  screenPop: ScreenPop;
  /** The visitor's messages so far (pre-chat question included). */
  messages: ChatMessage[];
}

/** A chat that ended without an agent: the visitor left the queue, or it went offline to a ticket. */
export interface MissedChat {
  conversationId: string;
  ticketNumber: number;
  visitorName: string;
  reason: 'abandoned' | 'offline';
  queuedAt: string;
  /** Seconds from joining the queue to leaving it (0 for a chat that went offline at once). */
  waitedSeconds: number;
}

export interface Wallboard {
  at: string;
  waiting: number;
  /** Seconds the oldest waiting contact has waited; 0 when none. */
  longestWaitSeconds: number;
  agents: Record<Presence | 'acw', number>;
  /** Today (workspace time zone) so far: answered within threshold / offered, 0–1; null when none offered. */
  serviceLevelToday: number | null;
  offeredToday: number;
  answeredToday: number;
  abandonedToday: number;
  /** Chats today that became a message for e-mail at once (outside the hours, nobody online). */
  offlineToday: number;
  /** The latest chats today that ended without reaching an agent, newest first (at most 10). */
  missedToday: MissedChat[];
  /** Per department. */
  queues: { departmentId: string; waiting: number; longestWaitSeconds: number }[];
  /** Today's chats (by when they entered the queue) the visitor rated, and their average score (null when none). */
  ratedToday: number;
  averageRatingToday: number | null;
}

// ---- visitor namespace (`/visitor`) -------------------------------------------------------------

export interface VisitorAuth {
  /** The workspace slug from the embed's `data-workspace`. */
  workspace: string;
  /** The token `chat:start` answered; resumes the same conversation after a reconnect or reload. */
  token?: string;
  /** 'zh-CN' | 'en'; chooses the language of system messages and errors. */
  locale?: string;
}

export interface PreChatForm {
  name: string; // 1–120 characters
  email: string; // an e-mail address
  /** A department id from `GET /api/v1/chat/widget/:workspace` (`departments`); omitted: the default queue. */
  departmentId?: string;
  /** The first question (optional, ≤ 4 kB); stored as the first message. */
  text?: string;
  /** The first question's id; a start resent on the same connection with it finds the same conversation (never another connection's). */
  clientMessageId?: string;
}

export interface VisitorToServer {
  /**
   * Pre-chat form → a new conversation (queued, offered, active if an agent was quick, or `offline`
   * when nobody can answer). The ack carries the state and every message as they are once the
   * socket listens to the conversation; pushes follow from there.
   */
  'chat:start': (form: PreChatForm, ack: AckFn<{ token: string; conversation: ConversationView; messages: ChatMessage[] }>) => void;
  /** After (re)connecting with a token: the conversation and every message with seq > sinceSeq. */
  'chat:sync': (body: { sinceSeq: number }, ack: AckFn<{ conversation: ConversationView; messages: ChatMessage[] }>) => void;
  /** Ack `ok` = stored. Resending the same clientMessageId answers the stored message, never a second one. */
  'chat:message': (body: { clientMessageId: string; text: string }, ack: AckFn<{ message: ChatMessage }>) => void;
  'chat:typing': (body: { typing: boolean }) => void;
  /** The visitor has seen everything up to seq (agents get `chat:receipt` kind `read`). */
  'chat:read': (body: { seq: number }) => void;
  /** Related help-centre answers for a text (bot-first deflection). */
  'chat:suggest': (body: { text: string }, ack: AckFn<{ answers: SuggestedAnswer[] }>) => void;
  /** Send the transcript to the visitor's e-mail (queued in the outbox). */
  'chat:transcript': (body: Record<string, never>, ack: AckFn) => void;
  /** The visitor closes the chat (abandoned if nobody had answered). */
  'chat:end': (body: Record<string, never>, ack: AckFn<{ conversation: ConversationView }>) => void;
}

export interface ServerToVisitor {
  /** Every stored message of the conversation, the visitor's own included (other tabs), in seq order. */
  'chat:message': (message: ChatMessage) => void;
  /** Position and estimated wait, whenever the queue changes. */
  'chat:queue': (update: QueueUpdate) => void;
  /** Status changes: answered (agent set), transferred, ended, offline. */
  'chat:state': (conversation: ConversationView) => void;
  'chat:typing': (body: { conversationId: string; typing: boolean; name: string }) => void;
  /** The agent's side has received (`delivered`) or seen (`read`) the visitor's messages up to seq. */
  'chat:receipt': (body: { conversationId: string; kind: 'delivered' | 'read'; upToSeq: number }) => void;
  /** Pushed once after the first question while queued: answers that may solve it without waiting. */
  'chat:suggestions': (body: { conversationId: string; answers: SuggestedAnswer[] }) => void;
}

// ---- agent namespace (`/agent`) ---------------------------------------------------------------

export type TransferTarget = { agentId: string } | { departmentId: string };

export interface AgentToServer {
  /** The agent's state now (presence, ACW, load, active chats, ringing offer). */
  'agent:state': (body: Record<string, never>, ack: AckFn<{ state: AgentChatState }>) => void;
  /** Going `online` may bring an offer at once; `offline` with active chats keeps them until ended. */
  'agent:presence': (body: { presence: Presence }, ack: AckFn<{ state: AgentChatState }>) => void;
  'agent:accept': (body: { conversationId: string }, ack: AckFn<{ conversation: ConversationView; messages: ChatMessage[]; screenPop: ScreenPop }>) => void;
  /** Declining re-offers to the next agent at once (the decliner is skipped for this chat); the answer says where it went. */
  'agent:decline': (body: { conversationId: string }, ack: AckFn<{ next: DeclinedChatNext }>) => void;
  'agent:message': (body: { conversationId: string; clientMessageId: string; text: string }, ack: AckFn<{ message: ChatMessage }>) => void;
  'agent:typing': (body: { conversationId: string; typing: boolean }) => void;
  'agent:read': (body: { conversationId: string; seq: number }) => void;
  'agent:sync': (body: { conversationId: string; sinceSeq: number }, ack: AckFn<{ conversation: ConversationView; messages: ChatMessage[] }>) => void;
  /** Hands the chat to an agent (must be online with a free slot) or back to a team's queue; history stays. */
  'agent:transfer': (body: { conversationId: string; to: TransferTarget }, ack: AckFn<{ conversation: ConversationView }>) => void;
  /** Ends the chat; the agent enters after-contact work until `acwUntil` (or `agent:ready`). */
  'agent:end': (body: { conversationId: string }, ack: AckFn<{ conversation: ConversationView; state: AgentChatState }>) => void;
  /** Finishes after-contact work early. */
  'agent:ready': (body: Record<string, never>, ack: AckFn<{ state: AgentChatState }>) => void;
}

export interface ServerToAgent {
  /** Rings at this agent only; accept before `expiresAt`. */
  'chat:offer': (offer: ChatOffer) => void;
  'chat:offer_withdrawn': (body: { conversationId: string; reason: 'timeout' | 'abandoned' | 'declined' }) => void;
  /** Messages of the agent's active conversations (and of one transferred to them), in seq order. */
  'chat:message': (message: ChatMessage) => void;
  'chat:state': (conversation: ConversationView) => void;
  'chat:typing': (body: { conversationId: string; typing: boolean; name: string }) => void;
  /** The visitor has received/read the agent's messages up to seq. */
  'chat:receipt': (body: { conversationId: string; kind: 'delivered' | 'read'; upToSeq: number }) => void;
  /** This agent's own state changed (presence, ACW start/end, load). */
  'agent:state': (state: AgentChatState) => void;
  /** Live wallboard, to every agent of the workspace whenever the queue or an agent's state changes. */
  wallboard: (board: Wallboard) => void;
}

// ---- REST shapes (see README.md for the routes) -----------------------------------------------

/** Chat's business hours now: `open` is always true where the workspace does not respect hours. */
export interface ChatHours {
  open: boolean;
  /** The next opening (ISO) while closed; null while open, or when no opening is within reach. */
  opensAt: string | null;
}

/** Why nobody can answer a chat now: outside business hours, or nobody online in them. */
export type ChatClosedReason = 'hours' | 'nobody';

export interface WidgetConfig {
  workspace: { slug: string; name: string };
  departments: { id: string; name: Record<string, string> }[];
  /** False outside business hours or with nobody online: the widget may say replies come by e-mail. */
  available: boolean;
  /** Null while available. */
  closedReason: ChatClosedReason | null;
  /** The next opening (ISO) when closed for the hours. */
  opensAt: string | null;
  limits: typeof CHAT_LIMITS;
}

export interface ChatMetrics {
  from: string;
  to: string;
  departmentId: string | null;
  agentId: string | null;
  serviceLevelSeconds: number;
  offered: number;
  answered: number;
  abandoned: number;
  abandonRate: number | null;
  /** answered within serviceLevelSeconds / offered. */
  serviceLevel: number | null;
  averageSpeedOfAnswerSeconds: number | null;
  averageHandleSeconds: number | null;
  averageAcwSeconds: number | null;
  transfers: number;
  transferRate: number | null;
  loggedInHours: number;
  costPerContact: number | null;
  /** Contacts that became tickets because nobody could answer (outside hours, nobody online): not in `offered`. */
  offline: number;
  /** Answered contacts the visitor rated, and the mean of their scores (1–5; null when none). */
  rated: number;
  averageRating: number | null;
}
