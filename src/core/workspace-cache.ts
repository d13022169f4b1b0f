import { insideOneTransaction, outsideOneTransaction } from './db/database.js';

/**
 * A value per workspace kept briefly by one node: settings that every ticket, message or search
 * reads and admins change rarely (issue 15: each was one or more statements of every new ticket).
 *
 * The owner forgets a workspace's value when it changes it, and publishes an event (`*.changed`)
 * on which the other nodes forget theirs (before their subscribers handle a later event:
 * core/events/README.md); `ttlMs` bounds how long a node that missed the event keeps the old value.
 * A failed load is not kept, so the next reader tries again.
 *
 * A value is loaded outside any one-transaction scope (core/db/database.ts), so it is committed
 * data, never a scope's writes that may yet be undone. Readers outside a scope share a load in
 * flight. A reader inside one (an event handler's batch) never waits for a load it did not start:
 * that load needs a connection of its own, and a scope already holds one and may hold row locks, so
 * batches waiting on one another's loads could wait for ever, unseen by Postgres' deadlock check.
 * Such a reader reads for itself, in its own transaction, and starts a load for the others.
 */
export class WorkspaceCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; until: number; settled: boolean }>();

  constructor(private readonly ttlMs: number, private readonly load: (workspaceId: string) => Promise<V>) {}

  get(workspaceId: string): Promise<V> {
    const cached = this.entries.get(workspaceId);
    const fresh = cached && cached.until > Date.now() ? cached : undefined;
    if (fresh?.settled) return fresh.value;
    if (insideOneTransaction()) {
      if (!fresh) void this.fill(workspaceId).catch(() => undefined);
      return this.load(workspaceId);
    }
    return fresh ? fresh.value : this.fill(workspaceId);
  }

  /** Drops this node's copy of the workspace's value (it changed). */
  forget(workspaceId: string): void {
    this.entries.delete(workspaceId);
  }

  private fill(workspaceId: string): Promise<V> {
    const value = outsideOneTransaction(() => this.load(workspaceId));
    const entry = { value, until: Date.now() + this.ttlMs, settled: false };
    this.entries.set(workspaceId, entry);
    value.then(() => { entry.settled = true; }, () => {
      if (this.entries.get(workspaceId) === entry) this.entries.delete(workspaceId);
    });
    return value;
  }
}
