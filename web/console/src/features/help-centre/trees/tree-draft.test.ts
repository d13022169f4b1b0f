import { describe, expect, it } from 'vitest';
import { addAnswer, changeKind, depths, draftOf, emptyDraft, fieldMessageOf, freeId, hasUnsavedChanges, placeProblems, removeNode, updateNode } from './tree-draft.js';
import en from './locales/en.json' with { type: 'json' };
import zhCN from './locales/zh-CN.json' with { type: 'json' };
import type { Tree } from './trees-api.js';

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

  it('indents by depth and places server problems on their node and field', () => {
    const draft = addAnswer(addAnswer(emptyDraft('en'), 'start', 'question'), 'n1', 'solution');
    expect(Object.fromEntries(depths(draft.nodes))).toEqual({ start: 0, n1: 1, n2: 2 });
    const placed = placeProblems([
      { path: 'nodes.1.answers.0.next', message: 'dangling' }, { path: 'nodes', message: 'two roots' }, { path: 'nodes.0', nodeId: 'n2', message: 'loop' },
      // The request's own checks (VALIDATION_FAILED) name the body.
      { path: 'body.nodes.2.title', message: 'too short' }, { path: 'body.slug', message: 'bad slug' }, { path: 'body.nodes.9.body', message: 'no such node' },
    ], draft.nodes);
    expect(placed.map((p) => [p.message, p.node, p.field])).toEqual([
      ['dangling', 'n1', 'answers.0.next'], ['two roots', '', ''], ['loop', 'n2', ''],
      ['too short', 'n2', 'title'], ['bad slug', '', 'slug'], ['no such node', '', 'body'],
    ]);
  });

  it('says every field check by its code, with its limit, in a message both catalogues have', () => {
    const said = (code: string, field: string, limits: { max?: number; min?: number } = {}) => fieldMessageOf({ code, ...limits }, field);
    expect(said('REQUIRED', 'title')).toEqual({ key: 'required', values: {} });
    expect(said('TOO_LONG', 'description', { max: 1000 })).toEqual({ key: 'tooLong', values: { max: 1000 } });
    expect(said('TOO_MANY', 'answers', { max: 12 })).toEqual({ key: 'tooMany', values: { max: 12 } });
    expect(said('FORMAT_INVALID', 'slug')?.key).toBe('slugFormat');
    expect(said('FORMAT_INVALID', 'id')?.key).toBe('keyFormat');
    expect(said('FORMAT_INVALID', 'answers.2.next')?.key).toBe('keyFormat');
    expect(said('FORMAT_INVALID', 'articleId')?.key).toBe('articleFormat');
    expect(said('VALUE_UNKNOWN', 'kind')?.key).toBe('valueUnknown');
    expect(said('CONTROL_CHARACTERS', 'title')?.key).toBe('controlCharacters');
    // A problem without a code the editor knows is shown as the server wrote it.
    expect(said('SOMETHING_NEW', 'title')).toBeNull();
    expect(fieldMessageOf({}, 'title')).toBeNull();
    const keys = ['REQUIRED', 'TOO_LONG', 'TOO_SHORT', 'TOO_MANY', 'TOO_FEW', 'TOO_BIG', 'TOO_SMALL', 'VALUE_UNKNOWN', 'CONTROL_CHARACTERS', 'TYPE_INVALID', 'FIELD_UNKNOWN', 'INVALID']
      .map((code) => said(code, 'title')!.key).concat(['slugFormat', 'keyFormat', 'articleFormat', 'formatInvalid']);
    for (const key of keys) {
      expect(en.messages, key).toHaveProperty(key);
      expect(zhCN.messages, key).toHaveProperty(key);
    }
  });

  it('knows when the draft differs from the saved tree, whatever the order of its keys', () => {
    const saved = {
      id: 't1', version: 3, published: true, hasUnpublishedChanges: false, publishedAt: null, createdAt: '', updatedAt: '', url: '/help/troubleshoot/x',
      ...addAnswer({ ...emptyDraft('en'), slug: 'x', title: 'X', product: 'P200' }, 'start', 'solution'),
    } satisfies Tree;
    expect(hasUnsavedChanges(draftOf(saved), saved)).toBe(false);
    // The server's nodes with their keys in another order are the same tree.
    const reordered = { ...draftOf(saved), nodes: saved.nodes.map(({ articleId, answers, body, title, kind, id }) => ({ articleId, answers, body, title, kind, id })) };
    expect(hasUnsavedChanges(reordered, saved)).toBe(false);
    expect(hasUnsavedChanges(updateNode(draftOf(saved), 'n1', { body: 'Turn it off and on.' }), saved)).toBe(true);
    expect(hasUnsavedChanges({ ...draftOf(saved), product: 'P500' }, saved)).toBe(true);
    expect(hasUnsavedChanges(emptyDraft('en'), null)).toBe(true);
  });
});
