import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { createTestApp, drainAfter, type TestApp } from '../helpers/app.js';
import type { IsolationCheck } from './isolation-checker.js';
import { seedWorkspace } from './tenancy-fixture.js';

/** Tickets the victim opens before its fixture, so the fixture's ticket number is one the intruder has not got. */
const VICTIM_HEAD_START = 5;

/**
 * The test app with two workspaces, each seeded by every module's tenancy fixture: acme is the
 * victim, beta the intruder, with an admin's API token, a portal host of its own and a signed-in
 * portal customer. `check` is ready for checkIsolation.
 */
export async function isolationSetup(): Promise<{ t: TestApp; check: IsolationCheck }> {
  const t = await createTestApp();
  const beta = await t.addWorkspace('beta');
  const system = { type: 'system' as const, id: null };
  for (let i = 0; i < VICTIM_HEAD_START; i++) {
    await t.services.tickets.open(t.workspace.id, { subject: `filler ${i}`, body: 'filler', channel: 'web', customer: { email: 'filler@filler.example', name: 'Filler' } }, system);
  }
  const victimIds = await seedWorkspace(t.services, { id: t.workspace.id, adminId: t.workspace.admin.id, label: 'acme' });
  const intruderIds = await seedWorkspace(t.services, { id: beta.id, adminId: beta.admin.id, label: 'beta' });
  // Work the seeding deferred runs now, not in the middle of a probe, where the checks would take
  // the victim's model retrained after its publishes (search.train waits up to a minute) for a leak.
  await drainAfter(t, 61_000);
  const db = t.database.db as unknown as Kysely<unknown>;
  await sql`update workspaces set hostnames = ${['beta.example']} where id = ${beta.id}`.execute(db);
  const session = await t.services.accounts.openSession(beta.id, 'customer', intruderIds.customer!);
  const csrfToken = randomBytes(24).toString('base64url');
  return {
    t,
    check: {
      app: t.app, db,
      victim: { id: t.workspace.id, ids: victimIds },
      intruder: {
        id: beta.id, ids: intruderIds, apiToken: intruderIds.apiTokenSecret!, host: 'beta.example',
        customerCookie: `kefu_customer=${t.app.http.signCookie(session)}`, csrfCookie: `kefu_csrf=${t.app.http.signCookie(csrfToken)}`, csrfToken,
      },
      settle: () => t.jobs.drain(),
    },
  };
}
