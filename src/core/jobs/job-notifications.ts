import pg from 'pg';
import type PgBoss from 'pg-boss';
import type { JobLogger } from './job-queue.js';

/** `send` announces `NOTIFY kefu_jobs, '<queue name>'`; every instance LISTENs and wakes its workers for that queue. */
export const NOTIFY_CHANNEL = 'kefu_jobs';

/**
 * Sends the NOTIFYs for jobs just stored. The job is durable once its INSERT returns, so send()
 * does not wait for this hint; names announced in the same tick go out in one statement.
 */
export class Notifier {
  private names = new Set<string>();
  private flushing: Promise<void> | undefined;

  constructor(private readonly db: PgBoss.Db, private readonly log: JobLogger) {}

  announce(name: string): void {
    this.names.add(name);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  /** Waits for announcements still on their way (before the pool closes). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.names.size > 0) {
      const names = [...this.names];
      this.names = new Set();
      try {
        await this.db.executeSql('SELECT pg_notify($1, n) FROM unnest($2::text[]) AS n', [NOTIFY_CHANNEL, names]);
      } catch (err) {
        // The jobs are stored; workers find them on their next poll.
        this.log.warn({ err, queues: names }, 'job queue: NOTIFY failed');
      }
    }
    this.flushing = undefined;
  }
}

/**
 * One connection that LISTENs for NOTIFY kefu_jobs. It reconnects with back-off; after a
 * reconnect every worker fetches once, since notifications sent meanwhile are gone.
 */
export class Listener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    private readonly connectionString: string,
    private readonly log: JobLogger,
    private readonly onNotify: (name: string) => void,
    private readonly onReconnect: () => void,
  ) {}

  /** Never throws: without the LISTEN connection workers still poll, and it keeps trying. */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: 'kefu-jobs-listen',
      connectionTimeoutMillis: 10_000,
    });
    this.client = client;
    client.on('notification', (msg) => {
      if (msg.channel === NOTIFY_CHANNEL && msg.payload) this.onNotify(msg.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, undefined));
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    } catch (err) {
      this.lost(client, err);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    if (this.failures > 0) {
      this.log.info({ after: this.failures }, 'job queue: LISTEN connection restored');
      this.onReconnect();
    }
    this.failures = 0;
  }

  private lost(client: pg.Client, err: unknown): void {
    // 'error' and 'end' both fire for one loss; a replaced client's late events are ignored.
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.failures += 1;
    const delay = Math.min(500 * 2 ** (this.failures - 1), 30_000);
    this.log.warn({ err, retryInMs: delay }, 'job queue: LISTEN connection lost; polling until it is back');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }
}
