import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

describe('an attachment whose file is gone (issue 12 #16)', () => {
  it('answers 404 ATTACHMENT_NOT_FOUND, not a 500', async () => {
    const { token } = await t.services.accounts.createApiToken(t.workspace.id, t.workspace.admin.id, 'files', { type: 'system', id: null });
    const auth = { authorization: `Bearer ${token}` };
    const ticket = (await t.app.http.inject({
      method: 'POST', url: '/api/v1/tickets', headers: auth,
      payload: { subject: 'Scan attached', body: 'See the file.', customer: { email: 'files@example.com', name: 'Files' } },
    })).json();
    const form = new FormData();
    form.append('kind', 'note');
    form.append('body', 'the scan');
    form.append('files', new Blob(['%PDF-1.4 scan']), 'scan.pdf');
    const encoded = new Response(form);
    const posted = await t.app.http.inject({
      method: 'POST', url: `/api/v1/tickets/${ticket.id}/messages/multipart`, headers: { ...auth, 'content-type': encoded.headers.get('content-type')! },
      payload: Buffer.from(await encoded.arrayBuffer()),
    });
    expect(posted.statusCode, posted.body).toBe(201);
    const [attachment] = posted.json().attachments as { id: string; url: string }[];
    const row = await t.database.db.selectFrom('ticket_attachments').select('storage_key').where('id', '=', attachment!.id).executeTakeFirstOrThrow();
    await rm(path.join(t.config.dataDir, 'attachments', row.storage_key));

    const download = await t.app.http.inject({ url: attachment!.url, headers: auth });
    expect(download.statusCode, download.body).toBe(404);
    expect(download.json().error.code).toBe('ATTACHMENT_NOT_FOUND');
  });
});
