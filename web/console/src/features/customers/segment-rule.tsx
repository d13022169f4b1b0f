import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { OPERATORS_BY_TYPE, RULE_DEPTH, type RuleProblem, type RuleVocabulary, type SegmentCondition, type SegmentGroup } from './customers-api.js';

type Strings = typeof import('./locales/en.json')['segments'];
type Label = Exclude<keyof Strings, 'fields' | 'ops' | 'measures' | 'problems' | `${string}_one` | `${string}_other`>;
type Op = keyof Strings['ops'];

/** A condition as the editor holds it: the wire shape, loosely typed while a field changes. */
type Loose = Record<string, unknown> & { field: SegmentCondition['field'] };

const FIELDS: SegmentCondition['field'][] = ['tag', 'product', 'orders', 'lastContact', 'consent', 'attribute', 'company', 'name', 'email', 'locale', 'timeZone', 'createdAt'];
const OPS: Record<Exclude<SegmentCondition['field'], 'attribute'>, readonly string[]> = {
  name: ['contains', 'equals', 'starts_with'],
  email: ['contains', 'equals', 'ends_with'],
  locale: ['is', 'is_not'],
  timeZone: ['is', 'is_not'],
  company: ['is', 'is_not'],
  tag: ['has', 'has_not'],
  product: ['owns', 'not_owns'],
  orders: ['gte', 'gt', 'lte', 'lt', 'eq'],
  consent: ['granted', 'not_granted'],
  lastContact: ['within_days', 'not_within_days', 'never'],
  createdAt: ['within_days', 'more_than_days'],
};

/** A new condition on `field`, filled with the workspace's first attribute, company, purpose … */
function fresh(field: SegmentCondition['field'], v: RuleVocabulary): Loose {
  switch (field) {
    case 'name': case 'email': return { field, op: 'contains', value: '' };
    case 'locale': return { field, op: 'is', value: 'zh-CN' };
    case 'timeZone': return { field, op: 'is', value: 'Asia/Shanghai' };
    case 'company': return { field, op: 'is', companyId: v.companies[0]?.id ?? null };
    case 'tag': return { field, op: 'has', value: '' };
    case 'attribute': return attributeCondition(v.attributes[0]?.key ?? '', v);
    case 'product': return { field, op: 'owns', ...(v.products[0] ? { model: v.products[0].model } : {}) };
    case 'orders': return { field, measure: 'count', op: 'gte', value: 1, withinDays: 365 };
    case 'consent': return { field, op: 'granted', purpose: v.purposes[0]?.key ?? '' };
    case 'lastContact': return { field, op: 'not_within_days', days: 180 };
    case 'createdAt': return { field, op: 'within_days', days: 30 };
  }
}

function attributeCondition(key: string, v: RuleVocabulary, op?: string): Loose {
  const definition = v.attributes.find((a) => a.key === key);
  const type = definition?.type ?? 'text';
  const chosen = op && (OPERATORS_BY_TYPE[type] as readonly string[]).includes(op) ? op : OPERATORS_BY_TYPE[type][0];
  const value = chosen === 'is_set' || chosen === 'is_not_set' ? undefined
    : chosen === 'in' ? [definition?.choices[0] ?? '']
      : chosen === 'within_last_days' ? 30
        : type === 'number' ? 0 : type === 'choice' ? definition?.choices[0] ?? '' : '';
  return { field: 'attribute', key, op: chosen, ...(value === undefined ? {} : { value }) };
}

const isGroup = (node: SegmentCondition | SegmentGroup): node is SegmentGroup => 'match' in node;
const problemsAt = (problems: RuleProblem[], path: string) => problems.filter((p) => p.path === path || p.path.startsWith(`${path}.`));

interface GroupProps {
  group: SegmentGroup;
  path: string;
  depth: number;
  vocabulary: RuleVocabulary;
  problems: RuleProblem[];
  onChange: (group: SegmentGroup) => void;
  onRemove?: () => void;
}

/** A group: all or any of its conditions and sub-groups, each changed in place. */
export function RuleGroup({ group, path, depth, vocabulary, problems, onChange, onRemove }: GroupProps) {
  const { t } = useTranslation();
  const at = (i: number) => `${path ? `${path}.` : ''}conditions.${i}`;
  const replace = (i: number, node: SegmentCondition | SegmentGroup) => onChange({ ...group, conditions: group.conditions.map((c, j) => (j === i ? node : c)) });
  const remove = (i: number) => onChange({ ...group, conditions: group.conditions.filter((_, j) => j !== i) });
  const own = problems.filter((p) => p.path === (path ? `${path}.conditions` : 'conditions'));
  return (
    <fieldset className="crm-rule-group" data-depth={depth}>
      <legend>
        <select aria-label={t('customers.segments.match')} value={group.match} onChange={(e) => onChange({ ...group, match: e.target.value as SegmentGroup['match'] })}>
          <option value="all">{t('customers.segments.all')}</option>
          <option value="any">{t('customers.segments.any')}</option>
        </select>
        {onRemove && <button type="button" className="link-button" onClick={onRemove}>{t('customers.segments.removeGroup')}</button>}
      </legend>
      <ol className="crm-rule-conditions">
        {group.conditions.map((node, i) => (
          <li key={i}>
            {isGroup(node)
              ? <RuleGroup group={node} path={at(i)} depth={depth + 1} vocabulary={vocabulary} problems={problems} onChange={(g) => replace(i, g)} onRemove={() => remove(i)} />
              : <ConditionRow condition={node as unknown as Loose} vocabulary={vocabulary} problems={problemsAt(problems, at(i))} onChange={(c) => replace(i, c as unknown as SegmentCondition)} onRemove={() => remove(i)} />}
          </li>
        ))}
      </ol>
      {own.map((p) => <ProblemText key={p.path} problem={p} />)}
      <div className="crm-actions">
        <button type="button" className="button button-quiet" onClick={() => onChange({ ...group, conditions: [...group.conditions, fresh('tag', vocabulary) as unknown as SegmentCondition] })}>
          {t('customers.segments.addCondition')}
        </button>
        {depth < RULE_DEPTH && (
          <button type="button" className="button button-quiet" onClick={() => onChange({ ...group, conditions: [...group.conditions, { match: group.match === 'all' ? 'any' : 'all', conditions: [fresh('tag', vocabulary) as unknown as SegmentCondition] }] })}>
            {t('customers.segments.addGroup')}
          </button>
        )}
      </div>
    </fieldset>
  );
}

interface ConditionProps { condition: Loose; vocabulary: RuleVocabulary; problems: RuleProblem[]; onChange: (c: Loose) => void; onRemove: () => void }

/** One condition: its field, operator and value(s), with the API's problems beside them. */
function ConditionRow({ condition: c, vocabulary: v, problems, onChange, onRemove }: ConditionProps) {
  const { t, i18n } = useTranslation();
  const set = (patch: Record<string, unknown>) => {
    const next: Loose = { ...c, ...patch };
    for (const [key, value] of Object.entries(patch)) if (value === undefined) delete next[key];
    onChange(next);
  };
  const label = (key: Label) => t(`customers.segments.${key}`);
  const local = (text: { en: string; 'zh-CN'?: string }) => (i18n.language === 'zh-CN' ? text['zh-CN'] ?? text.en : text.en);
  const attribute = c.field === 'attribute' ? v.attributes.find((a) => a.key === c.key) : undefined;
  const ops = c.field === 'attribute' ? OPERATORS_BY_TYPE[attribute?.type ?? 'text'] : OPS[c.field];
  const num = (key: Label & string, optional = false) => (
    <label className="field field-inline">{label(key)}
      <input type="number" min={0} value={c[key] === undefined ? '' : String(c[key])}
        onChange={(e) => set({ [key]: e.target.value === '' && optional ? undefined : Number(e.target.value) })} />
    </label>
  );
  const text = (key: Label & string, list?: string) => (
    <label className="field field-inline">{label(key)}
      <input type="text" value={typeof c[key] === 'string' ? (c[key] as string) : ''} list={list} onChange={(e) => set({ [key]: e.target.value })} />
    </label>
  );

  return (
    <div className={`crm-rule-condition${problems.length ? ' has-error' : ''}`}>
      <label className="field field-inline">{label('field')}
        <select value={c.field} onChange={(e) => onChange(fresh(e.target.value as Loose['field'], v))}>
          {FIELDS.map((f) => <option key={f} value={f}>{t(`customers.segments.fields.${f}`)}</option>)}
        </select>
      </label>
      {c.field === 'attribute' && (
        <label className="field field-inline">{label('attribute')}
          <select value={String(c.key)} onChange={(e) => onChange(attributeCondition(e.target.value, v, String(c.op)))}>
            {v.attributes.map((a) => <option key={a.key} value={a.key}>{local(a.labels)}</option>)}
          </select>
        </label>
      )}
      {c.field === 'consent' && (
        <label className="field field-inline">{label('purpose')}
          <select value={String(c.purpose)} onChange={(e) => set({ purpose: e.target.value })}>
            {v.purposes.map((p) => <option key={p.key} value={p.key}>{local(p.names)}</option>)}
          </select>
        </label>
      )}
      {c.field === 'orders' && (
        <label className="field field-inline">{label('measure')}
          <select value={String(c.measure)} onChange={(e) => set({ measure: e.target.value, ...(e.target.value === 'total' && !c.currency ? { currency: 'CNY' } : {}) })}>
            <option value="count">{t('customers.segments.measures.count')}</option>
            <option value="total">{t('customers.segments.measures.total')}</option>
          </select>
        </label>
      )}
      <label className="field field-inline">{label('operator')}
        <select value={String(c.op)} onChange={(e) => (c.field === 'attribute' ? onChange(attributeCondition(String(c.key), v, e.target.value)) : set({ op: e.target.value, ...(e.target.value === 'never' ? { days: undefined } : c.field === 'lastContact' && c.days === undefined ? { days: 180 } : {}) }))}>
          {ops.map((op) => <option key={op} value={op}>{t(`customers.segments.ops.${op as Op}`)}</option>)}
        </select>
      </label>
      <Values c={c} v={v} set={set} num={num} text={text} attributeType={attribute?.type} choices={attribute?.choices ?? []} />
      <button type="button" className="link-button" onClick={onRemove}>{t('customers.segments.removeCondition')}</button>
      {problems.map((p) => <ProblemText key={p.path} problem={p} />)}
    </div>
  );
}

interface ValuesProps {
  c: Loose; v: RuleVocabulary; set: (patch: Record<string, unknown>) => void;
  num: (key: Label, optional?: boolean) => ReactNode; text: (key: Label, list?: string) => ReactNode;
  attributeType?: keyof typeof OPERATORS_BY_TYPE; choices: string[];
}

/** The value inputs each field and operator take. */
function Values({ c, v, set, num, text, attributeType, choices }: ValuesProps) {
  const { t } = useTranslation();
  const label = (key: Label) => t(`customers.segments.${key}`);
  switch (c.field) {
    case 'name': case 'email': case 'tag': return text('value');
    case 'timeZone': return text('value');
    case 'locale':
      return (
        <label className="field field-inline">{label('value')}
          <select value={c.value === null ? '' : String(c.value)} onChange={(e) => set({ value: e.target.value || null })}>
            <option value="zh-CN">简体中文</option><option value="en">English</option><option value="">{t('customers.segments.none_value')}</option>
          </select>
        </label>
      );
    case 'company':
      return (
        <label className="field field-inline">{label('company')}
          <select value={c.companyId === null ? '' : String(c.companyId)} onChange={(e) => set({ companyId: e.target.value || null })}>
            {v.companies.map((co) => <option key={co.id} value={co.id}>{co.name}</option>)}
            <option value="">{t('customers.segments.none_value')}</option>
          </select>
        </label>
      );
    case 'attribute': {
      if (c.op === 'is_set' || c.op === 'is_not_set') return null;
      if (c.op === 'within_last_days') return num('value');
      if (attributeType === 'choice' && c.op === 'in') {
        return (
          <label className="field field-inline">{label('value')}
            <select multiple value={Array.isArray(c.value) ? (c.value as string[]) : []} onChange={(e) => set({ value: [...e.target.selectedOptions].map((o) => o.value) })}>
              {choices.map((choice) => <option key={choice} value={choice}>{choice}</option>)}
            </select>
          </label>
        );
      }
      if (attributeType === 'choice') {
        return (
          <label className="field field-inline">{label('value')}
            <select value={String(c.value ?? '')} onChange={(e) => set({ value: e.target.value })}>
              {choices.map((choice) => <option key={choice} value={choice}>{choice}</option>)}
            </select>
          </label>
        );
      }
      if (attributeType === 'number') return num('value');
      if (attributeType === 'date') {
        return <label className="field field-inline">{label('value')}<input type="date" value={String(c.value ?? '')} onChange={(e) => set({ value: e.target.value })} /></label>;
      }
      return text('value');
    }
    case 'product': {
      const categories = [...new Set(v.products.map((p) => p.category).filter(Boolean))];
      const warranty = c.warrantyActive === undefined ? '' : c.warrantyActive ? 'active' : 'ended';
      return (
        <>
          <label className="field field-inline">{label('model')}
            <select value={String(c.model ?? '')} onChange={(e) => set({ model: e.target.value || undefined })}>
              <option value="">{t('customers.segments.anyValue')}</option>
              {v.products.map((p) => <option key={p.id} value={p.model}>{p.model}</option>)}
            </select>
          </label>
          <label className="field field-inline">{label('category')}
            <select value={String(c.category ?? '')} onChange={(e) => set({ category: e.target.value || undefined })}>
              <option value="">{t('customers.segments.anyValue')}</option>
              {categories.map((category) => <option key={category} value={category}>{category}</option>)}
            </select>
          </label>
          {num('purchasedWithinDays', true)}
          <label className="field field-inline">{label('warranty')}
            <select value={warranty} onChange={(e) => set({ warrantyActive: e.target.value === '' ? undefined : e.target.value === 'active' })}>
              <option value="">{t('customers.segments.anyValue')}</option>
              <option value="active">{t('customers.segments.warrantyActive')}</option>
              <option value="ended">{t('customers.segments.warrantyEnded')}</option>
            </select>
          </label>
        </>
      );
    }
    case 'orders':
      return <>{num('value')}{num('withinDays', true)}{c.measure === 'total' && text('currency')}</>;
    case 'consent': return null;
    case 'lastContact': return c.op === 'never' ? null : num('days');
    case 'createdAt': return num('days');
  }
}

/** A rule problem in the console's language (its code); the API's English words only for one without a code. */
export function ProblemText({ problem }: { problem: RuleProblem }) {
  const { t } = useTranslation();
  return <p className="field-error" role="alert">{problem.code ? t(`customers.segments.problems.${problem.code}`, problem.params ?? {}) : problem.message}</p>;
}
