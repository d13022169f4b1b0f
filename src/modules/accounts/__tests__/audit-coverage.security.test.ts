import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await createTestApp();
  token = (await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'auditor', { type: 'system', id: null })).token;
});
afterAll(async () => { await t?.close(); });

const api = (method: 'POST' | 'PUT', url: string, payload: object) =>
  t.app.http.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, payload });
const audited = (action: string) => t.database.db.selectFrom('audit_log').select(['action', 'actor_type', 'actor_id', 'target_id', 'details'])
  .where('workspace_id', '=', t.workspace.id).where('action', '=', action).execute();

describe('the audit log covers settings that change who gets what (issue 12 #16)', () => {
  it('records chat settings changes, webhook channel creation and knowledge-base publishing, with who did them', async () => {
    expect((await api('PUT', '/chat/settings', { serviceLevelSeconds: 30 })).statusCode).toBe(200);
    expect(await audited('chat.settings_updated')).toEqual([
      { action: 'chat.settings_updated', actor_type: 'api', actor_id: t.workspace.admin.id, target_id: null, details: { serviceLevelSeconds: 30 } },
    ]);

    const channel = await api('POST', '/channels/webhook', { name: 'SMS gateway', kind: 'sms', outboundUrl: null });
    expect(channel.statusCode).toBe(201);
    const [created] = await audited('chat.channel_created');
    expect(created).toMatchObject({ actor_type: 'api', actor_id: t.workspace.admin.id, target_id: channel.json().id, details: { name: 'SMS gateway', kind: 'sms' } });
    expect(JSON.stringify(created)).not.toContain(channel.json().secret);

    const article = await api('POST', '/kb/articles', { title: 'Reset the router', markdown: 'Hold the button.', locale: 'en' });
    expect(article.statusCode).toBe(201);
    const id = article.json().id as string;
    expect((await api('POST', `/kb/articles/${id}/publish`, {})).statusCode).toBe(200);
    expect(await audited('kb_article.published')).toEqual([expect.objectContaining({ actor_type: 'api', actor_id: t.workspace.admin.id, target_id: id })]);
  });
});
