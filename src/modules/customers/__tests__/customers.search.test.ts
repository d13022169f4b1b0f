import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';
import type { DB } from '../../../core/db/database.js';
import { Tenancy } from '../../../core/tenancy.js';
import { CustomersRepo, type ListCursor } from '../customers.repo.js';
import { SYSTEM } from './customers.harness.js';

/**
 * The search's bounded ways, at a size a test can hold: a repository whose bounds are tiny takes
 * the walk (a common term) and the fallback (a walk that cannot fill the page) where the real one
 * looks every match up on its index, and both must find the same customers in the same order.
 */
let t: TestApp;
let ws: string;
let real: CustomersRepo;
let tight: CustomersRepo;

beforeAll(async () => {
  t = await createTestApp();
  ws = (await t.addWorkspace('search-bounds')).id;
  const tenancy = await Tenancy.load<DB>(t.database.db);
  real = CustomersRepo.of(tenancy);
  tight = CustomersRepo.of(tenancy, { candidates: 3, walk: 8 });
  const base = { locale: null, timeZone: null, companyId: null, address: null, tags: [] as string[], attributes: {} };
  // Oldest first: four 欧阳 at the far end of the list (rare, and old), then 王 and Emma in turns (common).
  const people = [
    ...Array.from({ length: 4 }, (_, i) => ({ name: `欧阳${'一二三四'[i]}`, email: `oy${i}@old.example` })),
    ...Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? { name: `王${'伟芳娜敏静丽强磊军洋勇艳'[i / 2]}`, email: `c${i}@example.com` } : { name: `Emma Miller ${i}`, email: `c${i}@example.com` })),
  ];
  for (const [i, person] of people.entries()) {
    t.clock.set(new Date(Date.UTC(2026, 0, 1, 0, i)));
    const identities = i % 3 === 0 ? [{ kind: 'phone' as const, value: `+86 139 0000 ${String(1000 + i)}`, primary: true, verified: false }] : [];
    await t.services.customers.create(ws, { ...base, ...person, identities }, SYSTEM);
  }
});
afterAll(async () => { await t.close(); });

/** Every page of a search, `limit` at a time, as ids. */
async function allPages(repo: CustomersRepo, q: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let after: ListCursor | undefined;
  for (;;) {
    const page = await repo.list(ws, { q, limit, after });
    ids.push(...page.map((c) => c.id));
    const last = page.at(-1);
    if (page.length < limit || !last) return ids;
    after = { createdAt: last.created_at, id: last.id };
  }
}

describe('a search bounded in its work', () => {
  it('finds a common term by walking the list newest first: the same customers in the same order as looking every match up', async () => {
    const same = async () => {
      for (const q of ['王', 'emma', 'c1', '139 0000', '+86 139']) {
        const [expected, walked] = [await real.list(ws, { q, limit: 5 }), await tight.list(ws, { q, limit: 5 })];
        expect(walked.map((c) => c.id), q).toEqual(expected.map((c) => c.id));
        expect(walked, q).toHaveLength(5);
      }
    };
    await same();
    // With statistics a name's branch may know the term is common before looking anything up, and walk at once.
    await sql`analyze customers`.execute(t.database.db);
    await same();
    const wang = await tight.list(ws, { q: '王', limit: 3 });
    expect(wang.map((c) => c.name)).toEqual(['王艳', '王勇', '王洋']);
  });

  it('pages through a common term once each, newest first', async () => {
    for (const q of ['王', 'emma', 'c', '139']) {
      const expected = await real.list(ws, { q, limit: 100 });
      expect(await allPages(tight, q, 4), q).toEqual(expected.map((c) => c.id));
    }
    expect(await allPages(tight, '王', 4)).toHaveLength(12);
  });

  it('takes every match sorted when the walk cannot fill the page: a term found only far down the list', async () => {
    const found = await tight.list(ws, { q: '欧阳', limit: 5 });
    expect(found.map((c) => c.name)).toEqual(['欧阳四', '欧阳三', '欧阳二', '欧阳一']);
    expect((await tight.list(ws, { q: 'oy', limit: 5 })).map((c) => c.email)).toEqual(['oy3@old.example', 'oy2@old.example', 'oy1@old.example', 'oy0@old.example']);
  });

  it('keeps the other filters on every way: a tag, a term nobody has', async () => {
    expect(await tight.list(ws, { q: '王', tag: 'vip', limit: 5 })).toEqual([]);
    expect(await tight.list(ws, { q: 'nobody', limit: 5 })).toEqual([]);
  });
});
