/**
 * A value per workspace kept briefly by one node: settings that every ticket, message or search
 * reads and admins change rarely (issue 15: each was one or more statements of every new ticket).
 *
 * The owner forgets a workspace's value when it changes it, and publishes an event (`*.changed`)
 * on which the other nodes forget theirs (before their subscribers handle a later event:
 * core/events/README.md); `ttlMs` bounds how long a node that missed the event keeps the old value.
 * Concurrent readers share one load; a failed load is not kept, so the next reader tries again.
 */
export class WorkspaceCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; until: number }>();

  constructor(private readonly ttlMs: number, private readonly load: (workspaceId: string) => Promise<V>) {}

  get(workspaceId: string): Promise<V> {
    const now = Date.now();
    const cached = this.entries.get(workspaceId);
    if (cached && cached.until > now) return cached.value;
    const value = this.load(workspaceId);
    this.entries.set(workspaceId, { value, until: now + this.ttlMs });
    value.catch(() => {
      if (this.entries.get(workspaceId)?.value === value) this.entries.delete(workspaceId);
    });
    return value;
  }

  /** Drops this node's copy of the workspace's value (it changed). */
  forget(workspaceId: string): void {
    this.entries.delete(workspaceId);
  }
}
