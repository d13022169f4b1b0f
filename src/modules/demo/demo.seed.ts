import { randomBytes } from 'node:crypto';
import type { DemoWorld, ModuleManifest } from '../../core/module.js';
import type { AccountsService } from '../accounts/index.js';

export interface DemoCredentials {
  workspace: string;
  admin: { email: string; password: string };
  agents: { email: string; password: string }[];
  customer: { email: string; password: string };
}

const SYSTEM = { type: 'system' as const, id: null };

/** Readable but unguessable: the demo must not ship a password every install shares. */
const demoPassword = () => `yunmo-${randomBytes(6).toString('base64url')}`;

/**
 * The demo world: one printer maker, "云墨打印 / Yunmo Printers", with an admin, two agents and
 * customers. Each module then adds its own demo content (its manifest's `demo`), in the list's order.
 *
 * `settle` waits until what a step's events set off has happened (a new workspace's departments and
 * SLA policies are made by `workspace.created` subscribers): a no-op on the in-process bus, which
 * delivers before `publish` returns, and the bus's `drain()` where subscribers run on their own.
 */
export async function seedDemo<S extends { accounts: AccountsService }>(
  services: S,
  modules: readonly ModuleManifest<S>[],
  { settle = async () => {} }: { settle?: () => Promise<void> } = {},
): Promise<DemoCredentials> {
  const { accounts } = services;
  const workspace = await accounts.createWorkspace({
    slug: 'yunmo', name: { 'zh-CN': '云墨打印', en: 'Yunmo Printers' }, defaultLocale: 'zh-CN', timeZone: 'Asia/Shanghai',
  });
  await settle();
  const admin = { email: 'admin@yunmo.example', password: demoPassword() };
  const adminAgent = await accounts.createAgent(workspace.id, { ...admin, name: '林静 Lin Jing', role: 'admin', locale: 'zh-CN' }, SYSTEM);
  const agents = [
    { email: 'wang.lei@yunmo.example', name: '王磊 Wang Lei', locale: 'zh-CN' as const },
    { email: 'emma.hughes@yunmo.example', name: 'Emma Hughes', locale: 'en' as const },
  ].map((a) => ({ ...a, password: demoPassword() }));
  const agentIds: string[] = [];
  for (const agent of agents) agentIds.push((await accounts.createAgent(workspace.id, { ...agent, role: 'agent' }, SYSTEM)).id);

  const customer = { email: 'zhang.wei@example.com', password: demoPassword() };
  await accounts.registerCustomer(workspace.id, { ...customer, name: '张伟', locale: 'zh-CN' });
  const others = [
    { email: 'li.na@example.com', name: '李娜', locale: 'zh-CN' as const },
    { email: 'chen.jie@example.com', name: '陈杰', locale: 'zh-CN' as const },
    { email: 'sarah.miller@example.com', name: 'Sarah Miller', locale: 'en' as const },
    { email: 'tom.becker@example.com', name: 'Tom Becker', locale: 'en' as const },
  ];
  for (const other of others) await accounts.registerCustomer(workspace.id, { ...other, password: null });

  const [wangLei, emma] = agentIds;
  const world: DemoWorld = { workspaceId: workspace.id, adminId: adminAgent.id, agentIds: [wangLei!, emma!] };
  for (const module of modules) {
    await module.demo?.(services, world);
    await settle();
  }

  return {
    workspace: workspace.slug,
    admin,
    agents: agents.map(({ email, password }) => ({ email, password })),
    customer,
  };
}
