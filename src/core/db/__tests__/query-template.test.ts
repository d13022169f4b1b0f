import { randomUUID } from 'node:crypto';
import { NoResultError, sql, type Compilable, type Generated, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../../test/helpers/db.js';
import { recordingLog } from '../../../../test/helpers/log.js';
import type { Logger } from '../../logger.js';
import { Tenancy } from '../../tenancy.js';
import { connectDatabase, type Database } from '../database.js';
import { QueryTemplate, type TemplateArgs } from '../query-template.js';

interface NoteTable { id: Generated<number>; workspace_id: Generated<string>; body: string; pinned: Generated<boolean>; tags: Generated<string[]>; due_at: Date | null }
interface TestDB { qt_notes: NoteTable }

let testDb: TestDatabase;
let database: Database;
let db: Kysely<TestDB>;
let tenancy: Tenancy<TestDB>;
const [a, b] = [randomUUID(), randomUUID()];

beforeAll(async () => {
  testDb = await freshDatabase();
  database = await connectDatabase(testDb.url, { max: 2, log: recordingLog() as unknown as Logger });
  db = database.db as unknown as Kysely<TestDB>;
  await sql`create table qt_notes (id serial primary key, workspace_id uuid not null, body text not null, pinned boolean not null default false,
    tags text[] not null default '{}', due_at timestamptz)`.execute(db);
  tenancy = await Tenancy.load(db);
});
afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

/** A template that counts how often it is built. */
function counted<A extends TemplateArgs<A>, O>(build: (db: Kysely<TestDB>, args: A) => Compilable<O>) {
  const builds = { n: 0 };
  const template = new QueryTemplate<A, O, TestDB>((d, args) => {
    builds.n++;
    return build(d, args);
  });
  return { template, builds };
}

describe('a query template', () => {
  it('builds once per shape and runs with each call\'s values, in the workspace of the handle it runs on', async () => {
    const insert = counted((d, row: { body: string; tags: string[]; due_at: Date | null; pinned?: boolean }) => d.insertInto('qt_notes').values(row).returningAll());
    const inA = tenancy.forWorkspace(a);
    const inB = tenancy.forWorkspace(b);
    const due = new Date('2030-01-02T03:04:05Z');
    const first = (await insert.template.first(inA, { body: 'one', tags: ['x'], due_at: due }))!;
    const second = (await insert.template.first(inB, { body: 'two', tags: [], due_at: new Date(0) }))!;
    expect(first).toMatchObject({ workspace_id: a, body: 'one', tags: ['x'], due_at: due, pinned: false });
    expect(second).toMatchObject({ workspace_id: b, body: 'two', tags: [], due_at: new Date(0) });
    expect(insert.builds.n).toBe(1);
    // A null, an undefined left out (the column's default applies) and a flag: each another shape.
    await insert.template.first(inA, { body: 'three', tags: [], due_at: null });
    await insert.template.first(inA, { body: 'four', tags: [], due_at: null, pinned: true });
    await insert.template.first(inA, { body: 'five', tags: [], due_at: null, pinned: undefined });
    expect(insert.builds.n).toBe(3);
    const bodies = async (handle: Kysely<TestDB>) => (await handle.selectFrom('qt_notes').select(['body', 'pinned', 'due_at']).orderBy('id').execute());
    expect(await bodies(inA)).toEqual([
      { body: 'one', pinned: false, due_at: due }, { body: 'three', pinned: false, due_at: null },
      { body: 'four', pinned: true, due_at: null }, { body: 'five', pinned: false, due_at: null },
    ]);
    expect(await bodies(inB)).toEqual([{ body: 'two', pinned: false, due_at: new Date(0) }]);

    // Reads and updates stay in their workspace: a's note is not b's to see or change.
    const byBody = counted((d, { body }: { body: string }) => d.selectFrom('qt_notes').selectAll().where('body', '=', body));
    expect(await byBody.template.first(inB, { body: 'one' })).toBeUndefined();
    expect((await byBody.template.first(inA, { body: 'one' }))?.workspace_id).toBe(a);
    const rename = counted((d, { from, to }: { from: string; to: string }) => d.updateTable('qt_notes').set({ body: to }).where('body', '=', from).returningAll());
    await expect(rename.template.firstOrThrow(inB, { from: 'one', to: 'stolen' })).rejects.toBeInstanceOf(NoResultError);
    expect((await rename.template.firstOrThrow(inA, { from: 'one', to: 'uno' })).body).toBe('uno');
    // …and unscoped, a template runs as built: over every workspace.
    expect((await byBody.template.rows(db, { body: 'two' })).map((n) => n.workspace_id)).toEqual([b]);
    expect(byBody.builds.n).toBe(2);
  });

  it('runs inside a transaction of a scoped handle, on its connection', async () => {
    const insert = counted((d, { body }: { body: string }) => d.insertInto('qt_notes').values({ body }).returningAll());
    await tenancy.forWorkspace(a).transaction().execute(async (trx) => {
      await insert.template.run(trx, { body: 'in a transaction' });
      expect((await trx.selectFrom('qt_notes').select('body').where('body', '=', 'in a transaction').execute())).toHaveLength(1);
      expect(await db.selectFrom('qt_notes').select('body').where('body', '=', 'in a transaction').execute()).toEqual([]);
    });
    expect((await db.selectFrom('qt_notes').select('workspace_id').where('body', '=', 'in a transaction').executeTakeFirst())?.workspace_id).toBe(a);
  });

  it('takes a row as a record of arguments, its shape by its fields', async () => {
    const insert = counted((d, { note }: { note: { body: string; tags: string[]; pinned?: boolean } }) => d.insertInto('qt_notes').values(note).returning(['body', 'tags', 'pinned']));
    const inA = tenancy.forWorkspace(a);
    expect(await insert.template.first(inA, { note: { body: 'row one', tags: ['p'] } })).toEqual({ body: 'row one', tags: ['p'], pinned: false });
    expect(await insert.template.first(inA, { note: { body: 'row two', tags: [] } })).toEqual({ body: 'row two', tags: [], pinned: false });
    expect(await insert.template.first(inA, { note: { body: 'row three', tags: [], pinned: true } })).toEqual({ body: 'row three', tags: [], pinned: true });
    expect(insert.builds.n).toBe(2);
  });

  it('refuses, on each run, a row that names another workspace than the scope it runs in', async () => {
    const insert = counted((d, row: { workspace_id: string; body: string }) => d.insertInto('qt_notes').values(row).returning(['workspace_id', 'body']));
    expect(await insert.template.first(tenancy.forWorkspace(a), { workspace_id: a, body: 'named own' })).toEqual({ workspace_id: a, body: 'named own' });
    await expect(insert.template.run(tenancy.forWorkspace(a), { workspace_id: b, body: 'named foreign' })).rejects.toMatchObject({ code: 'TENANCY_VIOLATION' });
    expect(insert.builds.n).toBe(1);
    expect(await db.selectFrom('qt_notes').select('body').where('body', '=', 'named foreign').execute()).toEqual([]);
    // Unscoped, the row says where it goes.
    expect(await insert.template.first(db, { workspace_id: b, body: 'unscoped' })).toEqual({ workspace_id: b, body: 'unscoped' });
  });

  it('refuses an argument read while building, and an argument that is neither a value nor a plain record', async () => {
    const formatted = counted((d, { body }: { body: string }) => d.selectFrom('qt_notes').selectAll().where('body', '=', `${body}!`));
    await expect(formatted.template.run(db, { body: 'one' })).rejects.toThrow(/the argument "body" was read while building/);
    const objects = counted((d, { body }: { body: string }) => d.selectFrom('qt_notes').selectAll().where('body', '=', body));
    await expect(objects.template.run(db, { body: new Map() as unknown as string })).rejects.toThrow(/the argument "body" is neither a value nor a plain record/);
    expect(objects.builds.n).toBe(0);
    // JSON handed over as a record, not as text: refused when it is sent, not stored as something else.
    const json = counted((d, { body }: { body: string }) => d.selectFrom('qt_notes').selectAll().where('body', '=', body));
    await expect(json.template.run(db, { body: { text: 'x' } as unknown as string })).rejects.toThrow(/the argument "body.text" was read while building/);
  });

  it('refuses an `in` list given as one argument before it reaches Postgres, and takes it as `= any(…)`', async () => {
    const inList = counted((d, { bodies }: { bodies: string[] }) => d.selectFrom('qt_notes').select('body').where('body', 'in', bodies));
    await expect(inList.template.run(db, { bodies: ['one', 'two'] })).rejects.toThrow(/an `in` list takes an array of varying length as `= any/);
    const anyOf = counted((d, { bodies }: { bodies: string[] }) => d.selectFrom('qt_notes').select('body').where('body', '=', (eb) => eb.fn.any(eb.val(bodies))));
    await db.insertInto('qt_notes').values([{ workspace_id: a, body: 'listed one' }, { workspace_id: a, body: 'listed two' }]).execute();
    expect((await anyOf.template.rows(db, { bodies: ['listed one', 'listed two', 'not there'] })).map((r) => r.body).sort()).toEqual(['listed one', 'listed two']);
  });
});
