import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { AppError } from '../../../core/errors.js';
import { treeProblems } from '../troubleshooting.validate.js';
import { node, smallTree } from './tree-fixtures.js';

let t: TestApp;
const SYSTEM = { type: 'system' as const, id: null };

beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

const trees = () => t.services.troubleshooting;

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('tree shape checks', () => {
  it('accepts a well-formed tree', () => {
    expect(treeProblems(smallTree().nodes)).toEqual([]);
  });

  it('names the loop when answers lead back to an earlier question', () => {
    const nodes = smallTree().nodes.map((n) => (n.id === 'jam' ? { ...n, answers: [...n.answers, { id: 'again', label: 'Not sure', next: 'power' }] } : n));
    const problems = treeProblems(nodes);
    expect(problems.map((p) => p.code)).toContain('TREE_CYCLE');
    expect(problems.find((p) => p.code === 'TREE_CYCLE')).toMatchObject({ cycle: ['power', 'jam', 'power'], message: 'Answers form a loop: power → jam → power' });
  });

  it('names only the loop and the step it cut off when an answer is pointed back to the start', () => {
    const nodes = smallTree().nodes.map((n) => (n.id === 'jam' ? { ...n, answers: [n.answers[0]!, { id: 'no', label: 'No', next: 'power' }] } : n));
    expect(treeProblems(nodes).map((p) => [p.code, p.nodeId])).toEqual([['TREE_CYCLE', 'power'], ['TREE_SEVERAL_ROOTS', 'driver']]);
  });

  it('finds a self-loop, an answer into nowhere, several roots and a detached loop', () => {
    const base = smallTree().nodes;
    expect(treeProblems(base.map((n) => (n.id === 'jam' ? { ...n, answers: [{ id: 'x', label: 'x', next: 'jam' }] } : n))).map((p) => p.code)).toContain('TREE_CYCLE');
    expect(treeProblems(base.map((n) => (n.id === 'jam' ? { ...n, answers: [{ id: 'x', label: 'x', next: 'ghost' }] } : n))))
      .toEqual(expect.arrayContaining([expect.objectContaining({ code: 'TREE_ANSWER_TARGET_MISSING', path: 'nodes.1.answers.0.next' })]));
    expect(treeProblems([...base, node('orphan', 'repair', 'Orphan')]).map((p) => p.code)).toContain('TREE_SEVERAL_ROOTS');
    const detached = [...base, node('a', 'question', 'A', [['1', '1', 'b']]), node('b', 'question', 'B', [['1', '1', 'a']])];
    const codes = treeProblems(detached).map((p) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['TREE_CYCLE', 'TREE_NODE_UNREACHABLE']));
  });

  it('refuses questions without answers, leaves with answers, empty solutions and duplicate ids', () => {
    const codes = treeProblems([
      node('q', 'question', 'Q', [['a', 'A', 's'], ['a', 'B', 'r']]),
      { ...node('s', 'solution', 'S', [['x', 'X', 'r']]) },
      node('r', 'repair', 'R'),
      node('r', 'question', 'R again'),
    ]).map((p) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['TREE_DUPLICATE_ANSWER', 'TREE_LEAF_WITH_ANSWERS', 'TREE_SOLUTION_EMPTY', 'TREE_DUPLICATE_NODE', 'TREE_QUESTION_WITHOUT_ANSWERS']));
  });
});

describe('TroubleshootingService', () => {
  it('creates, lists and reads a tree', async () => {
    const tree = await trees().create(t.workspace.id, smallTree({ slug: 'created' }), SYSTEM);
    expect(tree).toMatchObject({ slug: 'created', locale: 'en', version: 1, published: null });
    expect((await trees().get(t.workspace.id, tree.id)).nodes).toHaveLength(5);
    expect((await trees().list(t.workspace.id)).map((x) => x.id)).toContain(tree.id);
  });

  it('refuses a tree with a loop, with the loop in the error, and stores nothing', async () => {
    const before = (await trees().list(t.workspace.id)).length;
    const input = smallTree({ slug: 'looping' });
    input.nodes[1] = { ...input.nodes[1]!, answers: [...input.nodes[1]!.answers, { id: 'loop', label: 'Again', next: 'power' }] };
    const error = await refusal(trees().create(t.workspace.id, input, SYSTEM));
    expect(error).toMatchObject({ code: 'TREE_INVALID', status: 400, message: 'Answers form a loop: power → jam → power' });
    expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'TREE_CYCLE', cycle: ['power', 'jam', 'power'] })]));
    expect(await trees().list(t.workspace.id)).toHaveLength(before);
  });

  it('refuses bad input (shape, limits, control characters) and leaves the saved tree as it was', async () => {
    const tree = await trees().create(t.workspace.id, smallTree({ slug: 'kept' }), SYSTEM);
    const bad: unknown[] = [
      { ...smallTree({ slug: 'kept' }), slug: 'Not A Slug!' },
      { ...smallTree({ slug: 'kept' }), title: 'x'.repeat(201) },
      { ...smallTree({ slug: 'kept' }), title: 'bell\u0007' },
      { ...smallTree({ slug: 'kept' }), nodes: [] },
      { ...smallTree({ slug: 'kept' }), extra: true },
      { ...smallTree({ slug: 'kept' }), nodes: smallTree().nodes.map((n) => ({ ...n, id: 'Has.Dot' })) },
      { ...smallTree({ slug: 'kept' }), locale: 'fr' },
      null,
      'tree',
    ];
    for (const input of bad) expect((await refusal(trees().update(t.workspace.id, tree.id, input, undefined, SYSTEM))).code).toBe('VALIDATION_FAILED');
    const dangling = smallTree({ slug: 'kept' });
    dangling.nodes[0]!.answers[0]!.next = 'nowhere';
    expect((await refusal(trees().update(t.workspace.id, tree.id, dangling, undefined, SYSTEM))).code).toBe('TREE_INVALID');
    const after = await trees().get(t.workspace.id, tree.id);
    expect(after).toMatchObject({ version: 1, title: 'Printer does not print', nodes: tree.nodes });
  });

  it('keeps script in a node as text (rendering sanitises it) and refuses a stale save', async () => {
    const input = smallTree({ slug: 'scripted' });
    input.nodes[2] = { ...input.nodes[2]!, body: '<script>alert(1)</script> [x](javascript:alert(1))' };
    const tree = await trees().create(t.workspace.id, input, SYSTEM);
    expect(tree.nodes[2]!.body).toBe('<script>alert(1)</script> [x](javascript:alert(1))');
    const saved = await trees().update(t.workspace.id, tree.id, { ...input, title: 'Renamed' }, 1, SYSTEM);
    expect(saved.version).toBe(2);
    expect((await refusal(trees().update(t.workspace.id, tree.id, { ...input, title: 'Late' }, 1, SYSTEM))).code).toBe('TREE_CHANGED');
    expect((await trees().get(t.workspace.id, tree.id)).title).toBe('Renamed');
  });

  it('refuses a second tree at the same address in the same language, not in another', async () => {
    await trees().create(t.workspace.id, smallTree({ slug: 'twice' }), SYSTEM);
    expect((await refusal(trees().create(t.workspace.id, smallTree({ slug: 'twice' }), SYSTEM))).code).toBe('TREE_SLUG_TAKEN');
    await expect(trees().create(t.workspace.id, smallTree({ slug: 'twice', locale: 'zh-CN' }), SYSTEM)).resolves.toMatchObject({ locale: 'zh-CN' });
  });

  it('walks the published version only, and counts visits, advances, completions and drop-offs per node', async () => {
    const tree = await trees().create(t.workspace.id, smallTree({ slug: 'walked' }), SYSTEM);
    await expect(trees().walk(t.workspace.id, 'walked', 'en', undefined, { count: true })).rejects.toMatchObject({ code: 'TREE_NOT_FOUND' });
    await trees().publish(t.workspace.id, tree.id, SYSTEM);
    // A draft edit after publishing is invisible to customers.
    await trees().update(t.workspace.id, tree.id, { ...smallTree({ slug: 'walked' }), title: 'Draft title' }, undefined, SYSTEM);

    const start = await trees().walk(t.workspace.id, 'walked', 'en', undefined, { count: true });
    expect(start).toMatchObject({ current: { id: 'power' }, path: '', truncated: false, tree: { published: { title: 'Printer does not print' } } });
    const solved = await trees().walk(t.workspace.id, 'walked', 'en', 'on.yes', { count: true });
    expect(solved.current.id).toBe('clear');
    expect(solved.steps.map((s) => [s.node.id, s.answer.id, s.path])).toEqual([['power', 'on', ''], ['jam', 'yes', 'on']]);
    await trees().walk(t.workspace.id, 'walked', 'en', 'off', { count: true });
    await trees().requestRepair(t.workspace.id, 'walked', 'en', 'off');
    await expect(trees().requestRepair(t.workspace.id, 'walked', 'en', 'on')).rejects.toMatchObject({ code: 'TREE_NOT_AT_REPAIR' });
    const stale = await trees().walk(t.workspace.id, 'walked', 'en', 'on.gone.yes', { count: true });
    expect(stale).toMatchObject({ current: { id: 'jam' }, path: 'on', truncated: true });
    expect((await trees().walk(t.workspace.id, 'walked', 'en', "on'; drop table x", { count: false })).current.id).toBe('power');

    const stats = Object.fromEntries((await trees().stats(t.workspace.id, tree.id)).map((s) => [s.nodeId, s]));
    // Only the step just taken counts: `on.yes` opened directly advanced jam, not power.
    expect(stats.power).toMatchObject({ visits: 1, advances: 1, dropOffs: 0 });
    expect(stats.jam).toMatchObject({ visits: 1, advances: 1 });
    expect(stats.clear).toMatchObject({ visits: 1, solutions: 1, dropOffs: 0 });
    expect(stats.repair).toMatchObject({ visits: 1, repairs: 1, dropOffs: 0 });
    expect(stats.driver).toMatchObject({ visits: 0, dropOffs: 0 });

    await trees().unpublish(t.workspace.id, tree.id, SYSTEM);
    await expect(trees().walk(t.workspace.id, 'walked', 'en', undefined, { count: true })).rejects.toMatchObject({ code: 'TREE_NOT_FOUND' });
  });

  it('seeds the bilingual demo tree, published in both languages', async () => {
    const { seedTroubleshootingDemo } = await import('../troubleshooting.demo.js');
    const ws = await t.addWorkspace('demo-trees');
    const created = await seedTroubleshootingDemo(trees(), ws.id, SYSTEM);
    expect(created.map((c) => [c.locale, c.title])).toEqual([['zh-CN', '打印机不打印'], ['en', 'Printer does not print']]);
    for (const tree of created) {
      expect(tree.nodes.length).toBeGreaterThanOrEqual(8);
      expect(new Set(tree.nodes.map((n) => n.kind))).toEqual(new Set(['question', 'solution', 'repair']));
    }
  });
});
