import type { TestApp } from './app.js';

const SYSTEM = { type: 'system' as const, id: null };

/**
 * Authorization headers for the API as the test workspace's admin and as a plain agent made for
 * the purpose, each token with every scope its owner's role allows: for tests of who may do what.
 */
export async function adminAndAgentBearers(t: TestApp): Promise<{ admin: { authorization: string }; agent: { authorization: string } }> {
  const bearer = async (agentId: string) => ({ authorization: `Bearer ${(await t.services.accounts.createApiToken(t.workspace.id, agentId, 'tests', SYSTEM)).token}` });
  const agent = await t.services.accounts.createAgent(t.workspace.id, { email: 'agent@acme.example', name: 'Agent', role: 'agent', password: 'agent-password-1' }, SYSTEM);
  return { admin: await bearer(t.workspace.admin.id), agent: await bearer(agent.id) };
}
