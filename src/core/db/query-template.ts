import { randomUUID } from 'node:crypto';
import { CompiledQuery, NoResultError, type Compilable, type Kysely, type QueryNode, type QueryResult } from 'kysely';
import { assertOwnWorkspace, workspaceScope } from '../tenancy.js';
import type { DB } from './database.js';

/** A value Postgres takes as one parameter (JSON as text: stringify it first). */
export type TemplateValue = string | number | bigint | boolean | Date | Buffer | null | undefined | readonly unknown[];

/** A template's arguments: `TemplateValue`s, or plain records of them (a row to insert), by name. */
export type TemplateArgs<A> = { [K in keyof A]: TemplateValue | object };

/**
 * Stands for one argument while a template's query is built, and in the compiled query's
 * parameters until a run puts the argument's value in its place. It is no value: building must
 * only hand it to the builder, never look at it (a template is built once, for every value).
 */
class Slot {
  constructor(readonly path: string) {
    Object.freeze(this);
  }

  [Symbol.toPrimitive](): never {
    throw new Error(`query template: the argument "${this.path}" was read while building; build with it, never branch on or format it`);
  }

  toJSON(): never {
    return this[Symbol.toPrimitive]();
  }
}

/** Compiled in place of the workspace a scoped query runs in (core/tenancy.ts), then replaced by it. */
const ANY_WORKSPACE = randomUUID();

/**
 * A query that Kysely builds, scopes to a workspace and compiles once, then runs with new values
 * (issue 15: building, the tenancy transform and compiling were about a fifth of Node's CPU per new
 * ticket, for statements of the same shape every time). `build` gets a stand-in for each argument
 * whose value may change (a `Slot`); arguments that are `null`, `true` or `false` are handed over
 * as they are, undefined ones are left out, and each combination of them is compiled once of its
 * own, so a builder may leave out an undefined column or add a clause `$if` a flag is set. It must
 * not otherwise depend on the arguments: `in` lists of varying length take an array (`= any(…)`).
 * An argument may be a plain record of such values (a row for `values`), one level or more.
 *
 * Run on a workspace's database (`Tenancy.forWorkspace`, a transaction of one) the query is
 * compiled with the same scope for a placeholder workspace, which each run replaces; which tables
 * it scopes are those of the first handle it ran on (a process loads them once, at start). A
 * `workspace_id` the query writes is checked against the scope on every run, as the scope would.
 */
export class QueryTemplate<A extends TemplateArgs<A>, O, D = DB> {
  /** By shape: the query, and the arguments it writes as its rows' `workspace_id` (checked against the scope's on each run). */
  private readonly compiled = new Map<string, { query: CompiledQuery<O>; workspaceIds: string[] }>();

  constructor(private readonly build: (db: Kysely<D>, args: A) => Compilable<O>) {}

  async run(db: Kysely<D>, args: A): Promise<QueryResult<O>> {
    return (await this.execute(db, args)).result;
  }

  /** The first row, or undefined. */
  async first(db: Kysely<D>, args: A): Promise<O | undefined> {
    return (await this.run(db, args)).rows[0];
  }

  /** The first row; Kysely's NoResultError when there is none (as `executeTakeFirstOrThrow`). */
  async firstOrThrow(db: Kysely<D>, args: A): Promise<O> {
    const { result, query } = await this.execute(db, args);
    if (!result.rows.length) throw new NoResultError(query.query as QueryNode);
    return result.rows[0]!;
  }

  async rows(db: Kysely<D>, args: A): Promise<O[]> {
    return (await this.run(db, args)).rows;
  }

  private async execute(db: Kysely<D>, args: A): Promise<{ result: QueryResult<O>; query: CompiledQuery<O> }> {
    const scope = workspaceScope(db);
    const values = new Map<string, unknown>();
    const shape = `${scope ? 'w' : '-'}${shapeOf(args, '', values)}`;
    let compiled = this.compiled.get(shape);
    if (!compiled) {
      const workspaceIds: string[] = [];
      const writesWorkspace = (value: unknown) => value instanceof Slot && workspaceIds.push(value.path) > 0;
      compiled = { query: this.build(scope ? scope.scopedTo(ANY_WORKSPACE, writesWorkspace) : db, standIn(args, '') as A).compile(), workspaceIds };
      // `in` given a stand-in compiles to `in $1`, which Postgres refuses only when it runs.
      if (/ in \$\d+/.test(compiled.query.sql)) throw new Error(`query template: an \`in\` list takes an array of varying length as \`= any(…)\`: ${compiled.query.sql}`);
      this.compiled.set(shape, compiled);
    }
    const { query, workspaceIds } = compiled;
    for (const path of workspaceIds) assertOwnWorkspace(values.get(path), scope!.workspaceId);
    const parameters = query.parameters.map((p) => (p instanceof Slot ? values.get(p.path) : p === ANY_WORKSPACE ? scope!.workspaceId : p));
    return { result: await db.executeQuery(CompiledQuery.raw(query.sql, parameters) as CompiledQuery<O>), query };
  }
}

export function queryTemplate<A extends TemplateArgs<A>, O>(build: (db: Kysely<DB>, args: A) => Compilable<O>): QueryTemplate<A, O> {
  return new QueryTemplate(build);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && [Object.prototype, null].includes(Object.getPrototypeOf(value));

/** Names present, in order, with what the builder gets for each: `n`ull, `t`rue, `f`alse, a record, or a `v`alue (whose path and value go to `values`). */
function shapeOf(record: object, prefix: string, values: Map<string, unknown>): string {
  const parts: string[] = [];
  for (const name of Object.keys(record).sort()) {
    const value = (record as Record<string, unknown>)[name];
    const path = `${prefix}${name}`;
    if (value === undefined) continue;
    if (value === null) parts.push(`${path}:n`);
    else if (value === true) parts.push(`${path}:t`);
    else if (value === false) parts.push(`${path}:f`);
    else if (isRecord(value)) parts.push(`${path}{${shapeOf(value, `${path}.`, values)}}`);
    else if (typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value) && !Array.isArray(value)) {
      throw new Error(`query template: the argument "${path}" is neither a value nor a plain record`);
    } else {
      parts.push(`${path}:v`);
      values.set(path, value);
    }
  }
  return parts.join(',');
}

function standIn(record: object, prefix: string): Record<string, unknown> {
  const stand: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) {
    const path = `${prefix}${name}`;
    if (value === undefined) continue;
    stand[name] = value === null || typeof value === 'boolean' ? value : isRecord(value) ? standIn(value, `${path}.`) : new Slot(path);
  }
  return stand;
}
