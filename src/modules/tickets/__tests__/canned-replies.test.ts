import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import { adminAndAgentBearers } from '../../../../test/helpers/bearers.js';

let t: TestApp;
let admin: { authorization: string };
let agent: { authorization: string };

beforeAll(async () => {
  t = await createTestApp();
  ({ admin, agent } = await adminAndAgentBearers(t));
});
afterAll(async () => { await t.close(); });

const call = (headers: { authorization: string }, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  t.app.http.inject({ method, url: `/api/v1${url}`, headers, payload });

describe('canned replies', () => {
  it('are added, edited (title, text, language) and deleted', async () => {
    const added = await call(admin, 'POST', '/canned-replies', { title: 'Thanks', body: 'Thank you, {{customer.name}}.', locale: 'en' });
    expect(added.statusCode, added.body).toBe(201);
    const { id } = added.json();
    const edited = await call(admin, 'PATCH', `/canned-replies/${id}`, { title: '感谢', body: '谢谢您，{{customer.name}}。', locale: 'zh-CN' });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toEqual({ id, title: '感谢', body: '谢谢您，{{customer.name}}。', locale: 'zh-CN' });
    const any = await call(admin, 'PATCH', `/canned-replies/${id}`, { locale: null });
    expect(any.json()).toMatchObject({ title: '感谢', locale: null });
    expect((await call(agent, 'GET', '/canned-replies')).json().cannedReplies).toEqual([{ id, title: '感谢', body: '谢谢您，{{customer.name}}。', locale: null }]);
    expect((await call(admin, 'DELETE', `/canned-replies/${id}`)).statusCode).toBe(204);
    expect((await call(admin, 'PATCH', `/canned-replies/${id}`, { title: 'gone' })).statusCode).toBe(404);
  });

  it('refuses an empty title or an empty change, naming the field', async () => {
    const { id } = (await call(admin, 'POST', '/canned-replies', { title: 'Hello', body: 'Hello!' })).json();
    const blank = await call(admin, 'PATCH', `/canned-replies/${id}`, { title: '   ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'body.title' }] });
    expect((await call(admin, 'PATCH', `/canned-replies/${id}`, {})).statusCode).toBe(400);
  });

  it('lets agents read but not change them', async () => {
    const { id } = (await call(admin, 'POST', '/canned-replies', { title: 'Bye', body: 'Goodbye.' })).json();
    const res = await call(agent, 'PATCH', `/canned-replies/${id}`, { title: 'mine now' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
  });
});
