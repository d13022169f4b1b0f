import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../db/database.js';
import { createLogger } from '../logger.js';
import { Tenancy } from '../tenancy.js';
import type { DB } from '../db/database.js';
import { freshDatabase, type TestDatabase } from '../../../test/helpers/db.js';

let testDb: TestDatabase;
let database: Database;
let tenancy: Tenancy<DB>;
let a: string;
let b: string;

beforeAll(async () => {
  testDb = await freshDatabase();
  database = await connectDatabase(testDb.url, { max: 2, log: createLogger('silent') });
  tenancy = await Tenancy.load(database.db);
  const insert = (slug: string) => database.db.insertInto('workspaces')
    .values({ slug, name: JSON.stringify({ en: slug, 'zh-CN': slug }) }).returning('id').executeTakeFirstOrThrow();
  a = (await insert('alpha')).id;
  b = (await insert('bravo')).id;
  for (const [ws, name] of [[a, 'Ann'], [a, 'Al'], [b, 'Bob']] as const) {
    await tenancy.forWorkspace(ws).insertInto('agents')
      .values({ email: `${name.toLowerCase()}@x.example`, name, role: 'agent', password_hash: 'x', locale: null }).execute();
  }
});
afterAll(async () => {
  await database.close();
  await testDb.drop();
});

describe('workspace scoping', () => {
  it('finds the tenant tables from the schema itself', () => {
    expect(tenancy.tenantTables).toContain('agents');
    expect(tenancy.tenantTables).toContain('mail_outbox');
    expect(tenancy.tenantTables).not.toContain('workspaces');
  });

  it('gives every insert its workspace and every select only its own rows', async () => {
    const names = await tenancy.forWorkspace(a).selectFrom('agents').select('name').orderBy('name').execute();
    expect(names.map((r) => r.name)).toEqual(['Al', 'Ann']);
    const all = await database.db.selectFrom('agents').select(['name', 'workspace_id']).execute();
    expect(all.find((r) => r.name === 'Bob')?.workspace_id).toBe(b);
  });

  it('scopes aliased tables, joins and subqueries', async () => {
    const scoped = tenancy.forWorkspace(b);
    const joined = await scoped.selectFrom('agents as ag')
      .innerJoin('sessions as s', 's.principal_id', 'ag.id').select('ag.name').execute();
    expect(joined).toEqual([]);
    const viaSubquery = await scoped.selectFrom('workspaces')
      .select((eb) => eb.selectFrom('agents').select((e) => e.fn.countAll<number>().as('n')).as('agents'))
      .where('id', '=', b).executeTakeFirstOrThrow();
    expect(viaSubquery.agents).toBe(1);
    const aliased = await scoped.selectFrom('agents as x').select('x.name').execute();
    expect(aliased.map((r) => r.name)).toEqual(['Bob']);
    // Queries nested in a CTE and in a where clause: the scoping walks into them too.
    const viaCte = await scoped.with('mine', (db) => db.selectFrom('agents').select('name'))
      .selectFrom('mine').select('name').execute();
    expect(viaCte.map((r) => r.name)).toEqual(['Bob']);
    const viaWhere = await scoped.selectFrom('workspaces').select('id')
      .where('id', 'in', (eb) => eb.selectFrom('agents').select('workspace_id')).execute();
    expect(viaWhere.map((r) => r.id)).toEqual([b]);
  });

  it('cannot update or delete another workspace\'s rows, even by id', async () => {
    const bob = await tenancy.forWorkspace(b).selectFrom('agents').select('id').executeTakeFirstOrThrow();
    const updated = await tenancy.forWorkspace(a).updateTable('agents').set({ name: 'Hijacked' }).where('id', '=', bob.id).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(0n);
    const deleted = await tenancy.forWorkspace(a).deleteFrom('agents').where('id', '=', bob.id).executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(0n);
    const still = await tenancy.forWorkspace(b).selectFrom('agents').select('name').where('id', '=', bob.id).executeTakeFirstOrThrow();
    expect(still.name).toBe('Bob');
  });

  it('refuses an insert that names another workspace, and writes nothing', async () => {
    await expect(tenancy.forWorkspace(a).insertInto('agents')
      .values({ workspace_id: b, email: 'sneaky@x.example', name: 'Sneaky', role: 'admin', password_hash: 'x', locale: null } as never)
      .execute()).rejects.toMatchObject({ code: 'TENANCY_VIOLATION' });
    const sneaky = await database.db.selectFrom('agents').select('id').where('email', '=', 'sneaky@x.example').execute();
    expect(sneaky).toEqual([]);
  });

  it('scopes queries inside a transaction too', async () => {
    const names = await tenancy.forWorkspace(b).transaction().execute((trx) => trx.selectFrom('agents').select('name').execute());
    expect(names.map((r) => r.name)).toEqual(['Bob']);
  });
});
