import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { JobQueue } from '../../core/jobs/index.js';
import type { Locale } from '../../core/i18n/index.js';
import { TargetForbiddenError, type OutboundTargets } from '../../core/net/outbound-targets.js';
import { newWebhookSecret, signatureHeader, verifySignature, postJson } from '../webhooks/index.js';
import type { TicketsService } from '../tickets/index.js';
import { chatErrors } from './chat.errors.js';
import type { ChatMessage } from '../../contracts/chat.js';
import type { ChatRepo } from './chat.repo.js';
import type { ChannelKind, ChannelRow, SessionRow } from './chat.schema.js';
import type { ChatConversations } from './chat.conversations.js';
import type { ChatLog } from './chat.log.js';
import { SYSTEM_ACTOR, type AccountsService, type Actor } from '../accounts/index.js';

export const CHANNEL_REPLY_JOB = 'chat.channel-reply';

export interface ChannelInput {
  name: string;
  kind: ChannelKind;
  outboundUrl: string | null;
  departmentId: string | null;
  enabled?: boolean;
}

/** What a channel's system posts: one contact's text. */
export interface InboundContact {
  from: string;
  name?: string;
  text: string;
  /** The sender's own id for this text: the same id twice is stored once. */
  externalId: string;
  locale?: Locale;
}

interface ReplyJob { workspaceId: string; sessionId: string; seq: number }

/**
 * Generic webhook channels: an SMS gateway or phone system posts contacts (HMAC-signed with the
 * channel's secret, the same `Kefu-Signature` scheme as Kefu's outbound webhooks) into the chat
 * queue; agents' replies go back to the channel's URL as signed webhooks, through a durable job.
 */
export class ChatChannels {
  constructor(
    private readonly repo: ChatRepo,
    private readonly chat: { conversations: ChatConversations; log: ChatLog },
    private readonly tickets: TicketsService,
    private readonly accounts: Pick<AccountsService, 'audit'>,
    private readonly jobs: JobQueue,
    private readonly clock: Clock,
    private readonly options: { targets: OutboundTargets },
  ) {}

  list(workspaceId: string) {
    return this.repo.channels(this.repo.in(workspaceId));
  }

  async get(workspaceId: string, id: string): Promise<ChannelRow> {
    const channel = await this.repo.channel(this.repo.in(workspaceId), id);
    if (!channel) throw chatErrors.channelNotFound();
    return channel;
  }

  /** The secret is returned here only; afterwards it is never shown again. */
  async create(workspaceId: string, input: ChannelInput, actor: Actor = SYSTEM_ACTOR): Promise<ChannelRow> {
    await this.assertDepartment(workspaceId, input.departmentId);
    await this.assertOutboundPermitted(input.outboundUrl);
    const channel = await this.repo.insertChannel(this.repo.in(workspaceId), {
      name: input.name, kind: input.kind, secret: newWebhookSecret(), outbound_url: input.outboundUrl, department_id: input.departmentId,
    });
    // A channel holds a signing secret and may post contacts into the queue: who made it is on record.
    await this.accounts.audit(workspaceId, actor, 'chat.channel_created', 'chat_channel', channel.id, { name: input.name, kind: input.kind, outboundUrl: input.outboundUrl });
    return channel;
  }

  async update(workspaceId: string, id: string, patch: Partial<ChannelInput>): Promise<ChannelRow> {
    await this.get(workspaceId, id);
    if (patch.departmentId) await this.assertDepartment(workspaceId, patch.departmentId);
    if (patch.outboundUrl) await this.assertOutboundPermitted(patch.outboundUrl);
    const updated = await this.repo.updateChannel(this.repo.in(workspaceId), id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.kind !== undefined ? { kind: patch.kind } : {}),
      ...(patch.outboundUrl !== undefined ? { outbound_url: patch.outboundUrl } : {}),
      ...(patch.departmentId !== undefined ? { department_id: patch.departmentId } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
      updated_at: this.clock.now(),
    });
    return updated!;
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    await this.get(workspaceId, id);
    await this.repo.deleteChannel(this.repo.in(workspaceId), id);
  }

  /**
   * Checks the signature over the raw body first (nothing is parsed or stored before), then files
   * the text: a sender with an open conversation on this channel continues it, else a new contact
   * joins the queue.
   */
  async verify(channelId: string, rawBody: string, signature: string | undefined): Promise<ChannelRow> {
    const channel = /^[0-9a-f-]{36}$/i.test(channelId) ? await this.repo.channelAnyWorkspace(channelId) : undefined;
    // An unknown channel and a bad signature look the same: nothing tells a prober which ids exist.
    if (!channel || !channel.enabled) throw chatErrors.signatureInvalid();
    const result = verifySignature({ secret: channel.secret, header: signature, body: rawBody, nowSeconds: Math.floor(this.clock.now().getTime() / 1000) });
    if (!result.ok) throw chatErrors.signatureInvalid();
    return channel;
  }

  async receive(channel: ChannelRow, contact: InboundContact): Promise<{ conversationId: string; ticketId: string; ticketNumber: number; status: string; seq: number | null }> {
    const workspaceId = channel.workspace_id;
    const open = await this.repo.openSessionFrom(this.repo.in(workspaceId), channel.id, contact.from);
    if (open) {
      const message = await this.chat.conversations.visitorMessage(workspaceId, open.id, { clientMessageId: clientIdOf(contact.externalId), text: contact.text });
      const { conversation } = await this.chat.log.conversation(workspaceId, open.id);
      return { conversationId: open.id, ticketId: open.ticket_id, ticketNumber: open.ticket_number, status: conversation.status, seq: message.seq };
    }
    const { conversation, messages } = await this.chat.conversations.startContact(workspaceId, {
      name: contact.name ?? contact.from, email: addressFor(channel, contact.from), text: contact.text, clientMessageId: clientIdOf(contact.externalId),
      ...(channel.department_id ? { departmentId: channel.department_id } : {}),
    }, contact.locale ?? 'en', { source: 'webhook', ticketChannel: channel.kind === 'sms' ? 'sms' : 'chat', channelId: channel.id, externalFrom: contact.from });
    return { conversationId: conversation.id, ticketId: conversation.ticketId, ticketNumber: conversation.ticketNumber, status: conversation.status, seq: messages[0]?.seq ?? null };
  }

  /** The conversations call this for each agent reply on a webhook contact: a durable, idempotent delivery. */
  reply = async (workspaceId: string, session: SessionRow, message: ChatMessage): Promise<void> => {
    await this.jobs.send<ReplyJob>(CHANNEL_REPLY_JOB, { workspaceId, sessionId: session.id, seq: message.seq }, { idempotencyKey: `${session.id}:${message.seq}` });
  };

  /** Posts the reply to the channel's URL, signed; a failure throws so the job retries with back-off. */
  async deliver(job: ReplyJob): Promise<void> {
    const session = await this.repo.session(this.repo.in(job.workspaceId), job.sessionId);
    if (!session?.channel_id) return;
    const channel = await this.repo.channel(this.repo.in(job.workspaceId), session.channel_id);
    if (!channel?.outbound_url || !channel.enabled) return;
    const [message] = await this.repo.messagesSince(this.repo.in(job.workspaceId), job.sessionId, job.seq - 1, 1);
    if (!message || message.seq !== job.seq) return;
    const body = JSON.stringify({
      type: 'chat.reply', channelId: channel.id, conversationId: session.id, ticketNumber: session.ticket_number,
      to: session.external_from, text: message.body_text, agent: { name: message.author_name }, replyId: `${session.id}:${message.seq}`,
      sentAt: message.created_at.toISOString(),
    });
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    const result = await postJson(channel.outbound_url, body, { 'content-type': 'application/json', 'kefu-signature': signatureHeader([channel.secret], timestamp, body) },
      { timeoutMs: 10_000, targets: this.options.targets });
    if (result.status === null || result.status >= 300) throw new Error(`channel reply failed: ${result.error ?? result.status}`);
  }

  async work(jobs: JobQueue): Promise<void> {
    await jobs.work<ReplyJob>(CHANNEL_REPLY_JOB, (job) => this.deliver(job.data));
  }

  /** Replies are posted to it: it must not point into the private network (checked again at every post). */
  private async assertOutboundPermitted(outboundUrl: string | null): Promise<void> {
    if (!outboundUrl) return;
    try {
      await this.options.targets.assertPermitted(new URL(outboundUrl).hostname);
    } catch (err) {
      if (!(err instanceof TargetForbiddenError)) throw err;
      throw chatErrors.channelTargetForbidden('A channel\'s outbound URL cannot be a private, loopback or reserved address',
        { host: err.host, address: err.address }, { cause: err });
    }
  }

  private async assertDepartment(workspaceId: string, departmentId: string | null): Promise<void> {
    if (departmentId && !(await this.tickets.departments(workspaceId)).some((d) => d.id === departmentId)) throw chatErrors.departmentUnknown();
  }
}

/** Client message ids are [A-Za-z0-9_-]{1,64}; a channel's ids may be anything, so they are hashed into that shape. */
function clientIdOf(externalId: string): string {
  return /^[A-Za-z0-9_-]{1,64}$/.test(externalId) ? externalId : `h${createHash('sha256').update(externalId).digest('base64url')}`;
}

/** Contacts from phones have no e-mail: they get a stable, undeliverable address of their own. */
function addressFor(channel: ChannelRow, from: string): string {
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(from)) return from;
  const local = from.replace(/[^0-9A-Za-z]/g, '').slice(0, 40) || 'unknown';
  return `${channel.kind}-${local}@channel-${channel.id.slice(0, 8)}.invalid`;
}
