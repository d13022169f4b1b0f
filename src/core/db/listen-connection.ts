import pg from 'pg';

interface ListenLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ChannelHandlers {
  onNotify(payload: string): void;
  /**
   * After each (re)connect, once the channel is listened to: the moment to take session locks
   * again, and to look for what was announced while nobody listened.
   */
  onConnected?(client: pg.Client, reconnected: boolean): Promise<void> | void;
  /** The connection dropped: session locks held on it are gone. */
  onLost?(): void;
}

/**
 * The one connection a process LISTENs on, for every channel it needs (the event bus's commits,
 * the job queue's sends), which also holds the bus's session locks. Each Postgres connection is a
 * server process of 12–25 MB, so an idle single-box server keeps one for this, not one per user.
 * It reconnects with back-off (0.5 s doubling to 30 s) and listens again on every channel.
 */
export class ListenConnection {
  private readonly channels = new Map<string, ChannelHandlers>();
  private current: pg.Client | undefined;
  private opening: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private everConnected = false;
  private closed = false;

  constructor(
    private readonly connectionString: string,
    private readonly log: ListenLogger,
    private readonly applicationName = 'kefu-listen',
  ) {}

  /** The live connection, for statements that must run on it (session locks); undefined while reconnecting. */
  get client(): pg.Client | undefined {
    return this.current;
  }

  /**
   * Listens on `channel` from now on. Never throws for the connection: when it cannot be made, it
   * keeps trying in the background and the caller relies on its own polling meanwhile.
   */
  async listen(channel: string, handlers: ChannelHandlers): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`Not a plain channel name: ${channel}`);
    // A connection being opened listens on the channels known when it connects: this one joins after.
    await this.connecting;
    if (this.channels.has(channel)) throw new Error(`Already listening on ${channel}`);
    this.channels.set(channel, handlers);
    if (this.closed) return;
    const client = this.current;
    if (!client) return this.connect();
    try {
      await client.query(`LISTEN ${channel}`);
      await handlers.onConnected?.(client, false);
    } catch (err) {
      this.lost(client, err);
    }
  }

  /** Stops listening on `channel`; the connection stays for the others. */
  async unlisten(channel: string): Promise<void> {
    if (!this.channels.delete(channel)) return;
    await this.current?.query(`UNLISTEN ${channel}`).catch(() => undefined);
  }

  /** Ends the connection: every session lock held on it is let go. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.connecting?.catch(() => undefined);
    const client = this.current;
    this.current = undefined;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connecting ??= this.open().finally(() => { this.connecting = undefined; });
    return this.connecting;
  }

  private async open(): Promise<void> {
    if (this.closed || this.current) return;
    const client = new pg.Client({ connectionString: this.connectionString, application_name: this.applicationName, connectionTimeoutMillis: 10_000 });
    client.on('notification', (msg) => {
      if (msg.payload !== undefined) this.channels.get(msg.channel)?.onNotify(msg.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, undefined));
    this.opening = client;
    try {
      await client.connect();
      for (const channel of this.channels.keys()) await client.query(`LISTEN ${channel}`);
    } catch (err) {
      this.lost(client, err);
      return;
    }
    this.opening = undefined;
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.current = client;
    // A first connection that came only after failures counts too: announcements meanwhile are gone.
    const reconnected = this.everConnected || this.failures > 0;
    if (this.failures > 0) this.log.info({ after: this.failures }, 'listening connection restored');
    this.everConnected = true;
    this.failures = 0;
    for (const handlers of this.channels.values()) {
      try {
        await handlers.onConnected?.(client, reconnected);
      } catch (err) {
        this.lost(client, err);
        return;
      }
    }
  }

  private lost(client: pg.Client, err: unknown): void {
    // 'error' and 'end' both fire for one loss; a replaced client's late events are ignored.
    if (client !== this.current && client !== this.opening) return;
    this.current = undefined;
    this.opening = undefined;
    client.end().catch(() => undefined);
    if (this.closed) return;
    for (const handlers of this.channels.values()) handlers.onLost?.();
    this.failures += 1;
    const delay = Math.min(500 * 2 ** (this.failures - 1), 30_000);
    this.log.warn({ err, retryInMs: delay }, 'listening connection lost; polling until it is back');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }
}
