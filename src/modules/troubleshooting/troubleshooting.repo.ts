import type { Locale } from '../../core/i18n/index.js';
import type { Tenancy } from '../../core/tenancy.js';
import type { DB } from '../../core/db/database.js';
import type { TreeContent, TreeNode } from './troubleshooting.schema.js';

export interface TreeValues {
  slug: string;
  locale: Locale;
  product: string;
  title: string;
  description: string;
  nodes: TreeNode[];
}

/** What one portal page view adds to a node's counters. */
export interface NodeCount {
  nodeId: string;
  visits?: number;
  advances?: number;
  solutions?: number;
  repairs?: number;
}

/** Every query goes through `tenancy.forWorkspace`: a tree id from another workspace finds nothing. */
export class TroubleshootingRepo {
  constructor(private readonly tenancy: Tenancy<DB>) {}

  /** The workspace's scoped database; a transaction begun on it stays scoped. */
  in(workspaceId: string) {
    return this.tenancy.forWorkspace(workspaceId);
  }

  list(workspaceId: string, filter: { locale?: Locale; publishedOnly?: boolean }) {
    let query = this.in(workspaceId).selectFrom('troubleshooting_trees')
      .select(['id', 'slug', 'locale', 'product', 'title', 'description', 'version', 'published_at', 'created_at', 'updated_at', 'published'])
      .orderBy('locale').orderBy('title').orderBy('id');
    if (filter.locale) query = query.where('locale', '=', filter.locale);
    if (filter.publishedOnly) query = query.where('published', 'is not', null);
    return query.execute();
  }

  tree(workspaceId: string, id: string) {
    return this.in(workspaceId).selectFrom('troubleshooting_trees').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The published tree a portal URL names, in the wanted language first, else in any language. */
  publishedBySlug(workspaceId: string, slug: string, locale: Locale) {
    return this.in(workspaceId).selectFrom('troubleshooting_trees').selectAll()
      .where('slug', '=', slug).where('published', 'is not', null)
      .orderBy((eb) => eb.case().when('locale', '=', locale).then(0).else(1).end())
      .limit(1).executeTakeFirst();
  }

  slugTaken(workspaceId: string, locale: Locale, slug: string, exceptId?: string) {
    let query = this.in(workspaceId).selectFrom('troubleshooting_trees').select('id').where('locale', '=', locale).where('slug', '=', slug);
    if (exceptId) query = query.where('id', '!=', exceptId);
    return query.executeTakeFirst().then(Boolean);
  }

  insert(workspaceId: string, values: TreeValues) {
    return this.in(workspaceId).insertInto('troubleshooting_trees')
      .values({ ...values, nodes: JSON.stringify(values.nodes) })
      .returningAll().executeTakeFirstOrThrow();
  }

  /** Saves only over the version the editor loaded; undefined when someone saved in between (or it is gone). */
  update(workspaceId: string, id: string, version: number | undefined, values: TreeValues, now: Date) {
    let query = this.in(workspaceId).updateTable('troubleshooting_trees')
      .set((eb) => ({ ...values, nodes: JSON.stringify(values.nodes), version: eb('version', '+', 1), updated_at: now }))
      .where('id', '=', id);
    if (version !== undefined) query = query.where('version', '=', version);
    return query.returningAll().executeTakeFirst();
  }

  /** In `trx` when given (begun on `in(workspaceId)`), so an event can commit with the change; with `version`, only that version. */
  setPublished(workspaceId: string, id: string, published: TreeContent | null, now: Date, trx = this.in(workspaceId), version?: number) {
    let query = trx.updateTable('troubleshooting_trees')
      .set({ published: published ? JSON.stringify(published) : null, published_at: published ? now : null, updated_at: now })
      .where('id', '=', id);
    if (version !== undefined) query = query.where('version', '=', version);
    return query.returningAll().executeTakeFirst();
  }

  remove(workspaceId: string, id: string) {
    return this.in(workspaceId).deleteFrom('troubleshooting_trees').where('id', '=', id).returning('id').executeTakeFirst();
  }

  stats(workspaceId: string, treeId: string) {
    return this.in(workspaceId).selectFrom('troubleshooting_node_stats')
      .select(['node_id', 'visits', 'advances', 'solutions', 'repairs']).where('tree_id', '=', treeId).execute();
  }

  /** One statement per page view, whatever the number of nodes it touches; concurrent views add up. */
  async count(workspaceId: string, treeId: string, counts: NodeCount[]) {
    if (!counts.length) return;
    await this.in(workspaceId).insertInto('troubleshooting_node_stats')
      .values(counts.map((c) => ({
        tree_id: treeId, node_id: c.nodeId, visits: c.visits ?? 0, advances: c.advances ?? 0, solutions: c.solutions ?? 0, repairs: c.repairs ?? 0,
      })))
      .onConflict((oc) => oc.columns(['tree_id', 'node_id']).doUpdateSet((eb) => ({
        visits: eb('troubleshooting_node_stats.visits', '+', eb.ref('excluded.visits')),
        advances: eb('troubleshooting_node_stats.advances', '+', eb.ref('excluded.advances')),
        solutions: eb('troubleshooting_node_stats.solutions', '+', eb.ref('excluded.solutions')),
        repairs: eb('troubleshooting_node_stats.repairs', '+', eb.ref('excluded.repairs')),
      })))
      .execute();
  }
}
