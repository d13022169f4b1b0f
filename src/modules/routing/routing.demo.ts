import type { DemoWorld } from '../../core/module.js';
import type { RoutingService } from './routing.service.js';

const SYSTEM = { type: 'system' as const, id: null };

/** The service team (auto-assigned, least loaded) and the sales team (assigned by hand). */
export async function seedRoutingDemo(
  { routing, tickets }: { routing: RoutingService; tickets: { departments(workspaceId: string): Promise<{ id: string; key: string }[]> } },
  { workspaceId, adminId, agentIds: [wangLei, emma] }: DemoWorld,
): Promise<void> {
  const departments = await tickets.departments(workspaceId);
  const byKey = (key: string) => departments.find((d) => d.key === key)!.id;
  await routing.configureDepartment(workspaceId, byKey('service'), { strategy: 'least_loaded', autoAssign: true, memberIds: [wangLei, emma] }, SYSTEM);
  await routing.configureDepartment(workspaceId, byKey('sales'), { strategy: 'round_robin', autoAssign: false, memberIds: [emma, adminId] }, SYSTEM);
}
