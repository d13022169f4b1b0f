import iconv from 'iconv-lite';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { SYSTEM, useCustomersHarness, type Auth } from './customers.harness.js';
import { decodeCsv } from '../customers.import.js';
import { runReplayable } from '../../../core/jobs/index.js';

const { h } = useCustomersHarness(async (h) => {
  await h.t.services.customers.defineAttribute(h.t.workspace.id, { key: 'tier', labels: { en: 'Tier' }, type: 'choice', choices: ['gold', 'silver'] }, SYSTEM);
  await h.t.services.customers.defineAttribute(h.t.workspace.id, { key: 'since', labels: { en: 'Customer since' }, type: 'date', choices: [] }, SYSTEM);
});

const upload = (headers: Auth, bytes: Buffer, fileName = 'customers.csv', contentType = 'text/csv') =>
  h.t.app.http.inject({ method: 'POST', url: `/api/v1/customers/imports?fileName=${encodeURIComponent(fileName)}`, headers: { ...headers, 'content-type': contentType }, payload: bytes });
const get = (headers: Auth, url: string) => h.t.app.http.inject({ method: 'GET', url: `/api/v1${url}`, headers });

/** 1,000 customers as Excel on Chinese Windows saves them (GBK, no BOM), three rows broken. */
function gbkFile(): { bytes: Buffer; bad: number[] } {
  const lines = ['邮箱,姓名,电话,公司,标签,tier,since'];
  const bad: number[] = [];
  for (let i = 1; i <= 1000; i++) {
    const line = i + 1;
    if (i === 10) { lines.push(`not-an-email,坏行${i},,,,,`); bad.push(line); continue; }
    if (i === 500) { lines.push(`kehu${i}@example.cn,客户${i},,,,platinum,`); bad.push(line); continue; }
    if (i === 999) { lines.push(`kehu1@example.cn,重复${i},,,,,`); bad.push(line); continue; }
    lines.push(`kehu${i}@example.cn,客户${i}号,+86 139 ${String(10000000 + i)},${i % 2 ? '上海文印' : '北京印务'},vip;打印机,${i % 3 ? 'gold' : 'silver'},2024/3/${(i % 28) + 1}`);
  }
  return { bytes: iconv.encode(lines.join('\r\n'), 'gbk'), bad };
}

async function finished(id: string) {
  await h.t.jobs.drain();
  const status = await get(h.admin, `/customers/imports/${id}`);
  expect(status.statusCode, status.body).toBe(200);
  return status.json();
}

describe('CSV import', () => {
  it('decodes UTF-8 with and without a BOM, UTF-16 and GBK', () => {
    const text = '邮箱,姓名\r\nli@example.cn,李娜\r\n';
    expect(decodeCsv(Buffer.from(`\uFEFF${text}`, 'utf8'))).toBe(text);
    expect(decodeCsv(Buffer.from(text, 'utf8'))).toBe(text);
    expect(decodeCsv(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))).toBe(text);
    expect(decodeCsv(iconv.encode(text, 'gbk'))).toBe(text);
    expect(decodeCsv(iconv.encode(text, 'gb18030'))).toBe(text);
  });

  it('imports a GBK file of 1,000 customers: good rows in, the three bad ones reported by line', async () => {
    const { bytes, bad } = gbkFile();
    const started = await upload(h.admin, bytes, '客户名单.csv');
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json()).toMatchObject({ fileName: '客户名单.csv', status: 'queued', total: 1000, processed: 0 });
    const done = await finished(started.json().id);
    expect(done).toMatchObject({ status: 'done', total: 1000, processed: 1000, created: 997, updated: 0 });
    expect(done.refused.map((r: { line: number }) => r.line)).toEqual(bad);
    expect(done.refused.map((r: { reason: string }) => r.reason)).toEqual([
      'not a valid e-mail address', 'tier must be one of gold, silver', 'the same e-mail as line 2',
    ]);
    // The console shows each reason in its own language from the code and its values.
    expect(done.refused.map((r: { code: string; params?: object }) => [r.code, r.params])).toEqual([
      ['email_invalid', undefined], ['attribute_invalid', { key: 'tier', type: 'choice', choices: 'gold, silver' }], ['email_repeated', { line: 2 }],
    ]);

    const { customers } = h.t.services;
    const one = (await customers.findByIdentity(h.t.workspace.id, 'email', 'kehu7@example.cn'))!;
    expect(one).toMatchObject({ name: '客户7号', tags: ['vip', '打印机'], attributes: { tier: 'gold', since: '2024-03-08' } });
    expect(await customers.findByIdentity(h.t.workspace.id, 'phone', '+8613910000007')).toMatchObject({ id: one.id });
    const company = (await customers.companies(h.t.workspace.id)).find((c) => c.id === one.company_id);
    expect(company?.name).toBe('上海文印');
    expect((await customers.list(h.t.workspace.id, { q: '客户7号' })).customers.map((c) => c.id)).toEqual([one.id]);
    expect(await customers.findByIdentity(h.t.workspace.id, 'email', 'kehu500@example.cn')).toBeUndefined();
  });

  it('updates known customers: given cells replace, tags and attributes add up, empty cells change nothing', async () => {
    const started = await upload(h.admin, Buffer.from('email,name,tags,tier\r\nkehu7@example.cn,,vvip,silver\r\nkehu8@example.cn,Eight,,\r\n'));
    const done = await finished(started.json().id);
    expect(done).toMatchObject({ created: 0, updated: 2, refused: [] });
    const seven = (await h.t.services.customers.findByIdentity(h.t.workspace.id, 'email', 'kehu7@example.cn'))!;
    expect(seven).toMatchObject({ name: '客户7号', attributes: { tier: 'silver', since: '2024-03-08' } });
    expect([...seven.tags].sort()).toEqual(['vip', 'vvip', '打印机']);
    expect((await h.t.services.customers.findByIdentity(h.t.workspace.id, 'email', 'kehu8@example.cn'))!.name).toBe('Eight');
  });

  it('refuses a phone another customer has, and keeps the rest of the row out', async () => {
    const started = await upload(h.admin, Buffer.from('email,phone\r\nnew.one@example.cn,+8613910000007\r\n'));
    const done = await finished(started.json().id);
    expect(done).toMatchObject({ created: 0, refused: [{ line: 2, email: 'new.one@example.cn', reason: 'this phone belongs to another customer', code: 'phone_taken' }] });
    expect(await h.t.services.customers.findByIdentity(h.t.workspace.id, 'email', 'new.one@example.cn')).toBeUndefined();
  });

  it('imports a row with a phone and no e-mail as a customer known by phone, or updates whoever holds the phone', async () => {
    const ws = h.t.workspace.id;
    const file = 'email,name,phone,tags\r\n,孙电话,+86 138 0000 1111,回访\r\n,,+86 138 0000 2222,\r\n,重复,+8613800001111,\r\n,没有联系方式,,vip\r\n,坏号码,12ab,\r\n';
    const done = await finished((await upload(h.admin, Buffer.from(file))).json().id);
    expect(done).toMatchObject({ status: 'done', processed: 5, created: 2, updated: 0 });
    // Refused rows show no placeholder address: they have no e-mail.
    expect(done.refused).toEqual([
      { line: 4, email: null, reason: 'the same phone as line 2', code: 'phone_repeated', params: { line: 2 } },
      { line: 5, email: null, reason: 'neither an e-mail nor a phone: a customer needs one of them', code: 'contact_missing' },
      { line: 6, email: null, reason: 'not a valid phone number', code: 'phone_invalid' },
    ]);
    const sun = (await h.t.services.customers.findByIdentity(ws, 'phone', '+8613800001111'))!;
    // The same customer the API makes from a phone alone: the placeholder address, the phone primary.
    expect(sun).toMatchObject({ name: '孙电话', email: 'phone-8613800001111@phone.invalid', tags: ['回访'] });
    expect((await h.t.services.customers.identities(ws, sun.id)).map((i) => [i.kind, i.value, i.is_primary])).toEqual(expect.arrayContaining([
      ['email', 'phone-8613800001111@phone.invalid', true], ['phone', '+8613800001111', true],
    ]));
    expect(await h.t.services.customers.findByIdentity(ws, 'phone', '+8613800002222')).toMatchObject({ name: '+8613800002222' });

    // A phone-only row of a phone already held updates its customer (one with an e-mail here), and never makes a second one.
    const again = await finished((await upload(h.admin, Buffer.from('phone,name,tags\r\n+86 139 1000 0007,,回访\r\n+8613800001111,孙电话二,\r\n'))).json().id);
    expect(again).toMatchObject({ created: 0, updated: 2, refused: [] });
    const seven = (await h.t.services.customers.findByIdentity(ws, 'email', 'kehu7@example.cn'))!;
    expect(seven.tags).toContain('回访');
    expect(await h.t.services.customers.findByIdentity(ws, 'phone', '+8613910000007')).toMatchObject({ id: seven.id });
    expect(await h.t.services.customers.findByIdentity(ws, 'phone', '+8613800001111')).toMatchObject({ id: sun.id, name: '孙电话二' });
  });

  it('refuses a file with wrong columns, neither an e-mail nor a phone column, no rows or too many, and changes nothing', async () => {
    const imports = async () => (await sql<{ n: string }>`select count(*) as n from customer_imports`.execute(h.t.database.db)).rows[0]!.n;
    const before = await imports();
    const wrong = await upload(h.admin, Buffer.from('email,shoe_size,colour\r\na@example.cn,42,red\r\n'));
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error).toMatchObject({ code: 'CSV_COLUMNS_INVALID', details: { unknown: ['shoe_size', 'colour'], missing: [] } });
    expect((await upload(h.admin, Buffer.from('name\r\nx\r\n'))).json().error).toMatchObject({ code: 'CSV_COLUMNS_INVALID', details: { missing: ['email', 'phone'] } });
    expect((await upload(h.admin, Buffer.from('email,email\r\n'))).json().error.code).toBe('CSV_COLUMNS_INVALID');
    expect((await upload(h.admin, Buffer.alloc(0))).json().error.code).toMatch(/^(CSV_EMPTY|VALIDATION_FAILED)$/);
    expect((await upload(h.admin, Buffer.from('email\r\n"unclosed\r\n'))).json().error.code).toBe('CSV_UNREADABLE');
    const huge = Buffer.from(`email\r\n${Array.from({ length: 100_000 }, (_, i) => `c${i}@example.cn`).join('\r\n')}`);
    const tooMany = await upload(h.admin, huge);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error).toMatchObject({ code: 'CSV_TOO_MANY_ROWS', details: { rows: 100_000, max: 50_000 } });
    expect((await h.t.app.http.inject({ method: 'POST', url: '/api/v1/customers/imports', headers: h.admin, payload: { email: 'x' } })).statusCode).toBe(400);
    expect(await imports()).toBe(before);
  });

  it('is for admins of the workspace only', async () => {
    expect((await upload(h.agent, Buffer.from('email\r\na@example.cn\r\n'))).statusCode).toBe(403);
    const { id } = (await get(h.admin, '/customers/imports')).json().imports[0];
    expect((await get(h.otherAdmin, `/customers/imports/${id}`)).json().error.code).toBe('IMPORT_NOT_FOUND');
    expect((await get(h.otherAdmin, '/customers/imports')).json().imports).toEqual([]);
  });
});

describe('CSV export', () => {
  it('writes every customer with the columns the import reads, in UTF-8 with a BOM or in GB18030, formulas defused', async () => {
    await h.t.services.customers.create(h.t.workspace.id, {
      name: '=HYPERLINK("http://evil")', tags: ['-1+cmd|calc'], email: 'formula@example.cn', locale: null, timeZone: null, companyId: null, address: null, attributes: {}, identities: [],
    }, SYSTEM);
    const utf8 = await get(h.admin, '/customers/export');
    expect(utf8.statusCode).toBe(200);
    expect(utf8.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(utf8.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = decodeCsv(utf8.rawPayload).trim().split('\r\n');
    expect(lines[0]).toBe('email,name,phone,locale,time_zone,company,tags,since,tier');
    // The header, the GBK file's 997, the two known only by phone and the one above.
    expect(lines).toHaveLength(1 + 997 + 2 + 1);
    expect(lines).toContain('kehu9@example.cn,客户9号,+8613910000009,,,上海文印,vip;打印机,2024-03-10,silver');
    // A customer known only by phone has no e-mail in the file (their placeholder address is none); the phone finds them again on import.
    expect(lines).toContain(',孙电话二,+8613800001111,,,,回访,,');
    expect(lines).toContain(`formula@example.cn,"'=HYPERLINK(""http://evil"")",,,,,'-1+cmd|calc,,`);

    const gbk = await get(h.admin, '/customers/export?encoding=gb18030');
    expect(iconv.decode(gbk.rawPayload, 'gb18030').split('\r\n')).toContain('kehu9@example.cn,客户9号,+8613910000009,,,上海文印,vip;打印机,2024-03-10,silver');
    expect((await get(h.agent, '/customers/export')).statusCode).toBe(403);
    expect((await get(h.otherAdmin, '/customers/export')).body).not.toContain('kehu9');
  });
});

describe('CSV import job', () => {
  it('keeps the rows read on upload for the job (the CSV is parsed once), dropped when done; an import stored as CSV still runs', async () => {
    const ws = h.t.workspace.id;
    const stored = async (id: string) => (await sql<{ rows: string | null; source: string | null }>`select rows, source from customer_imports where id = ${id}`.execute(h.t.database.db)).rows[0]!;
    const started = (await upload(h.admin, Buffer.from('email,name\r\n\r\nonce.parsed@example.cn,"Once, Parsed"\r\nagain@example.cn,Again\r\n'))).json();
    const queued = await stored(started.id);
    expect(queued.source).toBeNull();
    // Each row with its line (the empty line skipped).
    expect(JSON.parse(queued.rows!)).toEqual({ header: ['email', 'name'], rows: [
      { line: 3, cells: ['once.parsed@example.cn', 'Once, Parsed'] }, { line: 4, cells: ['again@example.cn', 'Again'] },
    ] });
    expect(await finished(started.id)).toMatchObject({ status: 'done', created: 2, refused: [] });
    expect(await stored(started.id)).toEqual({ rows: null, source: null });

    // An import uploaded before the rows were kept holds its CSV: the job parses it.
    const { rows: [legacy] } = await sql<{ id: string }>`insert into customer_imports (workspace_id, file_name, source, total)
      values (${ws}, 'old.csv', ${'email,name\r\nstill.csv@example.cn,Still\r\nbad,Bad\r\n'}, 2) returning id`.execute(h.t.database.db);
    await h.t.services.customerImports.run(ws, legacy!.id);
    expect(await h.t.services.customerImports.find(ws, legacy!.id)).toMatchObject({ status: 'done', created: 1, refused: [{ line: 3, code: 'email_invalid' }] });
    expect(await stored(legacy!.id)).toEqual({ rows: null, source: null });
    expect(await h.t.services.customers.findByIdentity(ws, 'email', 'still.csv@example.cn')).toMatchObject({ name: 'Still' });
  });

  it('writes batches side by side but commits them in file order: the progress always counts a prefix, two workers make each customer once, a failed batch takes the next one back with it, a deadlock between two is outlived', async () => {
    const ws = h.t.workspace.id;
    const db = h.t.database.db;
    const imports = h.t.services.customerImports;
    // Stored as an upload stores it, without the event that queues the job: these workers are the only ones.
    const start = async (prefix: string, phones: number) => {
      const rows = Array.from({ length: 2_000 }, (_, i) => ({
        line: i + 2, cells: [`${prefix}${i}@example.cn`, `${prefix} ${i}`, `+86 135 ${String(phones + i).padStart(8, '0')}`],
      }));
      const { rows: [made] } = await sql<{ id: string }>`insert into customer_imports (workspace_id, file_name, rows, total)
        values (${ws}, ${`${prefix}.csv`}, ${JSON.stringify({ header: ['email', 'name', 'phone'], rows })}, ${rows.length}) returning id`.execute(db);
      return made!.id;
    };
    // One statement, one snapshot: the progress beside the customers and phones committed so far.
    const snapshot = async (id: string, prefix: string) => (await sql<{ processed: number; customers: number; phones: number }>`
      select processed,
        (select count(*)::int from customers where workspace_id = ${ws} and email like ${`${prefix}%`}) as customers,
        (select count(*)::int from customer_identities i join customers c on c.id = i.customer_id
          where c.workspace_id = ${ws} and c.email like ${`${prefix}%`} and i.kind = 'phone') as phones
      from customer_imports where id = ${id}`.execute(db)).rows[0]!;

    // Two workers on one import (a job redelivered while the first still runs), watched as they go.
    const both = await start('pipe', 10_000_000);
    const seen: { processed: number; customers: number; phones: number }[] = [];
    let running = true;
    const watching = (async () => { while (running) { seen.push(await snapshot(both, 'pipe')); await new Promise((r) => setTimeout(r, 5)); } })();
    await Promise.all([imports.run(ws, both), imports.run(ws, both)]).finally(() => { running = false; });
    await watching;
    expect(seen.length).toBeGreaterThan(3);
    for (const moment of seen) expect(moment).toEqual({ processed: moment.processed, customers: moment.processed, phones: moment.processed });
    expect(await imports.find(ws, both)).toMatchObject({ status: 'done', processed: 2_000, created: 2_000, updated: 0, refused: [] });
    expect(await snapshot(both, 'pipe')).toEqual({ processed: 2_000, customers: 2_000, phones: 2_000 });

    // The third batch (lines 1,002-1,501) fails: it and the fourth, written beside it, are rolled back.
    await sql`create function refuse_boom() returns trigger language plpgsql as $$
      begin if new.email = 'boom1200@example.cn' then raise exception 'the disk is full'; end if; return new; end $$`.execute(db);
    await sql`create trigger refuse_boom before insert on customers for each row execute function refuse_boom()`.execute(db);
    const failing = await start('boom', 20_000_000);
    try {
      await expect(runReplayable(() => imports.run(ws, failing))).rejects.toThrow('the disk is full');
    } finally {
      await sql`drop trigger refuse_boom on customers; drop function refuse_boom()`.execute(db);
    }
    expect(await snapshot(failing, 'boom')).toEqual({ processed: 1_000, customers: 1_000, phones: 1_000 });
    await runReplayable(() => imports.run(ws, failing));
    expect(await imports.find(ws, failing)).toMatchObject({ status: 'done', processed: 2_000, created: 2_000, refused: [] });
    expect(await snapshot(failing, 'boom')).toEqual({ processed: 2_000, customers: 2_000, phones: 2_000 });

    // Two batches that wait for each other (two rows of one known customer): Postgres ends one,
    // and the run goes on one batch at a time from the progress committed.
    await sql`create sequence deadlock_once`.execute(db);
    await sql`create function deadlock_once() returns trigger language plpgsql as $$
      begin if new.email = 'lock1200@example.cn' and nextval('deadlock_once') = 1 then raise exception 'deadlock detected' using errcode = '40P01'; end if; return new; end $$`.execute(db);
    await sql`create trigger deadlock_once before insert on customers for each row execute function deadlock_once()`.execute(db);
    const deadlocked = await start('lock', 30_000_000);
    try {
      await runReplayable(() => imports.run(ws, deadlocked));
    } finally {
      await sql`drop trigger deadlock_once on customers; drop function deadlock_once(); drop sequence deadlock_once`.execute(db);
    }
    expect(await imports.find(ws, deadlocked)).toMatchObject({ status: 'done', processed: 2_000, created: 2_000, refused: [] });
    expect(await snapshot(deadlocked, 'lock')).toEqual({ processed: 2_000, customers: 2_000, phones: 2_000 });
  });

  it('gives customers and their identities ids in the order they are made (UUID version 7: the time first), not random ones', async () => {
    const made = (await sql<{ id: string; created_at: Date }>`select id, created_at from customers where workspace_id = ${h.t.workspace.id}
      union all select id, created_at from customer_identities where workspace_id = ${h.t.workspace.id}`.execute(h.t.database.db)).rows;
    expect(made.length).toBeGreaterThan(1000);
    for (const { id, created_at } of made) {
      expect(id[14], id).toBe('7');
      // The first 48 bits: the milliseconds since 1970 when the row was made (created_at is the transaction's start).
      expect(Math.abs(parseInt(id.replaceAll('-', '').slice(0, 12), 16) - created_at.getTime()), id).toBeLessThan(60_000);
    }
  });
});
