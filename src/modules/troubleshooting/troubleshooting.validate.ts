import { LIMITS, type TreeProblem } from '../../contracts/troubleshooting.js';
import type { TreeNode } from './troubleshooting.schema.js';
import { treeErrors } from './troubleshooting.errors.js';

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
