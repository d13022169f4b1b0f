import { z } from 'zod';
import { NODE_KINDS } from './enums.js';
import { LocaleView, type Wire } from './http.js';

/**
 * Troubleshooting trees on the wire (`/api/v1/troubleshooting/trees…`): the tree an editor sends
 * (checked field by field here; the graph — loops, dangling answers, depth — by the module), the
 * shapes the routes answer with, and the problems a refused save lists in its error's `details`.
 * The console reads them as `Wire<…>`: times travel as ISO strings.
 */

export { NODE_KINDS };
export type NodeKind = (typeof NODE_KINDS)[number];

// ---- requests ----

export const LIMITS = {
  nodes: 200,
  answersPerNode: 12,
  title: 200,
  body: 4000,
  label: 120,
  product: 120,
  description: 1000,
  /** A walk longer than this is a path nobody takes; also bounds the `?path=` a URL may carry. */
  depth: 50,
} as const;

/** Node and answer ids appear in URLs (`?path=a2.a1`): short, lowercase, no dots. */
export const KEY_RULE = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const Key = z.string().regex(KEY_RULE, 'lowercase letters, digits, "-" or "_", at most 32');
/** Text shown to customers: no control characters besides line breaks and tabs. */
const isControl = (char: string) => {
  const code = char.codePointAt(0) ?? 0;
  return (code < 32 && char !== '\n' && char !== '\r' && char !== '\t') || code === 127;
};
const Text = (max: number, min = 0) => z.string().trim().min(min).max(max)
  .refine((text) => ![...text].some(isControl), { message: 'no control characters', params: { code: 'CONTROL_CHARACTERS' } });

export const TreeAnswerInput = z.strictObject({ id: Key, label: Text(LIMITS.label, 1), next: Key });
export const TreeNodeInput = z.strictObject({
  id: Key,
  kind: z.enum(NODE_KINDS),
  title: Text(LIMITS.title, 1),
  body: Text(LIMITS.body).default(''),
  answers: z.array(TreeAnswerInput).max(LIMITS.answersPerNode).default([]),
  articleId: z.string().uuid().nullable().default(null),
});

export const TreeInput = z.strictObject({
  slug: z.string().trim().toLowerCase().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lowercase words joined by "-"').max(80),
  locale: LocaleView,
  product: Text(LIMITS.product, 1),
  title: Text(LIMITS.title, 1),
  description: Text(LIMITS.description).default(''),
  nodes: z.array(TreeNodeInput).min(1).max(LIMITS.nodes),
});
export type TreeInput = z.infer<typeof TreeInput>;
/** Publishing names the version the editor saw saved, so edits saved since by someone else are not published unseen. */
export const PublishTreeBody = z.strictObject({
  version: z.number().int().min(1).optional().describe('The saved version you are publishing: another one answers 409 TREE_CHANGED'),
}).nullish();
export type PublishTreeBodyInput = z.input<typeof PublishTreeBody>;

/** One thing wrong with a tree's shape, pointing at the field an editor must change. */
export interface TreeProblem {
  path: string;
  code: string;
  message: string;
  nodeId?: string;
  /** For TREE_CYCLE: the node ids around the loop, the first repeated at the end. */
  cycle?: string[];
}

export type TreeInputBody = z.input<typeof TreeInput>;

// ---- responses ----

export const TreeAnswerView = z.object({ id: z.string(), label: z.string(), next: z.string() });
/**
 * A step of a tree. A question has answers; a solution (an article and/or text) and a repair
 * request ("we need to look at it") end a walk and have none. `body` is Markdown, rendered sanitised.
 */
export const TreeNodeView = z.object({
  id: z.string(), kind: z.enum(NODE_KINDS), title: z.string(), body: z.string(), answers: z.array(TreeAnswerView), articleId: z.string().nullable(),
});
/** One answer of a question: its label, and the node it leads to. Ids are unique within their question. */
export type TreeAnswer = z.infer<typeof TreeAnswerView>;
export type TreeNode = z.infer<typeof TreeNodeView>;

export const TreeSummaryView = z.object({
  id: z.string(), slug: z.string(), locale: LocaleView, product: z.string(), title: z.string(), description: z.string(),
  version: z.number(), published: z.boolean().describe('Customers can walk it on the portal'),
  hasUnpublishedChanges: z.boolean(), publishedAt: z.date().nullable(), createdAt: z.date(), updatedAt: z.date(),
  url: z.string().describe('Its portal address'),
});
export const TreeView = TreeSummaryView.extend({ nodes: z.array(TreeNodeView) });
export const TreeListView = z.object({ trees: z.array(TreeSummaryView) });
export const StatsView = z.object({
  nodes: z.array(z.object({
    nodeId: z.string(), visits: z.number(), advances: z.number().describe('Visits that went on to the next step'),
    solutions: z.number().describe('Visits of a solution'), repairs: z.number().describe('Repair requests opened here'),
    dropOffs: z.number().describe('Visits that went no further'),
  })),
});

export type TreeSummaryWire = Wire<z.infer<typeof TreeSummaryView>>;
export type TreeWire = Wire<z.infer<typeof TreeView>>;
export type TreeListWire = Wire<z.infer<typeof TreeListView>>;
export type NodeStatsWire = Wire<z.infer<typeof StatsView>>['nodes'][number];
