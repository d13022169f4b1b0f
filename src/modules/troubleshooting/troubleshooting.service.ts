import type { Clock } from '../../core/clock.js';
import { notFound, validationFailed } from '../../core/errors.js';
import type { EventBus } from '../../core/events/index.js';
import type { Locale } from '../../core/i18n/index.js';
import type { AccountsService, Actor } from '../accounts/index.js';
import type { NodeCount, TroubleshootingRepo } from './troubleshooting.repo.js';
import type { TreeAnswer, TreeContent, TreeNode, TreeRow } from './troubleshooting.schema.js';
import { KEY_RULE, LIMITS, TreeInput } from '../../contracts/troubleshooting.js';
import { assertValidTree, rootOf } from './troubleshooting.validate.js';
import { treeErrors } from './troubleshooting.errors.js';

export type Auditor = Pick<AccountsService, 'audit'>;

/** A linked article as the portal shows it; a missing id is a deleted or unpublished article. */
export interface ArticleLink {
  title: string;
  url: string;
}

/**
 * What this module needs from the knowledge base: which of some article ids still exist (published),
 * with a title and portal URL. Wired to the KB module in services.ts; without it, no link resolves
 * and solutions show their text only.
 */
export interface TreeArticles {
  links(workspaceId: string, ids: readonly string[], locale: Locale): Promise<Map<string, ArticleLink>>;
}

export const noArticles: TreeArticles = { links: async () => new Map() };

export interface NodeStats {
  nodeId: string;
  visits: number;
  advances: number;
  solutions: number;
  repairs: number;
  /** Visits that went no further: no answer chosen, no solution reached, no repair requested. */
  dropOffs: number;
}

/** One step already taken on a walk: the question and the answer given. */
export interface WalkStep {
  node: TreeNode;
  answer: TreeAnswer;
  /** The `?path=` that shows this step's question again ("back" to here). */
  path: string;
}

export interface Walk {
  tree: TreeRow & { published: TreeContent };
  steps: WalkStep[];
  current: TreeNode;
  /** The `?path=` of the current node (empty at the first question). */
  path: string;
  /** Part of the requested path no longer exists (the tree was edited since it was bookmarked). */
  truncated: boolean;
}

/** A `?path=`: answer ids from the first question on, joined by dots. */
export const PATH_RULE = new RegExp(`^${KEY_RULE.source.slice(1, -1)}(\\.${KEY_RULE.source.slice(1, -1)}){0,${LIMITS.depth - 1}}$`);

export class TroubleshootingService {
  constructor(
    private readonly repo: TroubleshootingRepo,
    private readonly auditor: Auditor,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private articles: TreeArticles = noArticles,
  ) {}

  /** The knowledge base arrives after this module is built (services.ts wires it). */
  useArticles(articles: TreeArticles): void {
    this.articles = articles;
  }

  list(workspaceId: string, filter: { locale?: Locale } = {}) {
    return this.repo.list(workspaceId, filter);
  }

  async get(workspaceId: string, id: string): Promise<TreeRow> {
    const tree = await this.repo.tree(workspaceId, id);
    if (!tree) throw notFound('tree');
    return tree;
  }

  /** `input` is unknown until parsed: a bad tree is refused whole, with every problem listed. */
  async create(workspaceId: string, input: unknown, actor: Actor): Promise<TreeRow> {
    const values = this.parse(input);
    if (await this.repo.slugTaken(workspaceId, values.locale, values.slug)) throw slugTaken(values);
    const tree = await this.repo.insert(workspaceId, values).catch(rethrowSlugTaken(values));
    await this.auditor.audit(workspaceId, actor, 'troubleshooting_tree.created', 'troubleshooting_tree', tree.id, { slug: tree.slug, locale: tree.locale });
    return tree;
  }

  /** Replaces the draft; `version` (the one the editor loaded) guards against overwriting a colleague's save. */
  async update(workspaceId: string, id: string, input: unknown, version: number | undefined, actor: Actor): Promise<TreeRow> {
    const values = this.parse(input);
    await this.get(workspaceId, id);
    if (await this.repo.slugTaken(workspaceId, values.locale, values.slug, id)) throw slugTaken(values);
    const tree = await this.repo.update(workspaceId, id, version, values, this.clock.now()).catch(rethrowSlugTaken(values));
    if (!tree) throw changedSince();
    await this.auditor.audit(workspaceId, actor, 'troubleshooting_tree.updated', 'troubleshooting_tree', id, { version: tree.version });
    return tree;
  }

  async remove(workspaceId: string, id: string, actor: Actor): Promise<void> {
    if (!(await this.repo.remove(workspaceId, id))) throw notFound('tree');
    await this.auditor.audit(workspaceId, actor, 'troubleshooting_tree.deleted', 'troubleshooting_tree', id, {});
  }

  /**
   * Customers walk the draft as it is now; later edits stay invisible until the next publish.
   * `version` (the saved version the editor sees) refuses to publish a draft someone saved since.
   */
  async publish(workspaceId: string, id: string, actor: Actor, version?: number): Promise<TreeRow> {
    const draft = await this.get(workspaceId, id);
    if (version !== undefined && draft.version !== version) throw changedSince();
    assertValidTree(draft.nodes); // saved trees are valid; this guards rows written by older code
    const content: TreeContent = { product: draft.product, title: draft.title, description: draft.description, nodes: draft.nodes };
    // The event commits with the published content: its subscribers (search) never miss a publish.
    const tree = await this.bus.transaction(this.repo.in(workspaceId), async (trx, events) => {
      // Only the version read above: a save in between would publish content nobody checked.
      const published = await this.repo.setPublished(workspaceId, id, content, this.clock.now(), trx, draft.version);
      if (!published) throw changedSince();
      events.publish('troubleshooting_tree.published', workspaceId, { treeId: id, slug: published.slug, locale: published.locale });
      return published;
    });
    await this.auditor.audit(workspaceId, actor, 'troubleshooting_tree.published', 'troubleshooting_tree', id, { version: tree.version });
    return tree;
  }

  async unpublish(workspaceId: string, id: string, actor: Actor): Promise<TreeRow> {
    const tree = await this.repo.setPublished(workspaceId, id, null, this.clock.now());
    if (!tree) throw notFound('tree');
    await this.auditor.audit(workspaceId, actor, 'troubleshooting_tree.unpublished', 'troubleshooting_tree', id, {});
    return tree;
  }

  /** Counters for every node of the draft (zero where nobody came yet), plus nodes since removed that still have counts. */
  async stats(workspaceId: string, id: string): Promise<NodeStats[]> {
    const tree = await this.get(workspaceId, id);
    const rows = new Map((await this.repo.stats(workspaceId, id)).map((r) => [r.node_id, r]));
    const ids = [...tree.nodes.map((n) => n.id), ...[...rows.keys()].filter((k) => !tree.nodes.some((n) => n.id === k))];
    return ids.map((nodeId) => {
      const r = rows.get(nodeId);
      const [visits, advances, solutions, repairs] = [r?.visits ?? 0, r?.advances ?? 0, r?.solutions ?? 0, r?.repairs ?? 0];
      return { nodeId, visits, advances, solutions, repairs, dropOffs: Math.max(0, visits - advances - solutions - repairs) };
    });
  }

  // ---- the portal --------------------------------------------------------------------------

  publishedTrees(workspaceId: string, locale: Locale) {
    return this.repo.list(workspaceId, { locale, publishedOnly: true });
  }

  /**
   * Follows `path` (answer ids from the first question) through the published tree as far as it
   * is valid. Counts a visit of the node reached, and an advance of the question just answered.
   */
  async walk(workspaceId: string, slug: string, locale: Locale, path: string | undefined, options: { count: boolean }): Promise<Walk> {
    const found = await this.repo.publishedBySlug(workspaceId, slug, locale);
    if (!found?.published) throw notFound('tree');
    const tree = found as Walk['tree'];
    const byId = new Map(tree.published.nodes.map((n) => [n.id, n]));
    const readable = !path || PATH_RULE.test(path);
    const wanted = path && readable ? path.split('.') : [];
    let current = rootOf(tree.published.nodes);
    const steps: WalkStep[] = [];
    for (const answerId of wanted) {
      const answer = current.answers.find((a) => a.id === answerId);
      const next = answer && byId.get(answer.next);
      if (!answer || !next) break;
      steps.push({ node: current, answer, path: steps.map((s) => s.answer.id).join('.') });
      current = next;
    }
    const walk: Walk = {
      tree, steps, current, path: steps.map((s) => s.answer.id).join('.'),
      truncated: !readable || steps.length !== wanted.length,
    };
    if (options.count) {
      const counts: NodeCount[] = [{ nodeId: current.id, visits: 1, solutions: current.kind === 'solution' ? 1 : 0 }];
      const answered = steps.at(-1);
      if (answered && !walk.truncated) counts.push({ nodeId: answered.node.id, advances: 1 });
      await this.repo.count(workspaceId, tree.id, counts);
    }
    return walk;
  }

  /** The customer chose "open a repair request" at a repair node: counted, then sent to the contact form. */
  async requestRepair(workspaceId: string, slug: string, locale: Locale, path: string | undefined): Promise<Walk> {
    const walk = await this.walk(workspaceId, slug, locale, path, { count: false });
    if (walk.current.kind !== 'repair' || walk.truncated) throw treeErrors.treeNotAtRepair('This step does not offer a repair request');
    await this.repo.count(workspaceId, walk.tree.id, [{ nodeId: walk.current.id, repairs: 1 }]);
    return walk;
  }

  articleLinks(workspaceId: string, ids: readonly string[], locale: Locale) {
    return ids.length ? this.articles.links(workspaceId, ids, locale) : Promise.resolve(new Map<string, ArticleLink>());
  }

  private parse(input: unknown) {
    const parsed = TreeInput.safeParse(input);
    if (!parsed.success) {
      throw validationFailed('The tree is not valid', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    }
    assertValidTree(parsed.data.nodes);
    return parsed.data;
  }
}

const changedSince = () => treeErrors.treeChanged('Someone saved this tree after you opened it; reload it and make your change again');

const slugTaken = (values: { slug: string; locale: Locale }) =>
  treeErrors.treeSlugTaken(`Another ${values.locale} tree already uses the address "${values.slug}"`, [{ path: 'slug', message: 'taken' }]);

/** Two editors creating the same slug at once: the unique index decides, the loser gets the same 409. */
const rethrowSlugTaken = (values: { slug: string; locale: Locale }) => (error: unknown): never => {
  if ((error as { code?: string }).code === '23505') throw slugTaken(values);
  throw error;
};
