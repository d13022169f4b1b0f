import type { DemoWorld } from '../../core/module.js';
import type { AccountsService } from './accounts.service.js';

/**
 * The demo's accounts beyond its people (demo.seed.ts makes the admin and agents): a colleague
 * invited by the admin who has not yet chosen a password, so Settings → Agents shows a pending
 * invitation to resend or withdraw. Its mail waits in the outbox like any other.
 */
export async function seedAccountsDemo(accounts: AccountsService, world: DemoWorld): Promise<void> {
  await accounts.inviteAgent(world.workspaceId, { email: 'zhao.min@yunmo.example', name: '赵敏 Zhao Min', role: 'agent', locale: 'zh-CN' },
    { type: 'agent', id: world.adminId });
}
