import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../../test/helpers/app.js';
import { createDemoApp } from '../../../../test/helpers/demo.js';

let t: TestApp;
let workspaceId: string;
beforeAll(async () => { ({ t, workspaceId } = await createDemoApp()); });
afterAll(async () => { await t?.close(); });

describe('the demo workspace', () => {
  it('has a colleague invited by the admin, not yet an agent, whose Chinese invitation waits in the outbox', async () => {
    const [invitation] = await t.services.accounts.listInvitations(workspaceId);
    expect(invitation).toMatchObject({ email: 'zhao.min@yunmo.example', role: 'agent', locale: 'zh-CN', accepted_at: null });
    expect((await t.services.accounts.listAgents(workspaceId)).some((a) => a.email === invitation!.email)).toBe(false);
    const mail = await t.database.db.selectFrom('mail_outbox').select(['subject', 'template']).where('to_address', '=', invitation!.email).executeTakeFirstOrThrow();
    expect(mail).toEqual({ template: 'agentInvitation', subject: '林静 Lin Jing邀请您加入云墨打印' });
  });
});
