import {
  AliasNode, BinaryOperationNode, ColumnNode, JoinNode, OperationNodeTransformer, OperatorNode,
  PrimitiveValueListNode, QueryNode, ReferenceNode, TableNode, ValueListNode, ValueNode, ValuesNode,
  sql,
  type DeleteQueryNode, type InsertQueryNode, type Kysely, type KyselyPlugin, type OperationNode,
  type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode,
  type SelectQueryNode, type UnknownRow, type UpdateQueryNode,
} from 'kysely';
import { AppError } from './errors.js';

/**
 * Workspace scoping, done in one place: every query built through `forWorkspace(id)` gets
 * `workspace_id = id` on each tenant-owned table it reads, joins, updates or deletes, and every
 * insert into one gets that `workspace_id` (or is refused if it names another). Raw `sql` text is
 * not rewritten, so repositories build their queries with the query builder.
 */
export class Tenancy<DB> {
  private constructor(private readonly db: Kysely<DB>, readonly tenantTables: ReadonlySet<string>) {}

  /** A tenant-owned table is any table in `public` with a `workspace_id` column: the schema is the source of truth. */
  static async load<DB>(db: Kysely<DB>): Promise<Tenancy<DB>> {
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.columns
      where table_schema = 'public' and column_name = 'workspace_id'`.execute(db);
    return new Tenancy(db, new Set(rows.map((r) => r.table_name)));
  }

  forWorkspace(workspaceId: string): Kysely<DB> {
    return this.db.withPlugin(new WorkspaceScopePlugin(workspaceId, this.tenantTables));
  }
}

/**
 * The workspace a database handle (or a transaction of one) is scoped to by `forWorkspace`, and
 * the same scope for another workspace: for queries compiled once and run in any workspace
 * (db/query-template.ts). Undefined for an unscoped handle.
 */
export function workspaceScope<DB>(db: Kysely<DB>): WorkspaceScope<DB> | undefined {
  const plugin = db.getExecutor().plugins.find((p): p is WorkspaceScopePlugin => p instanceof WorkspaceScopePlugin);
  return plugin && {
    workspaceId: plugin.workspaceId,
    scopedTo: (workspaceId, checkedLater) => db.withoutPlugins().withPlugin(new WorkspaceScopePlugin(workspaceId, plugin.tenantTables, checkedLater)),
  };
}

export interface WorkspaceScope<DB> {
  workspaceId: string;
  /**
   * The same scope for another workspace. A `workspace_id` written whose value `checkedLater`
   * takes (a stand-in of a query compiled once) is not refused now: the caller checks it with
   * `assertOwnWorkspace` when the value is known.
   */
  scopedTo(workspaceId: string, checkedLater?: (value: unknown) => boolean): Kysely<DB>;
}

/** A write into a tenant table naming another workspace than the one it is scoped to is refused. */
export function assertOwnWorkspace(value: unknown, workspaceId: string): void {
  if (value !== workspaceId) throw new AppError('TENANCY_VIOLATION', 500, 'Refused to write a row into another workspace');
}

class WorkspaceScopePlugin implements KyselyPlugin {
  private readonly transformer: WorkspaceScopeTransformer;
  constructor(readonly workspaceId: string, readonly tenantTables: ReadonlySet<string>, checkedLater?: (value: unknown) => boolean) {
    this.transformer = new WorkspaceScopeTransformer(workspaceId, tenantTables, checkedLater);
  }
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.transformer.transformNode(args.node);
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

class WorkspaceScopeTransformer extends OperationNodeTransformer {
  constructor(private readonly workspaceId: string, private readonly tenantTables: ReadonlySet<string>, private readonly checkedLater?: (value: unknown) => boolean) {
    super();
  }

  protected override transformSelectQuery(node: SelectQueryNode): SelectQueryNode {
    const inner = super.transformSelectQuery(node);
    return this.scopeJoins(this.scopeWhere(inner, inner.from?.froms ?? []));
  }

  protected override transformUpdateQuery(node: UpdateQueryNode): UpdateQueryNode {
    const inner = super.transformUpdateQuery(node);
    const targets = [inner.table, ...(inner.from?.froms ?? [])].filter((t): t is OperationNode => !!t);
    return this.scopeJoins(this.scopeWhere(inner, targets));
  }

  protected override transformDeleteQuery(node: DeleteQueryNode): DeleteQueryNode {
    const inner = super.transformDeleteQuery(node);
    return this.scopeJoins(this.scopeWhere(inner, [...inner.from.froms, ...(inner.using?.tables ?? [])]));
  }

  protected override transformInsertQuery(node: InsertQueryNode): InsertQueryNode {
    const inner = super.transformInsertQuery(node);
    if (!inner.into || !this.tenantTables.has(tableName(inner.into))) return inner;
    if (!inner.values || !ValuesNode.is(inner.values)) {
      throw new AppError('TENANCY_UNSUPPORTED_INSERT', 500, 'Inserts into tenant tables must list their values');
    }
    const columns = inner.columns ?? [];
    const at = columns.findIndex((c) => c.column.name === 'workspace_id');
    if (at >= 0) {
      for (const row of inner.values.values) {
        const value = rowValue(row, at);
        if (!this.checkedLater?.(value)) assertOwnWorkspace(value, this.workspaceId);
      }
      return inner;
    }
    const rows = inner.values.values.map((row) =>
      PrimitiveValueListNode.is(row)
        ? PrimitiveValueListNode.create([...row.values, this.workspaceId])
        : ValueListNode.create([...row.values, ValueNode.create(this.workspaceId)]));
    return { ...inner, columns: [...columns, ColumnNode.create('workspace_id')], values: ValuesNode.create(rows) };
  }

  private scopeWhere<T extends SelectQueryNode | UpdateQueryNode | DeleteQueryNode>(node: T, tables: readonly OperationNode[]): T {
    return tables.reduce<T>((scoped, table) => {
      const predicate = this.predicateFor(table);
      return predicate ? QueryNode.cloneWithWhere(scoped, predicate) : scoped;
    }, node);
  }

  private scopeJoins<T extends SelectQueryNode | UpdateQueryNode | DeleteQueryNode>(node: T): T {
    if (!node.joins?.length) return node;
    const joins = node.joins.map((join) => {
      const predicate = this.predicateFor(join.table);
      return predicate ? JoinNode.cloneWithOn(join, predicate) : join;
    });
    return { ...node, joins };
  }

  /** `<table or alias>.workspace_id = $id` for a tenant table; nothing for anything else. */
  private predicateFor(table: OperationNode): OperationNode | undefined {
    const target = AliasNode.is(table) ? table.node : table;
    if (!TableNode.is(target) || !this.tenantTables.has(tableName(target))) return undefined;
    const qualifier = AliasNode.is(table) && 'name' in table.alias ? String(table.alias.name) : tableName(target);
    return BinaryOperationNode.create(
      ReferenceNode.create(ColumnNode.create('workspace_id'), TableNode.create(qualifier)),
      OperatorNode.create('='),
      ValueNode.create(this.workspaceId),
    );
  }
}

function tableName(node: TableNode): string {
  return node.table.identifier.name;
}

function rowValue(row: OperationNode, index: number): unknown {
  if (PrimitiveValueListNode.is(row)) return row.values[index];
  if (ValueListNode.is(row)) {
    const cell = row.values[index];
    return cell && ValueNode.is(cell) ? cell.value : undefined;
  }
  return undefined;
}
