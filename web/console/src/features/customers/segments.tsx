import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/http.js';
import { useResource } from '../../api/use-resource.js';
import { Link, navigate } from '../../router/router.js';
import { useSignedIn } from '../../session/session.js';
import {
  deleteSegment, listSegments, previewSegment, ruleVocabulary, saveSegment, segment, segmentCount, segmentCustomers,
  type Customer, type RuleProblem, type RuleVocabulary, type Segment, type SegmentCondition, type SegmentGroup,
} from './customers-api.js';
import { LoadProblem, ProblemNotice, tryWrite, type Problem } from './customer-bits.js';
import { ProblemText, RuleGroup } from './segment-rule.js';
import { CustomerTable } from './customers-list.js';

const ROOT = '/customers/segments';
const PREVIEW_DELAY_MS = 400;

/** `/customers/segments` (the list), `…/new` (the editor), `…/<id>` (its customers), `…/<id>/edit`. */
export function Segments({ rest }: { rest: string[] }) {
  const [id, action] = rest;
  if (!id) return <SegmentList />;
  if (id === 'new') return <SegmentEditor key="new" />;
  return action === 'edit' ? <LoadedEditor key={`${id}-edit`} id={id} /> : <SegmentMembers key={id} id={id} />;
}

/** Every saved segment with its stored count and when it was taken. */
function SegmentList() {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const segments = useResource(listSegments, []);
  const [counts, setCounts] = useState<Record<string, SegmentCountWire | 'failed'>>({});
  useEffect(() => {
    let live = true;
    for (const s of segments.data ?? []) {
      segmentCount(s.id).then((n) => { if (live) setCounts((c) => ({ ...c, [s.id]: n })); }, () => { if (live) setCounts((c) => ({ ...c, [s.id]: 'failed' })); });
    }
    return () => { live = false; };
  }, [segments.data]);

  return (
    <div className="crm-section crm-segments">
      <div className="crm-toolbar">
        <p><Link to="/customers">← {t('customers.segments.allCustomers')}</Link></p>
        {agent.role === 'admin' && <Link className="button button-primary" to={`${ROOT}/new`}>{t('customers.segments.new')}</Link>}
      </div>
      <h2>{t('customers.segments.title')}</h2>
      <LoadProblem state={segments} />
      {segments.phase === 'ready' && segments.data.length === 0 && <p className="muted">{t('customers.segments.none')}</p>}
      {segments.data && segments.data.length > 0 && (
        <ul className="crm-segment-list">
          {segments.data.map((s) => (
            <li key={s.id}>
              <Link to={`${ROOT}/${s.id}`} className="crm-segment-name">{s.name}</Link>
              <span className="crm-segment-count" data-segment-count={s.id}>
                {counts[s.id] === undefined ? t('customers.loading') : counts[s.id] === 'failed' ? '—' : <CountedCount counted={counts[s.id] as SegmentCountWire} />}
              </span>
              {s.description && <p className="muted">{s.description}</p>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

type SegmentCountWire = Awaited<ReturnType<typeof segmentCount>>;

/** A stored count says when it was taken: it can be some minutes old. */
function CountedCount({ counted }: { counted: SegmentCountWire }) {
  const { t, i18n } = useTranslation();
  const time = counted.countedAt.toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' });
  return (
    <>
      {t('customers.segments.count', { count: counted.count })}
      {' '}<span className="muted crm-counted-at">({t('customers.segments.countedAt', { time })})</span>
    </>
  );
}

/** A segment's customers, a page at a time, with its count; admins edit or delete it from here. */
function SegmentMembers({ id }: { id: string }) {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const loaded = useResource(async () => {
    const [s, count, page] = await Promise.all([segment(id), segmentCount(id), segmentCustomers(id)]);
    return { segment: s, count, page };
  }, [id]);
  const [more, setMore] = useState<{ customers: Customer[]; cursor: string | null } | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const data = loaded.data;
  const customers = [...(data?.page.customers ?? []), ...(more?.customers ?? [])];
  const cursor = more ? more.cursor : data?.page.nextCursor ?? null;
  const loadMore = async () => {
    if (!cursor) return;
    const page = await segmentCustomers(id, cursor);
    setMore({ customers: [...(more?.customers ?? []), ...page.customers], cursor: page.nextCursor });
  };
  const remove = async () => {
    if (!window.confirm(t('customers.segments.confirmDelete'))) return;
    const failed = await tryWrite(() => deleteSegment(id));
    if (failed) setProblem(failed);
    else navigate(ROOT);
  };

  return (
    <div className="crm-section crm-segment">
      <p><Link to={ROOT}>← {t('customers.segments.back')}</Link></p>
      <LoadProblem state={loaded} />
      {data && (
        <>
          <div className="crm-toolbar">
            <div>
              <h2>{data.segment.name}</h2>
              {data.segment.description && <p className="muted">{data.segment.description}</p>}
              <p className="crm-live-count" role="status"><CountedCount counted={data.count} /></p>
            </div>
            {agent.role === 'admin' && (
              <div className="crm-actions">
                <Link className="button" to={`${ROOT}/${id}/edit`}>{t('customers.segments.edit')}</Link>
                <button type="button" className="button button-danger" onClick={remove}>{t('customers.segments.delete')}</button>
              </div>
            )}
          </div>
          <ProblemNotice problem={problem} />
          {customers.length === 0 ? <p className="muted">{t('customers.none')}</p> : (
            <CustomerTable customers={customers} />
          )}
          {cursor && <button type="button" className="button button-quiet" onClick={loadMore}>{t('customers.loadMore')}</button>}
        </>
      )}
    </div>
  );
}

function LoadedEditor({ id }: { id: string }) {
  const loaded = useResource(() => segment(id), [id]);
  return loaded.data ? <SegmentEditor existing={loaded.data} /> : <LoadProblem state={loaded} />;
}

const FIRST_CONDITION: SegmentCondition = { field: 'tag', op: 'has', value: '' };

/** The rule editor: name, all/any groups of conditions, and the live count of who matches as it is edited. */
function SegmentEditor({ existing }: { existing?: Segment }) {
  const { t, i18n } = useTranslation();
  const vocabulary = useResource(ruleVocabulary, []);
  const [name, setName] = useState(existing?.name ?? '');
  const [description, setDescription] = useState(existing?.description ?? '');
  const [rule, setRule] = useState<SegmentGroup>(existing?.rule ?? { match: 'all', conditions: [FIRST_CONDITION] });
  const [preview, setPreview] = useState<{ count: number; estimated: boolean; customers: Customer[] } | null>(null);
  const [problems, setProblems] = useState<RuleProblem[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saving, setSaving] = useState(false);

  // The live count: the rule as it stands, previewed once typing pauses; an older answer is dropped.
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      previewSegment(rule).then(
        (p) => { if (live) { setPreview(p); setProblems([]); } },
        (error: unknown) => { if (live) { setPreview(null); setProblems(ruleProblems(error)); } },
      );
    }, PREVIEW_DELAY_MS);
    return () => { live = false; clearTimeout(timer); };
  }, [rule]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    let saved: Segment | undefined;
    const failed = await tryWrite(async () => { saved = await saveSegment(existing?.id ?? null, { name, description, rule }); });
    setSaving(false);
    if (saved) navigate(`${ROOT}/${saved.id}`);
    else if (failed) setProblem(failed);
  };
  const rootProblems = problems.filter((p) => p.path === '' || p.path === 'match' || p.path === 'conditions');

  return (
    <form className="crm-section crm-segment-editor" onSubmit={submit} noValidate>
      <p><Link to={existing ? `${ROOT}/${existing.id}` : ROOT}>← {t('customers.segments.back')}</Link></p>
      <h2>{existing ? t('customers.segments.editTitle') : t('customers.segments.newTitle')}</h2>
      <div className="crm-edit">
        <label className="field">{t('customers.segments.name')}
          <input name="name" value={name} maxLength={120} required onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">{t('customers.segments.description')}
          <input name="description" value={description} maxLength={1000} onChange={(e) => setDescription(e.target.value)} />
        </label>
      </div>
      <LoadProblem state={vocabulary} />
      {vocabulary.data && (
        <RuleGroup group={rule} path="" depth={1} vocabulary={vocabulary.data as RuleVocabulary} problems={problems} onChange={setRule} />
      )}
      {rootProblems.map((p) => <ProblemText key={p.path} problem={p} />)}
      <div className="crm-live" aria-live="polite">
        {preview && (
          <>
            {/* A large workspace's live count is estimated from a sample (already rounded by the server); the saved segment's count is exact. */}
            <p className="crm-live-count" role="status" title={preview.estimated ? t('customers.segments.liveEstimateHint') : undefined}>
              {preview.estimated
                ? t('customers.segments.liveEstimate', { count: preview.count, number: new Intl.NumberFormat(i18n.language, { maximumSignificantDigits: 3 }).format(preview.count) })
                : t('customers.segments.liveCount', { count: preview.count })}
            </p>
            {preview.customers.length > 0 && (
              <p className="muted">{preview.customers.map((c) => c.name).join(' · ')}{preview.count > preview.customers.length ? ' …' : ''}</p>
            )}
          </>
        )}
        {!preview && problems.length > 0 && <p className="muted">{t('customers.segments.fixRule')}</p>}
      </div>
      <ProblemNotice problem={problem} />
      <div className="crm-actions">
        <button type="submit" className="button button-primary" disabled={saving || !name.trim()}>{t('customers.segments.save')}</button>
      </div>
    </form>
  );
}

/** The rule problems an API error names by path (SEGMENT_RULE_INVALID, SEGMENT_REFERENCE_UNKNOWN). */
function ruleProblems(error: unknown): RuleProblem[] {
  if (!(error instanceof ApiError)) return [{ path: '', message: String(error) }];
  const listed = (error.details as { problems?: RuleProblem[] } | undefined)?.problems;
  return Array.isArray(listed) ? listed : [{ path: '', message: error.message }];
}
