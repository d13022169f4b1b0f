import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { ChatConversations } from './chat.conversations.js';
import type { ChatQueue } from './chat.queue.js';
import type { ChatRepo } from './chat.repo.js';
import type { ChatTicketCopy } from './chat.ticket-copy.js';

/**
 * The chat's deadlines, acted on by `sweep()`: recurring work every second on every web node (the
 * module's manifest), and called by tests after moving a TestClock. Offers not answered in time, ACW
 * that ran out and overflow (the queue), visitors gone from a waiting chat (the conversations),
 * ticket copies a failure left out; then the queue is dispatched again if it changed. Each deadline
 * is claimed in SQL, so nodes sweeping at once never act on one twice.
 */
export class ChatDeadlines {
  constructor(
    private readonly repo: ChatRepo,
    private readonly queue: ChatQueue,
    private readonly conversations: ChatConversations,
    private readonly ticketCopy: ChatTicketCopy,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Acts on what is due in every workspace with live work, or only in `workspaceId`. */
  async sweep(workspaceId?: string): Promise<void> {
    const workspaces = workspaceId ? [workspaceId] : await this.repo.workspacesWithLiveWork();
    for (const ws of workspaces) {
      try {
        await this.sweepWorkspace(ws);
      } catch (error) {
        // One workspace's failure never stops the others' timers.
        this.log.error({ err: error, workspaceId: ws }, 'chat: sweep failed');
      }
    }
  }

  private async sweepWorkspace(workspaceId: string): Promise<void> {
    const now = this.clock.now();
    const changed = await this.queue.actOnDeadlines(workspaceId, now);
    await this.conversations.endGone(workspaceId, now);
    await this.ticketCopy.writeMissing(workspaceId, now);
    if (changed) await this.queue.dispatch(workspaceId);
  }
}
