import type { ImapFlow } from 'imapflow';
import type { Logger } from '../../../core/logger.js';
import type { OutboundTargets } from '../../../core/net/outbound-targets.js';
import type { InboundRepo } from '../inbound/inbound.repo.js';
import type { MailboxRow } from '../inbound/inbound.schema.js';
import type { InboundMail } from '../inbound/inbound.service.js';
import type { SecretBox } from './imap.crypto.js';

export interface ImapPollerOptions {
  pollSeconds: number;
  maxBytes: number;
  /** Which addresses an IMAP host may resolve to (private ones only where the operator allows them). */
  targets: OutboundTargets;
}

/** One fetch at most this many messages, so a huge backlog is ingested in steps that each commit progress. */
const BATCH = 200;

/**
 * Polls the configured IMAP mailboxes (role `mail`). Progress is the mailbox's UIDVALIDITY and the
 * last UID ingested, never the \Seen flag (another client reading the mail must not hide it from
 * us). Each message is stored through the same raw-store → job pipeline as SMTP; only after that
 * commit is the UID recorded and the message flagged \Seen or moved. Between polls a connection
 * stays open in IDLE (where the server supports it), so new mail is fetched as it arrives.
 */
export class ImapPoller {
  private readonly watchers = new Map<string, MailboxWatcher>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    private readonly repo: InboundRepo,
    private readonly inbound: InboundMail,
    private readonly secrets: SecretBox,
    private readonly options: ImapPollerOptions,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'error'>,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.refresh();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all([...this.watchers.values()].map((w) => w.stop()));
    this.watchers.clear();
  }

  /** Picks up added, changed and removed mailboxes, then polls each; runs every poll interval. */
  private async refresh(): Promise<void> {
    try {
      const mailboxes = await this.repo.enabledMailboxes();
      const wanted = new Map(mailboxes.map((m) => [m.id, m]));
      for (const [id, watcher] of this.watchers) {
        const current = wanted.get(id);
        if (!current || watcher.configChanged(current)) {
          await watcher.stop();
          this.watchers.delete(id);
        }
      }
      for (const mailbox of mailboxes) {
        let watcher = this.watchers.get(mailbox.id);
        if (!watcher) {
          watcher = new MailboxWatcher(mailbox, this);
          this.watchers.set(mailbox.id, watcher);
        }
        watcher.poll();
      }
    } catch (error) {
      this.log.error({ err: error }, 'imap: listing mailboxes failed');
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.refresh(), this.options.pollSeconds * 1000);
  }

  /** Connects, ingests what is new, disconnects: for tests and one-off runs. */
  async pollOnce(workspaceId: string, mailboxId: string): Promise<number> {
    const mailbox = await this.repo.mailbox(workspaceId, mailboxId);
    if (!mailbox) return 0;
    const client = await this.client(mailbox);
    await client.connect();
    try {
      return await this.ingest(client, mailbox);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  async client(mailbox: MailboxRow): Promise<ImapFlow> {
    // Connected to the address that was checked (a name resolving elsewhere later cannot slip
    // through); certificates are still verified against the name.
    const address = await this.options.targets.resolve(mailbox.host);
    // Loaded on the first mailbox polled: a server without IMAP mailboxes never holds it (some 6 MB of heap).
    const client = new (await import('imapflow')).ImapFlow({
      host: address,
      ...(address === mailbox.host ? {} : { servername: mailbox.host }),
      port: mailbox.port,
      secure: mailbox.tls === 'implicit',
      doSTARTTLS: mailbox.tls === 'starttls' ? true : mailbox.tls === 'none' ? false : undefined,
      auth: { user: mailbox.username, pass: await this.secrets.open(mailbox.password_encrypted) },
      logger: false,
      connectionTimeout: 30_000,
      // Idle soon after each poll (new mail is fetched as it arrives), and restart IDLE every few
      // minutes: some servers drop idling clients silently.
      autoIdleDelay: 1000,
      maxIdleTime: 5 * 60_000,
    });
    client.on('error', (error: Error) => this.log.warn({ err: error, mailboxId: mailbox.id }, 'imap: connection error'));
    return client;
  }

  /**
   * Fetches every message above the recorded UID (all of them after a UIDVALIDITY change) and hands
   * each to the pipeline. Returns how many were stored.
   */
  async ingest(client: ImapFlow, mailbox: MailboxRow): Promise<number> {
    const workspaceId = mailbox.workspace_id;
    const lock = await client.getMailboxLock(mailbox.folder);
    let stored = 0;
    try {
      const opened = client.mailbox;
      if (!opened) return 0;
      const validity = Number(opened.uidValidity);
      let lastUid = mailbox.last_uid;
      if (mailbox.uid_validity !== validity) {
        // The server renumbered the folder: start over. Message-IDs keep what was ingested from coming in twice.
        lastUid = 0;
        await this.repo.updateMailbox(workspaceId, mailbox.id, { uid_validity: validity, last_uid: 0 });
        mailbox.uid_validity = validity;
      }
      const address = mailbox.address_id ? await this.repo.address(workspaceId, mailbox.address_id) : undefined;
      const route = { workspace_id: workspaceId, id: address?.id ?? null, address: address?.address ?? mailbox.username.toLowerCase() };
      for (;;) {
        const listed: { uid: number; size: number }[] = [];
        for await (const message of client.fetch(`${lastUid + 1}:*`, { uid: true, size: true }, { uid: true })) {
          // "n:*" names the last message even when its UID is below n.
          if (message.uid > lastUid) listed.push({ uid: message.uid, size: message.size ?? 0 });
        }
        listed.sort((a, b) => a.uid - b.uid);
        const batch = listed.slice(0, BATCH);
        if (!batch.length) break;
        for (const { uid, size } of batch) {
          if (size > this.options.maxBytes) {
            this.log.warn({ mailboxId: mailbox.id, uid, size }, 'imap: message over the size limit left in the mailbox');
            await this.repo.updateMailbox(workspaceId, mailbox.id, { last_uid: uid, last_error: `UID ${uid}: ${size} bytes is over the ${this.options.maxBytes}-byte limit; left in the mailbox` });
          } else {
            const message = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
            if (message && message.source) {
              await this.inbound.accept(message.source, { from: null, recipients: [route], remoteIp: null, source: 'imap', mailboxId: mailbox.id });
              stored++;
            }
            await this.repo.updateMailbox(workspaceId, mailbox.id, { last_uid: uid });
            await this.markDone(client, mailbox, uid);
          }
          lastUid = uid;
          mailbox.last_uid = uid;
        }
        if (listed.length <= BATCH) break;
      }
      await this.repo.updateMailbox(workspaceId, mailbox.id, { last_polled_at: new Date(), last_error: null });
    } finally {
      lock.release();
    }
    return stored;
  }

  private async markDone(client: ImapFlow, mailbox: MailboxRow, uid: number): Promise<void> {
    if (mailbox.after_import === 'move' && mailbox.move_to) await client.messageMove(String(uid), mailbox.move_to, { uid: true });
    else await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
  }

  async recordError(mailbox: MailboxRow, error: unknown): Promise<void> {
    // imapflow's own message is a bare "Command failed"; the server's response code says why (AUTHENTICATIONFAILED …).
    const { serverResponseCode, responseText } = (error ?? {}) as { serverResponseCode?: string; responseText?: string };
    const message = serverResponseCode ? `${serverResponseCode}: ${responseText ?? ''}`.trim() : error instanceof Error ? error.message : String(error);
    this.log.warn({ mailboxId: mailbox.id, err: error }, 'imap: poll failed');
    await this.repo.updateMailbox(mailbox.workspace_id, mailbox.id, { last_error: message.slice(0, 500) }).catch(() => undefined);
  }

  get retrySeconds(): number {
    return this.options.pollSeconds;
  }
}

/** One mailbox's connection: polls when asked or when the server reports new mail during IDLE. */
class MailboxWatcher {
  private client: ImapFlow | undefined;
  private running: Promise<void> = Promise.resolve();
  private pending = false;
  private stopped = false;
  private readonly signature: string;

  constructor(private readonly mailbox: MailboxRow, private readonly poller: ImapPoller) {
    this.signature = configSignature(mailbox);
  }

  configChanged(current: MailboxRow): boolean {
    return configSignature(current) !== this.signature;
  }

  /** Coalesces: at most one poll runs and one waits. */
  poll(): void {
    if (this.pending || this.stopped) return;
    this.pending = true;
    this.running = this.running.then(async () => {
      this.pending = false;
      if (this.stopped) return;
      try {
        const client = await this.connected();
        await this.poller.ingest(client, this.mailbox);
      } catch (error) {
        await this.poller.recordError(this.mailbox, error);
        this.drop();
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    const client = this.client;
    this.client = undefined;
    await client?.logout().catch(() => client.close());
  }

  private async connected(): Promise<ImapFlow> {
    if (this.client?.usable) return this.client;
    const client = await this.poller.client(this.mailbox);
    await client.connect();
    // With the folder selected, imapflow idles between commands; EXISTS means new mail.
    await client.mailboxOpen(this.mailbox.folder);
    client.on('exists', () => this.poll());
    client.on('close', () => { if (this.client === client) this.client = undefined; });
    this.client = client;
    return client;
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    client?.close();
  }
}

function configSignature(m: MailboxRow): string {
  return JSON.stringify([m.host, m.port, m.tls, m.username, m.password_encrypted, m.folder, m.after_import, m.move_to, m.address_id]);
}
