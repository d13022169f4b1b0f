import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Locale } from '../../core/i18n/index.js';
import type { TreeNode } from '../../contracts/troubleshooting.js';

type WorkspaceId = ColumnType<string, string | undefined, never>;

/** Nodes are stored as the wire carries them (src/contracts/troubleshooting.ts). */
export { NODE_KINDS, type NodeKind, type TreeAnswer, type TreeNode } from '../../contracts/troubleshooting.js';

/** What the portal walks: the editable fields of a tree as they were when it was last published. */
export interface TreeContent {
  product: string;
  title: string;
  description: string;
  nodes: TreeNode[];
}

export interface TroubleshootingTreesTable {
  id: Generated<string>;
  workspace_id: WorkspaceId;
  slug: string;
  locale: Locale;
  product: string;
  title: string;
  description: string;
  nodes: ColumnType<TreeNode[], string, string>;
  /** Bumped on every save: a stale editor gets TREE_CHANGED instead of overwriting someone else's work. */
  version: ColumnType<number, number | undefined, number>;
  published: ColumnType<TreeContent | null, string | null | undefined, string | null>;
  published_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** Aggregated counters per node: one row per (tree, node), incremented, never a row per page view. */
export interface TroubleshootingNodeStatsTable {
  workspace_id: WorkspaceId;
  tree_id: string;
  node_id: string;
  visits: ColumnType<number, number | undefined, number>;
  advances: ColumnType<number, number | undefined, number>;
  solutions: ColumnType<number, number | undefined, number>;
  repairs: ColumnType<number, number | undefined, number>;
}

export interface TroubleshootingTables {
  troubleshooting_trees: TroubleshootingTreesTable;
  troubleshooting_node_stats: TroubleshootingNodeStatsTable;
}

export type TreeRow = Selectable<TroubleshootingTreesTable>;
export type NodeStatsRow = Selectable<TroubleshootingNodeStatsTable>;

declare module '../../core/db/database.js' {
  // The platform's database handle knows this module's tables (docs/modules.md, "Its tables").
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DatabaseTables extends TroubleshootingTables {}
}
