import { z } from 'zod';
import { locales } from '../../core/i18n/index.js';
import { NODE_KINDS, type TreeNode } from './troubleshooting.schema.js';
import { treeErrors } from './troubleshooting.errors.js';

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
const Text = (max: number, min = 0) => z.string().trim().min(min).max(max).refine((text) => ![...text].some(isControl), 'no control characters');

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
  locale: z.enum(locales),
  product: Text(LIMITS.product, 1),
  title: Text(LIMITS.title, 1),
  description: Text(LIMITS.description).default(''),
  nodes: z.array(TreeNodeInput).min(1).max(LIMITS.nodes),
});
export type TreeInput = z.infer<typeof TreeInput>;

/** One thing wrong with a tree's shape, pointing at the field an editor must change. */
export interface TreeProblem {
  path: string;
  code: string;
  message: string;
  nodeId?: string;
  /** For TREE_CYCLE: the node ids around the loop, the first repeated at the end. */
  cycle?: string[];
}

/**
 * Everything wrong with a tree's graph, at once (an editor fixes them in one go): duplicate ids,
 * answers leading nowhere, loops, a second root (the first node is the only start), nodes nobody
 * can reach, questions without answers, leaves with answers, solutions that say nothing.
 */
export function treeProblems(nodes: readonly TreeNode[]): TreeProblem[] {
  const problems: TreeProblem[] = [];
  const byId = new Map<string, TreeNode>();
  nodes.forEach((node, i) => {
    if (byId.has(node.id)) problems.push({ path: `nodes.${i}.id`, code: 'TREE_DUPLICATE_NODE', nodeId: node.id, message: `Two nodes share the id "${node.id}"` });
    else byId.set(node.id, node);
  });

  const incoming = new Map<string, number>();
  nodes.forEach((node, i) => {
    const answerIds = new Set<string>();
    if (node.kind === 'question' && node.answers.length === 0) {
      problems.push({ path: `nodes.${i}.answers`, code: 'TREE_QUESTION_WITHOUT_ANSWERS', nodeId: node.id, message: `Question "${node.id}" needs at least one answer` });
    }
    if (node.kind !== 'question' && node.answers.length > 0) {
      problems.push({ path: `nodes.${i}.answers`, code: 'TREE_LEAF_WITH_ANSWERS', nodeId: node.id, message: `"${node.id}" ends the walk (${node.kind}), so it cannot have answers` });
    }
    if (node.kind !== 'solution' && node.articleId) {
      problems.push({ path: `nodes.${i}.articleId`, code: 'TREE_ARTICLE_NOT_ON_SOLUTION', nodeId: node.id, message: `Only a solution links an article; "${node.id}" is a ${node.kind}` });
    }
    if (node.kind === 'solution' && !node.articleId && !node.body) {
      problems.push({ path: `nodes.${i}.body`, code: 'TREE_SOLUTION_EMPTY', nodeId: node.id, message: `Solution "${node.id}" needs an article or a text` });
    }
    node.answers.forEach((answer, j) => {
      if (answerIds.has(answer.id)) problems.push({ path: `nodes.${i}.answers.${j}.id`, code: 'TREE_DUPLICATE_ANSWER', nodeId: node.id, message: `Two answers of "${node.id}" share the id "${answer.id}"` });
      answerIds.add(answer.id);
      if (!byId.has(answer.next)) {
        problems.push({ path: `nodes.${i}.answers.${j}.next`, code: 'TREE_ANSWER_TARGET_MISSING', nodeId: node.id, message: `Answer "${answer.label}" of "${node.id}" leads to "${answer.next}", which does not exist` });
      } else if (answer.next === node.id) {
        problems.push({ path: `nodes.${i}.answers.${j}.next`, code: 'TREE_CYCLE', nodeId: node.id, cycle: [node.id, node.id], message: `Answer "${answer.label}" of "${node.id}" leads back to "${node.id}" itself` });
      }
      incoming.set(answer.next, (incoming.get(answer.next) ?? 0) + 1);
    });
  });

  for (const cycle of findCycles(byId)) {
    if (cycle.length === 2) continue; // a self-loop, already named at its answer
    problems.push({ path: `nodes.${nodes.findIndex((n) => n.id === cycle[0])}`, code: 'TREE_CYCLE', nodeId: cycle[0], cycle, message: `Answers form a loop: ${cycle.join(' → ')}` });
  }
  // The first node is the one root. Another node nothing leads to would be a second start; a node
  // that answers lead to but the walk never reaches sits in a detached part (a loop of its own).
  const root = nodes[0]!.id;
  const reached = reachableFrom(root, byId);
  nodes.forEach((node, i) => {
    if (i === 0 || reached.has(node.id) || byId.get(node.id) !== node) return;
    problems.push(incoming.has(node.id)
      ? { path: `nodes.${i}`, code: 'TREE_NODE_UNREACHABLE', nodeId: node.id, message: `No answer leads to "${node.id}" from the first question "${root}"` }
      : { path: `nodes.${i}`, code: 'TREE_SEVERAL_ROOTS', nodeId: node.id, message: `A tree starts only at its first node "${root}"; no answer leads to "${node.id}"` });
  });
  if (!problems.some((p) => p.code === 'TREE_CYCLE') && longestWalk(root, byId) > LIMITS.depth) {
    problems.push({ path: 'nodes', code: 'TREE_TOO_DEEP', message: `A walk through the tree may take at most ${LIMITS.depth} answers` });
  }
  return problems;
}

/** Each loop once, found by depth-first search (a back edge closes a loop). */
function findCycles(byId: ReadonlyMap<string, TreeNode>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (id: string) => {
    state.set(id, 'open');
    stack.push(id);
    for (const answer of byId.get(id)?.answers ?? []) {
      if (!byId.has(answer.next)) continue;
      const seen = state.get(answer.next);
      if (seen === 'open') cycles.push([...stack.slice(stack.indexOf(answer.next)), answer.next]);
      else if (!seen) visit(answer.next);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of byId.keys()) if (!state.has(id)) visit(id);
  return cycles;
}

function reachableFrom(root: string, byId: ReadonlyMap<string, TreeNode>): Set<string> {
  const reached = new Set<string>([root]);
  const queue = [root];
  while (queue.length) {
    for (const answer of byId.get(queue.shift()!)?.answers ?? []) {
      if (byId.has(answer.next) && !reached.has(answer.next)) { reached.add(answer.next); queue.push(answer.next); }
    }
  }
  return reached;
}

/** The most answers a customer can give from `id` on; only for trees without loops. */
function longestWalk(id: string, byId: ReadonlyMap<string, TreeNode>, memo = new Map<string, number>()): number {
  const known = memo.get(id);
  if (known !== undefined) return known;
  const steps = Math.max(0, ...(byId.get(id)?.answers ?? []).filter((a) => byId.has(a.next)).map((a) => 1 + longestWalk(a.next, byId, memo)));
  memo.set(id, steps);
  return steps;
}

/** Where every walk starts: the first node (a saved tree has at least one, and nothing leads back to it). */
export function rootOf(nodes: readonly TreeNode[]): TreeNode {
  const root = nodes[0];
  if (!root) throw treeErrors.treeEmpty('The tree has no nodes');
  return root;
}

export function assertValidTree(nodes: readonly TreeNode[]): void {
  const problems = treeProblems(nodes);
  if (problems.length) {
    const cycle = problems.find((p) => p.code === 'TREE_CYCLE');
    throw treeErrors.treeInvalid(cycle ? cycle.message : `The tree cannot be saved: ${problems[0]!.message}`, problems);
  }
}
