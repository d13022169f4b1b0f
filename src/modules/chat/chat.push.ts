import type { Logger } from '../../core/logger.js';
import type { ServerToAgent, ServerToVisitor, Wallboard } from '../../contracts/chat.js';

/**
 * Where the chat's pushes go: the socket layer implements it (rooms per conversation, per agent,
 * per workspace; with Redis they span every node). Tests without sockets leave the silent default.
 */
export interface ChatNotifier {
  toVisitor<E extends keyof ServerToVisitor>(workspaceId: string, conversationId: string, event: E, ...args: Parameters<ServerToVisitor[E]>): void;
  toAgent<E extends keyof ServerToAgent>(workspaceId: string, agentId: string, event: E, ...args: Parameters<ServerToAgent[E]>): void;
  toAgents<E extends keyof ServerToAgent>(workspaceId: string, event: E, ...args: Parameters<ServerToAgent[E]>): void;
  /** Whether an agent of the workspace may be listening (false only when that is known): a board nobody sees is not computed. */
  agentsListening(workspaceId: string): boolean;
}
const silent: ChatNotifier = { toVisitor: () => {}, toAgent: () => {}, toAgents: () => {}, agentsListening: () => false };

/**
 * The chat's outgoing pushes: to the notifier the socket layer registers (silent until then), and
 * the wallboard, pushed to every agent of the workspace a moment after it changed (coalesced: a
 * burst of changes sends one board).
 */
export class ChatPush implements ChatNotifier {
  private notifier: ChatNotifier = silent;
  private readonly wallboardTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly board: (workspaceId: string) => Promise<Wallboard>,
    private readonly log: Logger,
  ) {}

  /** The socket layer registers itself once it is attached. */
  useNotifier(notifier: ChatNotifier): void {
    this.notifier = notifier;
  }

  toVisitor: ChatNotifier['toVisitor'] = (workspaceId, conversationId, event, ...args) => this.notifier.toVisitor(workspaceId, conversationId, event, ...args);
  toAgent: ChatNotifier['toAgent'] = (workspaceId, agentId, event, ...args) => this.notifier.toAgent(workspaceId, agentId, event, ...args);
  toAgents: ChatNotifier['toAgents'] = (workspaceId, event, ...args) => this.notifier.toAgents(workspaceId, event, ...args);
  agentsListening: ChatNotifier['agentsListening'] = (workspaceId) => this.notifier.agentsListening(workspaceId);

  /**
   * The workspace's queue or agents changed: its wallboard is pushed shortly, if an agent may see
   * it (its four queries ran on every dispatch of an idle server, a connection burst each minute).
   */
  wallboardChanged(workspaceId: string): void {
    if (!this.notifier.agentsListening(workspaceId) || this.wallboardTimers.has(workspaceId)) return;
    const timer = setTimeout(() => {
      this.wallboardTimers.delete(workspaceId);
      this.board(workspaceId).then((board) => this.notifier.toAgents(workspaceId, 'wallboard', board),
        (error: unknown) => this.log.warn({ err: error, workspaceId }, 'chat: wallboard failed'));
    }, 250);
    timer.unref();
    this.wallboardTimers.set(workspaceId, timer);
  }

  /** Stops pending wallboard pushes (on close). */
  close(): void {
    for (const timer of this.wallboardTimers.values()) clearTimeout(timer);
    this.wallboardTimers.clear();
  }
}
