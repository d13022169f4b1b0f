import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../../api/http.js';
import { Link, navigate } from '../../../router/router.js';
import { useSignedIn } from '../../../session/session.js';
import { HorizontalBarChart } from '../bar-chart.js';
import { listArticles } from '../help-centre-api.js';
import { useResource } from '../../../api/use-resource.js';
import { addAnswer, changeKind, depths, draftOf, emptyDraft, hasUnsavedChanges, placeProblems, removeAnswer, removeNode, updateNode, fieldMessageOf, type PlacedProblem } from './tree-draft.js';
import {
  NODE_KINDS, createTree, deleteTree, getTree, listTrees, problemsOf, publishTree, saveTree, treeStats, unpublishTree,
  type NodeKind, type NodeStats, type Tree, type TreeDraft, type TreeNode, type TreeProblem, type TreeSummary,
} from './trees-api.js';

const BASE = '/help-centre/troubleshooting';

/** `/help-centre/troubleshooting` lists the trees; `/new` and `/<id>` open the editor. */
export function TreesTab({ rest }: { rest: string }) {
  if (rest === '') return <TreeList />;
  return <TreeEditor key={rest} id={rest === 'new' ? null : rest} />;
}

function useCanEdit(): boolean {
  const { agent } = useSignedIn();
  return agent.role === 'editor' || agent.role === 'admin';
}

function TreeList() {
  const { t } = useTranslation();
  const canEdit = useCanEdit();
  const [trees, setTrees] = useState<TreeSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    listTrees().then(setTrees, (e: unknown) => setError(e instanceof ApiError ? e.code : 'UNKNOWN'));
  }, []);

  return (
    <div className="hc-section">
      <div className="hc-toolbar">
        <h2 className="section-title">{t('trees.title')}</h2>
        {canEdit && <Link className="button button-primary" to={`${BASE}/new`}>{t('trees.new')}</Link>}
      </div>
      {error && <p className="notice notice-error" role="alert">{t('trees.loadFailed')}</p>}
      {trees === null && !error && <p className="muted">{t('helpCentre.loading')}</p>}
      {trees?.length === 0 && <p className="muted">{t('trees.none')}</p>}
      {trees && trees.length > 0 && (
        <table className="hc-table">
          <thead><tr><th>{t('trees.fields.title')}</th><th>{t('trees.fields.product')}</th><th>{t('trees.fields.locale')}</th><th>{t('trees.status')}</th></tr></thead>
          <tbody>
            {trees.map((tree) => (
              <tr key={tree.id}>
                <td><Link to={`${BASE}/${tree.id}`}>{tree.title}</Link></td>
                <td>{tree.product}</td>
                <td>{tree.locale}</td>
                <td>
                  <span className={`chip ${tree.published ? 'chip-new' : 'chip-quiet'}`}>{t(tree.published ? 'trees.published' : 'trees.draft')}</span>
                  {tree.hasUnpublishedChanges && <span className="chip chip-note">{t('trees.unpublishedChanges')}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

type Phase = { kind: 'loading' } | { kind: 'ready' } | { kind: 'failed'; code: string };

function TreeEditor({ id }: { id: string | null }) {
  const { t, i18n } = useTranslation();
  const canEdit = useCanEdit();
  const [tree, setTree] = useState<Tree | null>(null);
  const [draft, setDraft] = useState<TreeDraft>(() => emptyDraft(i18n.language === 'zh-CN' ? 'zh-CN' : 'en'));
  const [stats, setStats] = useState<NodeStats[]>([]);
  const [phase, setPhase] = useState<Phase>(id ? { kind: 'loading' } : { kind: 'ready' });
  const [problems, setProblems] = useState<TreeProblem[]>([]);
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const problemsBox = useRef<HTMLDivElement>(null);
  // Solutions link a published article, chosen by title (any language: the portal shows the reader's).
  const articles = useResource(() => listArticles({ status: 'published' }), []);

  useEffect(() => {
    if (problems.length) problemsBox.current?.scrollIntoView({ block: 'nearest' });
  }, [problems]);

  const load = useCallback(async (treeId: string) => {
    try {
      const [loaded, numbers] = await Promise.all([getTree(treeId), treeStats(treeId)]);
      setTree(loaded);
      setDraft(draftOf(loaded));
      setStats(numbers);
      setPhase({ kind: 'ready' });
    } catch (error) {
      setPhase({ kind: 'failed', code: error instanceof ApiError ? error.code : 'UNKNOWN' });
    }
  }, []);
  useEffect(() => { if (id) void load(id); }, [id, load]);

  const run = async (action: () => Promise<Tree | void>, done: string) => {
    setBusy(true);
    setMessage(null);
    try {
      const result = await action();
      setProblems([]);
      if (result) {
        setTree(result);
        if (!id) navigate(`${BASE}/${result.id}`, { replace: true });
      }
      setMessage({ tone: 'ok', text: done });
    } catch (error) {
      setProblems(problemsOf(error));
      const code = error instanceof ApiError ? error.code : 'UNKNOWN';
      setMessage({ tone: 'error', text: errorText(t, code) });
    } finally {
      setBusy(false);
    }
  };

  const save = () => run(async () => {
    const saved = await (tree ? saveTree(tree.id, draft, tree.version) : createTree(draft));
    // What the server kept (trimmed, a lower-case slug …) goes on screen: nothing is left unsaved.
    setDraft(draftOf(saved));
    return saved;
  }, t('trees.saved'));
  const remove = () => {
    if (!tree || !window.confirm(t('trees.confirmDelete'))) return;
    void run(async () => { await deleteTree(tree.id); navigate(BASE); }, t('trees.deleted'));
  };

  const placed = useMemo(() => placeProblems(problems, draft.nodes), [problems, draft.nodes]);
  const unsaved = hasUnsavedChanges(draft, tree);
  const depth = useMemo(() => depths(draft.nodes), [draft.nodes]);
  const statsOf = useMemo(() => new Map(stats.map((s) => [s.nodeId, s])), [stats]);

  if (phase.kind === 'loading') return <p className="muted">{t('helpCentre.loading')}</p>;
  if (phase.kind === 'failed') return <p className="notice notice-error" role="alert">{errorText(t, phase.code)}</p>;

  const set = (patch: Partial<TreeDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const at = (node: string, field: string) => placed.filter((p) => p.node === node && p.field === field);
  /** A field's own problems, shown under it; the input points at them. */
  const invalid = (node: string, field: string) => (at(node, field).length ? { 'aria-invalid': true, 'aria-describedby': problemId(node, field) } : {});
  const fieldProblems = (node: string, field: string) => <FieldProblems id={problemId(node, field)} problems={at(node, field)} />;
  const treeFields = ['title', 'slug', 'locale', 'product', 'description'];
  const treeProblems = placed.filter((p) => p.node === '' && !treeFields.includes(p.field));
  const withVisits = stats.filter((s) => s.visits > 0);

  return (
    <div className="hc-section tree-editor">
      <p><Link className="back-link" to={BASE}>← {t('trees.title')}</Link></p>
      <div className="hc-toolbar">
        <h2 className="section-title">{tree ? tree.title : t('trees.new')}</h2>
        {tree && (
          <span className={`chip ${tree.published ? 'chip-new' : 'chip-quiet'}`}>{t(tree.published ? 'trees.published' : 'trees.draft')}</span>
        )}
        {tree?.published && <a href={tree.url} target="_blank" rel="noreferrer">{t('trees.viewOnPortal')}</a>}
      </div>

      {message && <p className={`notice ${message.tone === 'error' ? 'notice-error' : ''}`} role={message.tone === 'error' ? 'alert' : 'status'}>{message.text}</p>}
      {problems.length > 0 && (
        <div ref={problemsBox} className="notice notice-error tree-problems" role="alert">
          <p>{t('trees.problemsIntro', { count: problems.length })}</p>
          <ul>{placed.map((p, i) => <li key={i}>{problemText(t, p, draft.nodes)}</li>)}</ul>
        </div>
      )}

      <fieldset className="hc-fields" disabled={!canEdit || busy}>
        <label className="field">{t('trees.fields.title')}<input value={draft.title} maxLength={200} {...invalid('', 'title')} onChange={(e) => set({ title: e.target.value })} />{fieldProblems('', 'title')}</label>
        <label className="field">{t('trees.fields.slug')}<input value={draft.slug} maxLength={80} placeholder="printer-does-not-print" {...invalid('', 'slug')} onChange={(e) => set({ slug: e.target.value })} />{fieldProblems('', 'slug')}</label>
        <label className="field">{t('trees.fields.locale')}
          <select value={draft.locale} {...invalid('', 'locale')} onChange={(e) => set({ locale: e.target.value as TreeDraft['locale'] })}>
            <option value="zh-CN">中文</option><option value="en">English</option>
          </select>
          {fieldProblems('', 'locale')}
        </label>
        <label className="field">{t('trees.fields.product')}<input value={draft.product} maxLength={120} {...invalid('', 'product')} onChange={(e) => set({ product: e.target.value })} />{fieldProblems('', 'product')}</label>
        <label className="field hc-wide">{t('trees.fields.description')}<textarea value={draft.description} maxLength={1000} rows={2} {...invalid('', 'description')} onChange={(e) => set({ description: e.target.value })} />{fieldProblems('', 'description')}</label>
      </fieldset>
      {treeProblems.length > 0 && <ul className="inline-error">{treeProblems.map((p, i) => <li key={i}>{problemText(t, p, draft.nodes)}</li>)}</ul>}

      <h3 className="section-title">{t('trees.outline')}</h3>
      <ol className="tree-outline">
        {draft.nodes.map((node) => {
          const nodeProblems = placed.filter((p) => p.node === node.id);
          // What is not about one of the fields below is said at the foot of the step.
          const shownAtField = (field: string) => ['kind', 'title', 'body', 'articleId', 'answers'].includes(field) || /^answers\.\d+\.(label|next)$/.test(field);
          const stepProblems = nodeProblems.filter((p) => !shownAtField(p.field));
          const numbers = statsOf.get(node.id);
          return (
            <li key={node.id} className={`tree-node tree-node-${node.kind}${nodeProblems.length ? ' has-problem' : ''}`} style={{ marginInlineStart: `${Math.min(depth.get(node.id) ?? 0, 8) * 1.25}rem` }} data-node={node.id}>
              <fieldset disabled={!canEdit || busy}>
                <legend><code>{node.id}</code> · {t(`trees.kinds.${node.kind}`)}</legend>
                <div className="tree-node-row">
                  <label className="field">{t('trees.fields.kind')}
                    <select value={node.kind} {...invalid(node.id, 'kind')} onChange={(e) => setDraft((d) => changeKind(d, node.id, e.target.value as NodeKind))}>
                      {NODE_KINDS.map((k) => <option key={k} value={k}>{t(`trees.kinds.${k}`)}</option>)}
                    </select>
                    {fieldProblems(node.id, 'kind')}
                  </label>
                  <label className="field hc-grow">{t(node.kind === 'question' ? 'trees.fields.question' : 'trees.fields.nodeTitle')}
                    <input value={node.title} maxLength={200} {...invalid(node.id, 'title')} onChange={(e) => setDraft((d) => updateNode(d, node.id, { title: e.target.value }))} />
                    {fieldProblems(node.id, 'title')}
                  </label>
                </div>
                <label className="field">{t('trees.fields.body')}
                  <textarea value={node.body} rows={2} maxLength={4000} {...invalid(node.id, 'body')} onChange={(e) => setDraft((d) => updateNode(d, node.id, { body: e.target.value }))} />
                  {fieldProblems(node.id, 'body')}
                </label>
                {node.kind !== 'solution' && fieldProblems(node.id, 'articleId')}
                {node.kind === 'solution' && (
                  <label className="field">{t('trees.fields.article')}
                    <select value={node.articleId ?? ''} {...invalid(node.id, 'articleId')} onChange={(e) => setDraft((d) => updateNode(d, node.id, { articleId: e.target.value || null }))}>
                      <option value="">{t('trees.noArticle')}</option>
                      {node.articleId && !articles.data?.some((a) => a.id === node.articleId) && <option value={node.articleId}>{t('trees.articleMissing')}</option>}
                      {articles.data?.map((a) => <option key={a.id} value={a.id}>{a.title} ({a.locale})</option>)}
                    </select>
                    {fieldProblems(node.id, 'articleId')}
                  </label>
                )}
                {node.kind !== 'question' && fieldProblems(node.id, 'answers')}
                {node.kind === 'question' && (
                  <ul className="tree-answers">
                    {node.answers.map((answer, j) => (
                      <li key={answer.id}>
                        <input aria-label={t('trees.fields.answer')} placeholder={t('trees.fields.answer')} value={answer.label} maxLength={120} {...invalid(node.id, `answers.${j}.label`)}
                          onChange={(e) => setDraft((d) => updateNode(d, node.id, { answers: node.answers.map((a, k) => (k === j ? { ...a, label: e.target.value } : a)) }))} />
                        <label className="small">{t('trees.leadsTo')}
                          <select value={answer.next} {...invalid(node.id, `answers.${j}.next`)} onChange={(e) => setDraft((d) => updateNode(d, node.id, { answers: node.answers.map((a, k) => (k === j ? { ...a, next: e.target.value } : a)) }))}>
                            {!draft.nodes.some((n) => n.id === answer.next) && <option value={answer.next}>{answer.next} ?</option>}
                            {draft.nodes.filter((n) => n.id !== node.id).map((n) => <option key={n.id} value={n.id}>{n.id} · {n.title || t(`trees.kinds.${n.kind}`)}</option>)}
                          </select>
                        </label>
                        <button type="button" className="button button-quiet button-small" onClick={() => setDraft((d) => removeAnswer(d, node.id, answer.id))}>{t('trees.removeAnswer')}</button>
                        {fieldProblems(node.id, `answers.${j}.label`)}
                        {fieldProblems(node.id, `answers.${j}.next`)}
                      </li>
                    ))}
                    {at(node.id, 'answers').length > 0 && <li>{fieldProblems(node.id, 'answers')}</li>}
                    <li className="tree-add">
                      {NODE_KINDS.map((k) => (
                        <button key={k} type="button" className="button button-small" onClick={() => setDraft((d) => addAnswer(d, node.id, k))}>{t(`trees.addAnswer.${k}`)}</button>
                      ))}
                    </li>
                  </ul>
                )}
                <div className="tree-node-foot">
                  {numbers && (
                    <span className="tree-stats muted small">
                      {t('trees.stats.line', { visits: numbers.visits, advances: numbers.advances, solutions: numbers.solutions, repairs: numbers.repairs, dropOffs: numbers.dropOffs })}
                    </span>
                  )}
                  {draft.nodes.length > 1 && (
                    <button type="button" className="button button-quiet button-small" onClick={() => setDraft((d) => removeNode(d, node.id))}>{t('trees.removeNode')}</button>
                  )}
                </div>
                {stepProblems.length > 0 && <ul className="inline-error">{stepProblems.map((p, i) => <li key={i}>{problemText(t, p, draft.nodes)}</li>)}</ul>}
              </fieldset>
            </li>
          );
        })}
      </ol>

      {canEdit && (
        <div className="hc-actions">
          <button type="button" className="button button-primary" disabled={busy} onClick={() => void save()}>{t('trees.save')}</button>
          {/* Publishing puts the saved version on the portal: with edits on screen, it would not be what the editor sees. */}
          {tree && (
            <button type="button" className="button" disabled={busy || unsaved} aria-describedby={unsaved ? 'tree-publish-reason' : undefined}
              onClick={() => void run(() => publishTree(tree.id, tree.version), t('trees.publishedNow'))}>{t('trees.publish')}</button>
          )}
          {tree?.published && <button type="button" className="button" disabled={busy} onClick={() => void run(() => unpublishTree(tree.id), t('trees.unpublishedNow'))}>{t('trees.unpublish')}</button>}
          {tree && <button type="button" className="button button-quiet" disabled={busy} onClick={remove}>{t('trees.delete')}</button>}
          {tree && unsaved && <span id="tree-publish-reason" className="muted small">{t('trees.saveBeforePublish')}</span>}
        </div>
      )}

      {withVisits.length > 0 && (
        <section className="panel" aria-labelledby="tree-stats-title">
          <h3 id="tree-stats-title" className="section-title">{t('trees.stats.title')}</h3>
          <HorizontalBarChart
            label={t('trees.stats.title')}
            categories={withVisits.map((s) => draft.nodes.find((n) => n.id === s.nodeId)?.title || s.nodeId)}
            series={[
              { name: t('trees.stats.advances'), values: withVisits.map((s) => s.advances), color: '#2f5bea' },
              { name: t('trees.stats.completions'), values: withVisits.map((s) => s.solutions + s.repairs), color: '#067647' },
              { name: t('trees.stats.dropOffs'), values: withVisits.map((s) => s.dropOffs), color: '#b54708' },
            ]}
          />
        </section>
      )}
    </div>
  );
}

const PROBLEM_CODES = [
  'TREE_CYCLE', 'TREE_ANSWER_TARGET_MISSING', 'TREE_SEVERAL_ROOTS', 'TREE_NODE_UNREACHABLE', 'TREE_DUPLICATE_NODE',
  'TREE_DUPLICATE_ANSWER', 'TREE_QUESTION_WITHOUT_ANSWERS', 'TREE_LEAF_WITH_ANSWERS', 'TREE_SOLUTION_EMPTY', 'TREE_ARTICLE_NOT_ON_SOLUTION', 'TREE_TOO_DEEP',
] as const;
type ProblemCode = (typeof PROBLEM_CODES)[number];
const isProblemCode = (code: string | undefined): code is ProblemCode => (PROBLEM_CODES as readonly (string | undefined)[]).includes(code);

const problemId = (node: string, field: string) => `tree-problem-${node || 'tree'}-${field.replaceAll('.', '-') || 'all'}`;

function FieldProblems({ id, problems }: { id: string; problems: PlacedProblem[] }) {
  const { t } = useTranslation();
  if (!problems.length) return null;
  return <ul className="inline-error" id={id}>{problems.map((p, i) => <li key={i}>{isProblemCode(p.code) ? problemText(t, p, []) : fieldMessage(t, p)}</li>)}</ul>;
}

/** A field check's problem in the reader's language, by its code; one without a known code as the server put it. */
function fieldMessage(t: TFunction, problem: PlacedProblem): string {
  const known = fieldMessageOf(problem, problem.field);
  return known ? t(`trees.messages.${known.key}`, known.values) : problem.message;
}

/** A problem's field (its path in the tree or step) → the editor's label for it. */
const FIELD_LABELS = {
  title: 'title', slug: 'slug', locale: 'locale', product: 'product', description: 'description', kind: 'kind', body: 'body', articleId: 'article', answers: 'answers', id: 'id',
} as const;

/** The name of the field a problem is about, as the editor labels it. */
function fieldLabel(t: TFunction, field: string, kind: NodeKind | undefined): string {
  const answer = /^answers\.(\d+)\.(label|next)$/.exec(field);
  if (answer) return t(answer[2] === 'label' ? 'trees.fields.answerNumber' : 'trees.fields.answerNext', { number: Number(answer[1]) + 1 });
  if (field === 'title' && kind) return t(kind === 'question' ? 'trees.fields.question' : 'trees.fields.nodeTitle');
  const label = Object.hasOwn(FIELD_LABELS, field) ? FIELD_LABELS[field as keyof typeof FIELD_LABELS] : undefined;
  return label ? t(`trees.fields.${label}`) : field;
}

/** A translated sentence for a known problem; else which step, which field, and what is wrong with it. */
function problemText(t: TFunction, problem: PlacedProblem, nodes: readonly TreeNode[]): string {
  if (isProblemCode(problem.code)) return t(`trees.problems.${problem.code}`, { node: problem.nodeId ?? '', cycle: problem.cycle?.join(' → ') ?? '' });
  const message = fieldMessage(t, problem);
  if (!problem.field) return problem.node ? t('trees.nodeProblem', { node: problem.node, message }) : message;
  const field = fieldLabel(t, problem.field, nodes.find((n) => n.id === problem.node)?.kind);
  return problem.node ? t('trees.nodeFieldProblem', { node: problem.node, field, message }) : t('trees.fieldProblem', { field, message });
}

const ERROR_CODES = ['TREE_INVALID', 'VALIDATION_FAILED', 'TREE_CHANGED', 'TREE_SLUG_TAKEN', 'TREE_NOT_FOUND', 'FORBIDDEN'] as const;
function errorText(t: TFunction, code: string): string {
  const known = (ERROR_CODES as readonly string[]).includes(code) ? (code as (typeof ERROR_CODES)[number]) : 'UNKNOWN';
  return t(`trees.errors.${known}`);
}
