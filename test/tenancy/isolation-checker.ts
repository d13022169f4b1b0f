import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { App, AppRoute } from '../../src/app.js';
import { probeFor, NOT_TENANT_ROUTES, type Ids, type Probe, type ProbeMaker } from './route-probes.js';

/** One workspace's side of the check: its fixture ids, and (for the intruder) its credentials. */
export interface Side { id: string; ids: Ids }
export interface Intruder extends Side {
  apiToken: string;
  /** A portal host that maps to the intruder's workspace, and its signed-in customer. */
  host: string;
  customerCookie: string;
  csrfCookie: string;
  csrfToken: string;
}

export interface IsolationCheck {
  app: App;
  db: Kysely<unknown>;
  victim: Side;
  intruder: Intruder;
  /** Called after every request, before the checks look at the data (an app with job queues drains them here). */
  settle?: () => Promise<void>;
  /** Probes for routes route-probes.ts does not know (a test's own routes). */
  probes?: Record<string, ProbeMaker>;
}

export interface IsolationReport {
  violations: string[];
  /** How many requests carried a foreign id, by where it travelled. */
  probes: { path: number; query: number; body: number };
}

/**
 * Tries every route of `app` as the intruder with the victim's ids: in the path (each route's
 * probe in route-probes.ts), and in every query or body field that holds an id (found in the
 * route's own zod schema, so a new field is tried without anyone listing it). After each request:
 * the answer must hold none of the victim's ids or texts, the victim's rows must be unchanged, and
 * no row of the intruder's may have come to name one of the victim's ids. A route that takes an
 * id the probes cannot fill is itself a violation, so nothing is silently left out.
 */
export async function checkIsolation(check: IsolationCheck): Promise<IsolationReport> {
  const { app, victim, intruder } = check;
  const violations: string[] = [];
  const probes = { path: 0, query: 0, body: 0 };
  const secrets = Object.entries(victim.ids).filter(([, value]) => value.length >= 8);
  const data = await tenantData(check.db, victim, intruder);
  let victimBefore = await data.victimRows();
  let crossBefore = await data.crossReferences();
  if (victimBefore.size < 20) violations.push(`the victim workspace has rows in only ${victimBefore.size} tables: the fixture did not run`);

  const send = async (route: AppRoute, probe: Probe, label: string): Promise<{ status: number } | undefined> => {
    const isApi = route.url.startsWith('/api/');
    const headers: Record<string, string> = isApi
      ? { authorization: `Bearer ${intruder.apiToken}` }
      : { host: intruder.host, cookie: `${intruder.customerCookie}; ${intruder.csrfCookie}`, 'x-csrf-token': intruder.csrfToken, accept: 'text/html' };
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(probe.query ?? {})) for (const v of [value ?? []].flat()) query.append(key, v);
    const url = query.size ? `${probe.url}?${query}` : probe.url;
    const res = await app.http.inject({ method: route.method as 'GET', url, payload: probe.payload, headers: { ...headers, ...probe.headers } });
    await check.settle?.();
    const where = `${route.method} ${route.url} ${label} (${url}) → ${res.statusCode}`;
    // What the request carried itself (an id in a 404 page's URL, a refused id named in the error) is no leak.
    const echoable = `${url} ${JSON.stringify(probe.payload ?? {})}`;
    for (const [key, secret] of secrets) {
      if (res.body.includes(secret) && !echoable.includes(secret) && !probe.mayShow?.includes(key)) violations.push(`${where} leaked the victim's ${key}`);
    }
    const victimAfter = await data.victimRows();
    for (const table of changedTables(victimBefore, victimAfter)) violations.push(`${where} changed the victim's ${table}`);
    victimBefore = victimAfter;
    const crossAfter = await data.crossReferences();
    for (const table of changedTables(crossBefore, crossAfter)) violations.push(`${where} made a row of the intruder's ${table} name the victim's ids`);
    crossBefore = crossAfter;
    if (res.statusCode >= 500) violations.push(`${where}: a foreign id must be refused, not fail`);
    return { status: res.statusCode };
  };

  const routes = app.routes.filter((route) => !NOT_TENANT_ROUTES.some((pattern) => pattern.test(route.url)));
  // Paths first: those requests use the intruder's own body, so they change nothing of either side.
  for (const route of routes) {
    if (!route.url.includes(':')) continue;
    const probe = probeFor(route, victim.ids, intruder.ids, check.probes);
    if (!probe) {
      violations.push(`${route.method} ${route.url} has no probe in route-probes.ts`);
      continue;
    }
    if (route.method === 'GET' && probe.control !== false) {
      // The same request with the intruder's own ids must work, or a refusal proves nothing.
      const control = await send(route, probeFor(route, intruder.ids, intruder.ids, check.probes)!, 'with its own ids');
      if (control && control.status >= 400) violations.push(`${route.method} ${route.url} answers ${control.status} with the intruder's own ids: the probe is wrong`);
    }
    probes.path++;
    const res = await send(route, probe, 'with a foreign path');
    const allowed = probe.refusedWith ?? [401, 403, 404];
    if (res && !allowed.includes(res.status)) violations.push(`${route.method} ${route.url} with a foreign path answered ${res.status}, not one of ${allowed.join('/')}`);
  }

  // Then each id-carrying field of a query or body alone, everything else the intruder's own.
  for (const route of routes) {
    for (const part of ['querystring', 'body'] as const) {
      const schema = route.schema?.[part];
      const fields = schema ? idFields(schema) : [];
      if (!fields.length) continue;
      const own = probeFor(route, intruder.ids, intruder.ids, check.probes);
      const input = part === 'body' ? own?.payload : own?.query;
      if (!own || !input) {
        violations.push(`${route.method} ${route.url} takes ids in its ${part} (${fields.join(', ')}) but route-probes.ts gives it no ${part}`);
        continue;
      }
      const parsed = (schema as z.ZodType).safeParse(input);
      if (!parsed.success) violations.push(`${route.method} ${route.url}: the probe's ${part} fails the route's schema: ${parsed.error.message}`);
      for (const field of fields) {
        const values = readField(input, field);
        const keys = values.map((value) => Object.keys(intruder.ids).find((key) => intruder.ids[key] === value));
        if (!values.length || keys.some((key) => !key)) {
          violations.push(`${route.method} ${route.url}: the probe's ${part} has no fixture id in ${field}`);
          continue;
        }
        const foreign = writeField(structuredClone(input), field, keys.map((key) => victim.ids[key!]!));
        // The intruder's own ids beside the foreign one can make the request fail for them alone
        // (a victim's ticket moved to the intruder's department): try it without them too.
        const alone = fields.filter((other) => other !== field && !other.startsWith(`${field}.`) && !field.startsWith(`${other}.`))
          .reduce((current, other) => deleteField(current, other), structuredClone(foreign));
        const variants = [foreign];
        if (JSON.stringify(alone) !== JSON.stringify(foreign) && (schema as z.ZodType).safeParse(alone).success) variants.push(alone);
        for (const variant of variants) {
          probes[part === 'body' ? 'body' : 'query']++;
          const label = `with a foreign ${field}${variant === alone ? ' alone' : ''} in the ${part}`;
          await send(route, part === 'body' ? { ...own, payload: variant as object } : { ...own, query: variant as Probe['query'] }, label);
        }
      }
    }
  }
  return { violations, probes };
}

/** A field holds an id when its name says so or it is a uuid, except the fields below. */
const ID_NAME = /^(id|ids|sid|translationOf)$|Ids?$/;
const NOT_IDS = new Set([
  'externalId', // the caller's own key for idempotency, never a Kefu id
  'clientMessageId', // the same, for chat messages
  'nodes[].id', 'nodes[].answers[].id', // a troubleshooting tree's node names, local to the tree
]);

/** Paths (`a.b`, `list[].c`) of the id-holding fields of a zod schema. */
export function idFields(schema: unknown): string[] {
  if (!(schema instanceof z.ZodType)) return [];
  const fields = new Set<string>();
  const walk = (node: JsonSchema | undefined, path: string, name: string) => {
    if (!node) return;
    for (const variant of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) walk(variant, path, name);
    const isId = (s: JsonSchema | undefined) => s?.format === 'uuid' || (s?.anyOf ?? []).some((v) => v.format === 'uuid');
    if (path && !NOT_IDS.has(path) && !NOT_IDS.has(name) && (ID_NAME.test(name) || isId(node) || (node.type === 'array' && isId(node.items)))) fields.add(path);
    for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, path ? `${path}.${key}` : key, key);
    if (node.type === 'array' && node.items && node.items.type === 'object') walk(node.items, `${path}[]`, name);
  };
  walk(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema, '', '');
  return [...fields];
}

interface JsonSchema { type?: string; format?: string; properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; allOf?: JsonSchema[] }

/** The values at a field path: every element's for `[]` steps, and each item of an array value. */
function readField(input: unknown, field: string): string[] {
  const [head, ...rest] = field.split('.');
  const list = head!.endsWith('[]');
  const value = (input as Record<string, unknown> | undefined)?.[list ? head!.slice(0, -2) : head!];
  if (value === undefined || value === null) return [];
  if (list) return (value as unknown[]).flatMap((item) => readField(item, rest.join('.')));
  if (rest.length) return readField(value, rest.join('.'));
  return [value].flat().map(String);
}

/** Replaces the values at a field path, in order, with `values`. */
function writeField(input: unknown, field: string, values: string[]): unknown {
  const queue = [...values];
  const write = (node: Record<string, unknown>, steps: string[]) => {
    const [head, ...rest] = steps;
    const list = head!.endsWith('[]');
    const key = list ? head!.slice(0, -2) : head!;
    if (list) for (const item of node[key] as Record<string, unknown>[]) write(item, rest);
    else if (rest.length) write(node[key] as Record<string, unknown>, rest);
    else node[key] = Array.isArray(node[key]) ? (node[key] as unknown[]).map(() => queue.shift()) : queue.shift();
  };
  write(input as Record<string, unknown>, field.split('.'));
  return input;
}

/** Removes the field at a path (from every element for `[]` steps). */
function deleteField(input: unknown, field: string): unknown {
  const remove = (node: Record<string, unknown> | undefined, steps: string[]) => {
    if (!node) return;
    const [head, ...rest] = steps;
    const list = head!.endsWith('[]');
    const key = list ? head!.slice(0, -2) : head!;
    if (!rest.length) delete node[key];
    else if (list) for (const item of (node[key] as Record<string, unknown>[] | undefined) ?? []) remove(item, rest);
    else remove(node[key] as Record<string, unknown> | undefined, rest);
  };
  remove(input as Record<string, unknown>, field.split('.'));
  return input;
}

function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((table) => before.get(table) !== after.get(table));
}

/**
 * Fingerprints of the victim's rows per table, and counts of the intruder's rows that mention one
 * of the victim's ids, over every table with a workspace_id (the schema is the list).
 */
async function tenantData(db: Kysely<unknown>, victim: Side, intruder: Side) {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.columns where table_schema = 'public' and column_name = 'workspace_id' order by table_name`.execute(db);
  const tables = rows.map((row) => row.table_name);
  const victimIds = Object.values(victim.ids).filter((value) => /^[0-9a-f-]{36}$/.test(value));
  const fingerprint = sql.join([
    sql`select 'workspaces' as name, md5(w::text) as value from workspaces w where id = ${victim.id}`,
    ...tables.map((table) => sql`select ${table} as name, md5(string_agg(t::text, '|' order by t::text)) as value from ${sql.table(table)} t where workspace_id = ${victim.id}`),
  ], sql` union all `);
  const mentions = sql.join(tables.map((table) =>
    sql`select ${table} as name, count(*)::text as value from ${sql.table(table)} t where workspace_id = ${intruder.id} and t::text ~ ${victimIds.join('|')}`), sql` union all `);
  const run = async (query: ReturnType<typeof sql.join>) => {
    const result = await sql<{ name: string; value: string | null }>`${query}`.execute(db);
    return new Map(result.rows.filter((row) => row.value !== null && row.value !== '0').map((row) => [row.name, row.value!]));
  };
  return { victimRows: () => run(fingerprint), crossReferences: () => run(mentions) };
}
