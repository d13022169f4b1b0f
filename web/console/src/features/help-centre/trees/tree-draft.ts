/**
 * Editing a tree as a form-based outline: pure functions over the draft, so the editor component
 * stays small and these are tested without a browser.
 */
import type { NodeKind, TreeDraft, TreeNode, TreeProblem } from './trees-api.js';

export function emptyDraft(locale: TreeDraft['locale']): TreeDraft {
  return { slug: '', locale, product: '', title: '', description: '', nodes: [newNode('start', 'question')] };
}

export function newNode(id: string, kind: NodeKind): TreeNode {
  return { id, kind, title: '', body: '', answers: [], articleId: null };
}

/** The first free `<prefix><n>` among `taken`: ids stay short, readable and URL-safe. */
export function freeId(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n += 1) if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

export function updateNode(draft: TreeDraft, id: string, patch: Partial<TreeNode>): TreeDraft {
  return { ...draft, nodes: draft.nodes.map((n) => (n.id === id ? { ...n, ...patch } : n)) };
}

/** A new answer on `questionId` leading to a new empty node of `kind`, placed right after the question. */
export function addAnswer(draft: TreeDraft, questionId: string, kind: NodeKind): TreeDraft {
  const question = draft.nodes.find((n) => n.id === questionId);
  if (!question) return draft;
  const target = newNode(freeId('n', draft.nodes.map((n) => n.id)), kind);
  const answer = { id: freeId('a', question.answers.map((a) => a.id)), label: '', next: target.id };
  const at = draft.nodes.indexOf(question) + 1;
  const nodes = draft.nodes.map((n) => (n.id === questionId ? { ...n, answers: [...n.answers, answer] } : n));
  return { ...draft, nodes: [...nodes.slice(0, at), target, ...nodes.slice(at)] };
}

/** Removes a node and every answer that led to it (the server then names anything left unreachable). */
export function removeNode(draft: TreeDraft, id: string): TreeDraft {
  return {
    ...draft,
    nodes: draft.nodes.filter((n) => n.id !== id).map((n) => ({ ...n, answers: n.answers.filter((a) => a.next !== id) })),
  };
}

export function removeAnswer(draft: TreeDraft, questionId: string, answerId: string): TreeDraft {
  return { ...draft, nodes: draft.nodes.map((n) => (n.id === questionId ? { ...n, answers: n.answers.filter((a) => a.id !== answerId) } : n)) };
}

/** A leaf has no answers; turning a question into one drops them. */
export function changeKind(draft: TreeDraft, id: string, kind: NodeKind): TreeDraft {
  return updateNode(draft, id, kind === 'question' ? { kind } : { kind, answers: [], ...(kind === 'repair' ? { articleId: null } : {}) });
}

/** Depth of each node from the first question, for the outline's indentation (loops stop the walk). */
export function depths(nodes: readonly TreeNode[]): Map<string, number> {
  const targets = new Set(nodes.flatMap((n) => n.answers.map((a) => a.next)));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depth = new Map<string, number>();
  const queue = nodes.filter((n) => !targets.has(n.id)).map((n) => n.id);
  for (const id of queue) depth.set(id, 0);
  while (queue.length) {
    const id = queue.shift()!;
    for (const answer of byId.get(id)?.answers ?? []) {
      if (!depth.has(answer.next) && byId.has(answer.next)) {
        depth.set(answer.next, (depth.get(id) ?? 0) + 1);
        queue.push(answer.next);
      }
    }
  }
  return depth;
}

/** Problems grouped by the node they are about (by `nodeId`, else by the index in `nodes.<i>`); '' for the tree. */
export function problemsByNode(problems: readonly TreeProblem[], nodes: readonly TreeNode[]): Map<string, TreeProblem[]> {
  const grouped = new Map<string, TreeProblem[]>();
  for (const problem of problems) {
    const index = /^nodes\.(\d+)/.exec(problem.path)?.[1];
    const key = problem.nodeId ?? (index !== undefined ? nodes[Number(index)]?.id : undefined) ?? '';
    grouped.set(key, [...(grouped.get(key) ?? []), problem]);
  }
  return grouped;
}
