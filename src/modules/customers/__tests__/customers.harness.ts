import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/helpers/app.js';

export const SYSTEM = { type: 'system' as const, id: null };
export type Auth = { authorization: string };

/** The app with the API tokens the customers tests call it with: an admin, a plain agent, and an admin of another workspace. */
export interface CustomersHarness { t: TestApp; admin: Auth; agent: Auth; otherAdmin: Auth; otherWorkspaceId: string }

export async function customersHarness(): Promise<CustomersHarness> {
  const t = await createTestApp();
  const token = async (workspaceId: string, agentId: string) => ({ authorization: `Bearer ${(await t.services.accounts.createApiToken(workspaceId, agentId, 'test', SYSTEM)).token}` });
  const agentId = (await t.services.accounts.createAgent(t.workspace.id, { email: 'agent@acme.example', name: 'agent', role: 'agent', password: 'agent-password-1' }, SYSTEM)).id;
  const beta = await t.addWorkspace('beta');
  return { t, admin: await token(t.workspace.id, t.workspace.admin.id), agent: await token(t.workspace.id, agentId), otherAdmin: await token(beta.id, beta.admin.id), otherWorkspaceId: beta.id };
}

/**
 * The harness around a test file: `h` is filled in before its first test (then `setUp` runs) and
 * closed after its last; `api` calls the app's REST API with one of its tokens (none: signed out).
 */
export function useCustomersHarness(setUp?: (h: CustomersHarness) => Promise<void>) {
  const h = {} as CustomersHarness;
  beforeAll(async () => {
    Object.assign(h, await customersHarness());
    await setUp?.(h);
  });
  afterAll(async () => { await h.t?.close(); });
  const api = (headers: Auth | undefined, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    h.t.app.http.inject({ method, url: `/api/v1${url}`, ...(headers ? { headers } : {}), ...(payload === undefined ? {} : { payload: payload as object }) });
  return { h, api };
}

/** Every table and column (text, json, arrays, bytes) of the database that holds `value` anywhere: what an erasure must leave empty. */
export async function tablesHolding<T>(db: Kysely<T>, value: string): Promise<string[]> {
  const { rows: columns } = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select c.table_name, c.column_name, c.data_type from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema = 'public' and c.data_type in ('text', 'character varying', 'jsonb', 'json', 'ARRAY', 'bytea')`.execute(db);
  const found: string[] = [];
  for (const { table_name, column_name, data_type } of columns) {
    const column = sql.ref(column_name);
    const has = data_type === 'bytea' ? sql`position(convert_to(${value}, 'UTF8') in ${column}) > 0` : sql`strpos(${column}::text, ${value}) > 0`;
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table_name)} where ${has}`.execute(db);
    if (rows[0]!.n > 0) found.push(`${table_name}.${column_name}`);
  }
  return found;
}
