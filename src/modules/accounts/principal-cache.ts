/** Whose entry it is, so a change to that agent, customer or workspace can drop it. */
export interface PrincipalTags {
  workspaceId: string;
  principal: 'agent' | 'customer';
  principalId: string;
  tokenId?: string;
}

interface Entry<T> { value: T; tags: PrincipalTags; until: number }

/**
 * Principals resolved from a secret (API token or session cookie, keyed by its hash), kept briefly
 * on this node so an authenticated request spends no database round trip on who is calling
 * (issue 15 #6). An entry never outlives its token or session, nor `ttlMs`.
 *
 * Staleness: every change that could make an entry wrong (revocation, sign-out, role change,
 * disable, password reset, workspace settings) drops the entries on the node that made it before
 * the change's call returns, and is published as `access.changed`, which every node hears from
 * the bus' log and applies to its own cache (AccountsService.forget). A node that missed that
 * event (the per-node tail is best effort) still drops the entry within `ttlMs`.
 */
export class PrincipalCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly ttlMs: number, private readonly maxEntries = 10_000) {}

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: T, tags: PrincipalTags, expiresAt: Date | null): void {
    if (this.ttlMs <= 0) return;
    // Map keeps insertion order: the first key is the oldest entry, dropped to bound memory.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const until = Math.min(Date.now() + this.ttlMs, expiresAt?.getTime() ?? Infinity);
    this.entries.set(key, { value, tags, until });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry `matches` picks; changes are rare, so a scan is cheaper than indexes kept on every request. */
  forget(matches: (tags: PrincipalTags) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry.tags)) this.entries.delete(key);
  }
}
