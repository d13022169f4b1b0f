import { describe, expect, it } from 'vitest';
import { addAnswer, changeKind, depths, emptyDraft, freeId, problemsByNode, removeNode } from './tree-draft.js';

describe('tree draft editing', () => {
  it('adds an answer with a new node right after its question, with free ids', () => {
    let draft = emptyDraft('en');
    draft = addAnswer(draft, 'start', 'solution');
    draft = addAnswer(draft, 'start', 'repair');
    expect(draft.nodes.map((n) => [n.id, n.kind])).toEqual([['start', 'question'], ['n2', 'repair'], ['n1', 'solution']]);
    expect(draft.nodes[0]!.answers).toEqual([{ id: 'a1', label: '', next: 'n1' }, { id: 'a2', label: '', next: 'n2' }]);
    expect(freeId('n', ['n1', 'n3'])).toBe('n2');
  });

  it('removes a node with the answers leading to it, and drops answers when a question becomes a leaf', () => {
    let draft = addAnswer(addAnswer(emptyDraft('en'), 'start', 'solution'), 'start', 'question');
    draft = removeNode(draft, 'n1');
    expect(draft.nodes.map((n) => n.id)).toEqual(['start', 'n2']);
    expect(draft.nodes[0]!.answers.map((a) => a.next)).toEqual(['n2']);
    expect(changeKind(draft, 'start', 'repair').nodes[0]).toMatchObject({ kind: 'repair', answers: [], articleId: null });
  });

  it('indents by depth and groups server problems by node', () => {
    const draft = addAnswer(addAnswer(emptyDraft('en'), 'start', 'question'), 'n1', 'solution');
    expect(Object.fromEntries(depths(draft.nodes))).toEqual({ start: 0, n1: 1, n2: 2 });
    const grouped = problemsByNode([
      { path: 'nodes.1.answers.0.next', message: 'dangling' }, { path: 'nodes', message: 'two roots' }, { path: 'nodes.0', nodeId: 'n2', message: 'loop' },
    ], draft.nodes);
    expect(grouped.get('n1')?.map((p) => p.message)).toEqual(['dangling']);
    expect(grouped.get('')?.map((p) => p.message)).toEqual(['two roots']);
    expect(grouped.get('n2')?.map((p) => p.message)).toEqual(['loop']);
  });
});
