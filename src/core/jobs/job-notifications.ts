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
