/**
 * Editing a tree as a form-based outline: pure functions over the draft, so the editor component
 * stays small and these are tested without a browser.
 */
import type { NodeKind, Tree, TreeDraft, TreeNode, TreeProblem } from './trees-api.js';

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

/** A problem placed where the editor shows it: the node it is about ('' for the tree) and the field in it ('' for the whole). */
export type PlacedProblem = TreeProblem & { node: string; field: string };

/**
 * Where each problem belongs: by `nodeId`, else by the index in `nodes.<i>`, and the field after it
 * (`title`, `answers.0.label` …). The request checks name the body (`body.nodes.1.title`), the
 * tree's own checks the tree (`nodes.1.title`): both land on node `nodes[1]`, field `title`.
 */
export function placeProblems(problems: readonly TreeProblem[], nodes: readonly TreeNode[]): PlacedProblem[] {
  return problems.map((problem) => {
    const path = problem.path.replace(/^body\./, '');
    const inNode = /^nodes\.(\d+)(?:\.(.+))?$/.exec(path);
    if (inNode) return { ...problem, node: problem.nodeId ?? nodes[Number(inNode[1])]?.id ?? '', field: inNode[2] ?? '' };
    return { ...problem, node: problem.nodeId ?? '', field: path === 'nodes' || path === 'body' ? '' : path };
  });
}

/** The tree as saved, in the editor's shape. */
export function draftOf(tree: Tree): TreeDraft {
  return { slug: tree.slug, locale: tree.locale, product: tree.product, title: tree.title, description: tree.description, nodes: tree.nodes };
}

/** What a save would change, field by field (not by key order: the server answers in its own). */
const comparable = (d: TreeDraft) => JSON.stringify([
  d.slug, d.locale, d.product, d.title, d.description,
  d.nodes.map((n) => [n.id, n.kind, n.title, n.body, n.articleId ?? null, n.answers.map((a) => [a.id, a.label, a.next])]),
]);

/** True while the draft differs from the saved tree (or there is none yet): publishing would not publish what is on screen. */
export function hasUnsavedChanges(draft: TreeDraft, saved: Tree | null): boolean {
  return saved === null || comparable(draft) !== comparable(draftOf(saved));
}

/** The keys under `trees.messages` a field check's code is said with (VALIDATION_FAILED's details). */
export type FieldMessageKey = 'required' | 'tooLong' | 'tooShort' | 'tooMany' | 'tooFew' | 'tooBig' | 'tooSmall' | 'slugFormat' | 'keyFormat'
  | 'articleFormat' | 'formatInvalid' | 'valueUnknown' | 'controlCharacters' | 'typeInvalid' | 'fieldUnknown' | 'invalid';

/**
 * What a field check's problem says, in the editor's language: by its code (and limit), the field
 * telling which format was meant; null for a problem without a known code (shown as the server put it).
 */
export function fieldMessageOf(problem: Pick<TreeProblem, 'code' | 'max' | 'min'>, field: string): { key: FieldMessageKey; values: { max?: number; min?: number } } | null {
  const limits = { ...(problem.max !== undefined ? { max: problem.max } : {}), ...(problem.min !== undefined ? { min: problem.min } : {}) };
  const simple: Record<string, FieldMessageKey> = {
    REQUIRED: 'required', TOO_LONG: 'tooLong', TOO_SHORT: 'tooShort', TOO_MANY: 'tooMany', TOO_FEW: 'tooFew', TOO_BIG: 'tooBig', TOO_SMALL: 'tooSmall',
    VALUE_UNKNOWN: 'valueUnknown', CONTROL_CHARACTERS: 'controlCharacters', TYPE_INVALID: 'typeInvalid', FIELD_UNKNOWN: 'fieldUnknown', INVALID: 'invalid',
  };
  if (problem.code === 'FORMAT_INVALID') {
    const last = field.split('.').at(-1) ?? '';
    const key: FieldMessageKey = field === 'slug' ? 'slugFormat' : last === 'id' || last === 'next' ? 'keyFormat' : last === 'articleId' ? 'articleFormat' : 'formatInvalid';
    return { key, values: limits };
  }
  const key = problem.code ? simple[problem.code] : undefined;
  return key ? { key, values: limits } : null;
}
