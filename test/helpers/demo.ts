import { seedDemo } from '../../src/modules/demo/demo.seed.js';
import { platformModules } from '../../src/services.js';
import { createTestApp, type TestApp } from './app.js';

/** The app on a fresh database with the demo workspace seeded by every module, and that workspace's id. */
export async function createDemoApp(): Promise<{ t: TestApp; workspaceId: string }> {
  const t = await createTestApp();
  const { workspace } = await seedDemo(t.services, platformModules, { settle: () => t.jobs.drain() });
  const workspaceId = (await t.database.db.selectFrom('workspaces').select('id').where('slug', '=', workspace).executeTakeFirstOrThrow()).id;
  return { t, workspaceId };
}
