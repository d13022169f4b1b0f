import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Locale } from '../../core/i18n/index.js';

type WorkspaceId = ColumnType<string, string | undefined, never>;

export const NODE_KINDS = ['question', 'solution', 'repair'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

/** One answer of a question: its label, and the node it leads to. Ids are unique within their question. */
export interface TreeAnswer {
  id: string;
  label: string;
  next: string;
}

/**
 * A step of a tree. A question has answers; a solution (an article and/or text) and a repair
 * request ("we need to look at it") end a walk and have none. `body` is Markdown, rendered sanitised.
 */
export interface TreeNode {
  id: string;
  kind: NodeKind;
  title: string;
  body: string;
  answers: TreeAnswer[];
  articleId: string | null;
}

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
