import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

export const SYSTEM = { type: 'system' as const, id: null };
export type Auth = { authorization: string };

/** The app with the API tokens the customers tests call it with: an admin, a plain agent, and an admin of another workspace. */
export interface CustomersHarness { t: TestApp; admin: Auth; agent: Auth; otherAdmin: Auth; otherWorkspaceId: string }

export async function customersHarness(): Promise<CustomersHarness> {
  const t = await createTestApp();
  const token = async (workspaceId: string, agentId: string) => ({ authorization: `Bearer ${(await t.services.accounts.createApiToken(workspaceId, agentId, 'test', SYSTEM)).token}` });
  const agentId = (await t.services.accounts.createAgent(t.workspace.id, { email: 'agent@acme.example', name: 'agent', role: 'agent', password: 'agent-password-1' }, SYSTEM)).id;
  const beta = await t.addWorkspace('beta');
  return { t, admin: await token(t.workspace.id, t.workspace.admin.id), agent: await token(t.workspace.id, agentId), otherAdmin: await token(beta.id, beta.admin.id), otherWorkspaceId: beta.id };
}
