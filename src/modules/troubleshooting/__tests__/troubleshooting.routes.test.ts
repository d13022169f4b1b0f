import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { smallTree } from './tree-fixtures.js';

let t: TestApp;
const SYSTEM = { type: 'system' as const, id: null };
type Auth = { authorization: string };
let admin: Auth;
let editor: Auth;
let agent: Auth;
let otherAdmin: Auth;

beforeAll(async () => {
  t = await createTestApp();
  const token = async (workspaceId: string, agentId: string) => ({ authorization: `Bearer ${(await t.services.accounts.createApiToken(workspaceId, agentId, 'test', SYSTEM)).token}` });
  admin = await token(t.workspace.id, t.workspace.admin.id);
  const make = async (role: 'editor' | 'agent') => (await t.services.accounts.createAgent(t.workspace.id, { email: `${role}@acme.example`, name: role, role, password: `${role}-password-1` }, SYSTEM)).id;
  editor = await token(t.workspace.id, await make('editor'));
  agent = await token(t.workspace.id, await make('agent'));
  const beta = await t.addWorkspace('beta');
  otherAdmin = await token(beta.id, beta.admin.id);
});
afterAll(async () => { await t.close(); });

const api = (headers: Auth | undefined, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.http.inject({ method, url: `/api/v1${url}`, ...(headers ? { headers } : {}), ...(payload === undefined ? {} : { payload: payload as object }) });

describe('troubleshooting REST API', () => {
  it('lets editors and admins write, any agent read, and nobody signed out', async () => {
    expect((await api(undefined, 'GET', '/troubleshooting/trees')).statusCode).toBe(401);
    expect((await api(agent, 'POST', '/troubleshooting/trees', smallTree())).json().error.code).toBe('FORBIDDEN');
    const created = await api(editor, 'POST', '/troubleshooting/trees', smallTree());
    expect(created.statusCode, created.body).toBe(201);
    const tree = created.json();
    expect(tree).toMatchObject({ slug: 'printer-does-not-print', published: false, version: 1, url: '/help/troubleshoot/printer-does-not-print' });

    expect((await api(agent, 'GET', `/troubleshooting/trees/${tree.id}`)).json().nodes).toHaveLength(5);
    expect((await api(agent, 'GET', '/troubleshooting/trees?locale=en')).json().trees).toHaveLength(1);
    expect((await api(agent, 'GET', '/troubleshooting/trees?locale=zh-CN')).json().trees).toHaveLength(0);
    expect((await api(agent, 'POST', `/troubleshooting/trees/${tree.id}/publish`)).statusCode).toBe(403);
    expect((await api(agent, 'DELETE', `/troubleshooting/trees/${tree.id}`)).statusCode).toBe(403);

    const published = await api(admin, 'POST', `/troubleshooting/trees/${tree.id}/publish`);
    expect(published.json()).toMatchObject({ published: true, hasUnpublishedChanges: false });
    const edited = await api(editor, 'PUT', `/troubleshooting/trees/${tree.id}`, { ...smallTree(), title: 'Edited', version: 1 });
    expect(edited.json()).toMatchObject({ title: 'Edited', version: 2, hasUnpublishedChanges: true });
    expect((await api(editor, 'PUT', `/troubleshooting/trees/${tree.id}`, { ...smallTree(), version: 1 })).json().error.code).toBe('TREE_CHANGED');
    expect((await api(agent, 'GET', `/troubleshooting/trees/${tree.id}/stats`)).json().nodes).toHaveLength(5);
    expect((await api(editor, 'POST', `/troubleshooting/trees/${tree.id}/unpublish`)).json().published).toBe(false);
    expect((await api(editor, 'DELETE', `/troubleshooting/trees/${tree.id}`)).statusCode).toBe(204);
    expect((await api(editor, 'GET', `/troubleshooting/trees/${tree.id}`)).json().error.code).toBe('TREE_NOT_FOUND');
  });

  it('answers bad trees with clear codes and the problems to fix', async () => {
    const looping = smallTree({ slug: 'looping' });
    looping.nodes[1]!.answers[1]!.next = 'power';
    const res = await api(editor, 'POST', '/troubleshooting/trees', looping);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'TREE_INVALID', message: expect.stringContaining('power → jam → power') });
    expect(res.json().error.details).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'TREE_CYCLE', path: 'nodes.0' })]));
    for (const body of [{}, { ...smallTree(), nodes: 'x' }, { ...smallTree(), unknown: 1 }, { ...smallTree(), title: '' }]) {
      const bad = await api(editor, 'POST', '/troubleshooting/trees', body);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await api(editor, 'GET', '/troubleshooting/trees/not-a-uuid')).statusCode).toBe(400);
    expect((await api(editor, 'GET', '/troubleshooting/trees')).json().trees).toHaveLength(0);
  });

  it('gives each problem of a refused tree a code (and its limit) the editor translates', async () => {
    const tree = smallTree({ slug: 'Not A Slug!' });
    tree.nodes[0]!.id = 'Power.On';
    tree.nodes[1]!.kind = 'maybe' as never;
    tree.nodes[1]!.title = 'Jam\u0007';
    tree.nodes[2]!.answers = Array.from({ length: 13 }, (_, i) => ({ id: `a${i}`, label: 'Yes', next: 'power' }));
    (tree.nodes[3] as { articleId: string | null }).articleId = 'not-an-article';
    const bad = await api(editor, 'POST', '/troubleshooting/trees', { ...tree, description: 'x'.repeat(1001) });
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    const byPath = Object.fromEntries((bad.json().error.details as { path: string; code: string }[]).map((d) => [d.path, d]));
    expect(byPath).toMatchObject({
      'body.slug': { code: 'FORMAT_INVALID', format: 'regex' },
      'body.nodes.0.id': { code: 'FORMAT_INVALID' },
      'body.nodes.1.kind': { code: 'VALUE_UNKNOWN' },
      'body.nodes.1.title': { code: 'CONTROL_CHARACTERS' },
      'body.nodes.2.answers': { code: 'TOO_MANY', max: 12 },
      'body.nodes.3.articleId': { code: 'FORMAT_INVALID', format: 'uuid' },
      'body.description': { code: 'TOO_LONG', max: 1000 },
    });
    const missing = await api(editor, 'POST', '/troubleshooting/trees', { ...smallTree({ slug: 'missing' }), title: undefined, nodes: [] });
    expect(missing.json().error.details).toEqual(expect.arrayContaining([
      expect.objectContaining({ path: 'body.title', code: 'REQUIRED' }), expect.objectContaining({ path: 'body.nodes', code: 'TOO_FEW', min: 1 }),
    ]));
  });

  it('publishes only the saved version the editor names, and names the node and field of a refused save', async () => {
    const tree = (await api(editor, 'POST', '/troubleshooting/trees', smallTree({ slug: 'versioned' }))).json();
    await api(editor, 'PUT', `/troubleshooting/trees/${tree.id}`, { ...smallTree({ slug: 'versioned' }), title: 'Saved by a colleague', version: 1 });
    const stale = await api(editor, 'POST', `/troubleshooting/trees/${tree.id}/publish`, { version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('TREE_CHANGED');
    expect((await api(editor, 'GET', `/troubleshooting/trees/${tree.id}`)).json()).toMatchObject({ published: false, version: 2 });
    for (const body of [{ version: 0 }, { version: 'x' }, { version: 2, nodes: [] }]) {
      expect((await api(editor, 'POST', `/troubleshooting/trees/${tree.id}/publish`, body)).json().error.code, JSON.stringify(body)).toBe('VALIDATION_FAILED');
    }
    expect((await api(editor, 'POST', `/troubleshooting/trees/${tree.id}/publish`, { version: 2 })).json()).toMatchObject({ published: true, title: 'Saved by a colleague' });

    const blank = smallTree({ slug: 'versioned' });
    blank.nodes[1]!.title = '';
    blank.nodes[1]!.answers[0]!.label = '';
    const refused = await api(editor, 'PUT', `/troubleshooting/trees/${tree.id}`, { ...blank, version: 2 });
    expect(refused.json().error.code).toBe('VALIDATION_FAILED');
    expect(refused.json().error.details.map((d: { path: string }) => d.path).sort()).toEqual(['body.nodes.1.answers.0.label', 'body.nodes.1.title']);
  });

  it('keeps each workspace\'s trees to itself', async () => {
    const tree = (await api(editor, 'POST', '/troubleshooting/trees', smallTree({ slug: 'private' }))).json();
    expect((await api(otherAdmin, 'GET', '/troubleshooting/trees')).json().trees).toEqual([]);
    for (const [method, url, body] of [
      ['GET', `/troubleshooting/trees/${tree.id}`], ['GET', `/troubleshooting/trees/${tree.id}/stats`],
      ['PUT', `/troubleshooting/trees/${tree.id}`, smallTree({ slug: 'private' })], ['POST', `/troubleshooting/trees/${tree.id}/publish`],
      ['POST', `/troubleshooting/trees/${tree.id}/unpublish`], ['DELETE', `/troubleshooting/trees/${tree.id}`],
    ] as const) {
      expect((await api(otherAdmin, method, url, body)).statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await api(editor, 'GET', `/troubleshooting/trees/${tree.id}`)).json()).toMatchObject({ version: 1, published: false });
  });
});
