import { Suspense, lazy, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { attempt, useResource } from '../../api/use-resource.js';
import { listSegments } from '../customers/customers-api.js';
import { agents, urgencyNames, type AgentSummary } from '../inbox/tickets-api.js';
import { teams, type Team } from './admin-api.js';
import { mailboxes, supportAddresses } from './mail-api.js';
import { FormError, InlineError, LoadState, When, fieldAria, submitForm, type FormFailure } from './settings-bits.js';
import {
  answerTemplates, createTriageRule, deleteTriageRule, retrainTriage, ruleBody, saveTriageSettings, triageModels, triageRules, triageSettings, tryTriageRule,
  updateTriageRule, type RuleAction, type RuleCondition, type RuleTrial, type TriageModel, type TriageRule, type TriageRuleBody,
} from './triage-api.js';

/** The heat map's ECharts pieces load only when a model with a confusion matrix is shown. */
const ConfusionChart = lazy(() => import('./triage-confusion-chart.js'));

/** What rules name by id, with the names a person reads. */
interface Names {
  teams: Team[];
  urgencies: string[];
  agents: AgentSummary[];
  /** Support addresses and IMAP mailboxes: where mail comes in. */
  inboxes: { id: string; label: string }[];
  segments: { id: string; name: string }[];
  templates: { id: string; label: string }[];
}

/** Words a person types between commas, 、 or lines: 发票、退款, invoice. */
const splitList = (text: string) => text.split(/[,，、\n]+/).map((w) => w.trim()).filter(Boolean);

function useNames() {
  const { i18n } = useTranslation();
  return useResource(async (): Promise<Names> => {
    const [all, names, people, addresses, boxes, segments, templates] = await Promise.all([
      teams(), urgencyNames(), agents(), supportAddresses(), mailboxes(), listSegments(), answerTemplates(),
    ]);
    return {
      teams: all, urgencies: i18n.language === 'zh-CN' ? names['zh-CN'] : names.en, agents: people.filter((a) => !a.disabled),
      inboxes: [...addresses.map((a) => ({ id: a.id, label: a.address })), ...boxes.map((m) => ({ id: m.id, label: `${m.name} (${m.username})` }))],
      segments: segments.map((g) => ({ id: g.id, name: g.name })),
      templates: templates.map((x) => ({ id: x.id, label: `${x.subject} (${x.locale})` })),
    };
  }, [i18n.language]);
}

/** A name for an id the rule holds, or "?" for one deleted since. */
const nameOf = (list: { id: string }[] | undefined, id: string | null, name: (item: never) => string) => {
  const item = list?.find((x) => x.id === id);
  return item ? name(item as never) : '?';
};

function conditionText(t: TFunction, c: RuleCondition, names: Names | undefined): string {
  switch (c.type) {
    case 'words': return t(`settings.triage.when.words.${c.match ?? 'any'}`, { field: t(`settings.triage.fields.${c.field}`), words: c.words.join(' / ') });
    case 'regex': return t('settings.triage.when.regex', { field: t(`settings.triage.fields.${c.field}`), pattern: c.pattern });
    case 'attachments': return t(`settings.triage.when.attachments.${c.present ? 'yes' : 'no'}`);
    case 'businessHours': return t(`settings.triage.when.businessHours.${c.inside ? 'inside' : 'outside'}`);
    case 'address': return t('settings.triage.when.address', { values: c.in.map((id) => nameOf(names?.inboxes, id, (x: { label: string }) => x.label)).join(' / ') });
    case 'customerSegment': return t('settings.triage.when.customerSegment', { values: c.in.map((id) => nameOf(names?.segments, id, (x: { name: string }) => x.name)).join(' / ') });
    default: return t(`settings.triage.when.${c.type}`, { values: c.in.join(' / ') });
  }
}

function actionText(t: TFunction, a: RuleAction, names: Names | undefined, language: string): string {
  switch (a.type) {
    case 'setDepartment': {
      const team = names?.teams.find((d) => d.id === a.departmentId);
      return t('settings.triage.then.setDepartment', { name: team ? team.name[language as 'en' | 'zh-CN'] || team.key : '?' });
    }
    case 'setUrgency': return t('settings.triage.then.setUrgency', { name: names?.urgencies[a.urgency] ?? a.urgency });
    case 'addTags': return t('settings.triage.then.addTags', { tags: a.tags.join(', ') });
    case 'assignAgent': return t('settings.triage.then.assignAgent', { name: nameOf(names?.agents, a.agentId, (x: AgentSummary) => x.name) });
    case 'replyWithTemplate': return t('settings.triage.then.replyWithTemplate', { name: nameOf(names?.templates, a.templateId, (x: { label: string }) => x.label) });
    case 'notify': return a.agentId === null ? t('settings.triage.then.notifyAdmins') : t('settings.triage.then.notify', { name: nameOf(names?.agents, a.agentId, (x: AgentSummary) => x.name) });
    default: return t(`settings.triage.then.${a.type}`);
  }
}

/**
 * The workspace's triage rules in the order they are tried: what each looks for and does, on or
 * off, moved up or down, deleted; and a form for the common rule (words → department, urgency, tags).
 */
export function TriageRulesTab() {
  const { t, i18n } = useTranslation();
  const list = useResource(triageRules, []);
  const names = useNames();
  const [error, setError] = useState<string | null>(null);
  const rules = list.data ?? [];
  const save = (rule: TriageRule, patch: Partial<TriageRuleBody>) => attempt(() => updateTriageRule(rule.id, ruleBody(rule, patch)), list.reload).then(setError);
  const remove = async (rule: TriageRule) => {
    if (!window.confirm(t('settings.triage.confirmDelete', { name: rule.name }))) return;
    setError(await attempt(() => deleteTriageRule(rule.id), list.reload));
  };
  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.triage.rulesIntro')}</p>
      <LoadState state={list} />
      <InlineError code={error} />
      {list.phase === 'ready' && rules.length === 0 && <p className="muted">{t('settings.triage.noRules')}</p>}
      {rules.length > 0 && (
        <div className="settings-scroll">
          <table className="settings-table">
            <thead>
              <tr>
                <th scope="col" className="num">#</th>
                <th scope="col">{t('settings.triage.name')}</th>
                <th scope="col">{t('settings.triage.whenTitle')}</th>
                <th scope="col">{t('settings.triage.thenTitle')}</th>
                <th scope="col">{t('settings.triage.enabled')}</th>
                <th scope="col"><span className="sr-only">{t('settings.edit')}</span></th>
              </tr>
            </thead>
            <tbody>
              {rules.map((rule, i) => (
                <tr key={rule.id}>
                  <td className="num">{i + 1}</td>
                  <td>{rule.name}</td>
                  <td className="settings-excerpt">{rule.conditions.map((c) => conditionText(t, c, names.data)).join(t('settings.triage.and'))}</td>
                  <td className="settings-excerpt">{rule.actions.map((a) => actionText(t, a, names.data, i18n.language)).join('; ')}</td>
                  <td>{rule.enabled ? t('settings.yes') : t('settings.no')}</td>
                  <td className="settings-actions">
                    <button type="button" className="button button-small button-quiet" onClick={() => save(rule, { enabled: !rule.enabled })}>
                      {t(rule.enabled ? 'settings.triage.turnOff' : 'settings.triage.turnOn', { name: rule.name })}
                    </button>
                    <button type="button" className="button button-small button-quiet" disabled={i === 0} aria-label={t('settings.triage.moveUp', { name: rule.name })}
                      onClick={() => save(rule, { position: i - 1 })}>↑</button>
                    <button type="button" className="button button-small button-quiet" disabled={i === rules.length - 1} aria-label={t('settings.triage.moveDown', { name: rule.name })}
                      onClick={() => save(rule, { position: i + 1 })}>↓</button>
                    <button type="button" className="button button-small button-quiet" aria-label={t('settings.deleteNamed', { name: rule.name })} onClick={() => remove(rule)}>{t('settings.delete')}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <RuleForm names={names.data} onDone={list.reload} />
    </div>
  );
}

const EMPTY = {
  name: '', words: '', field: 'any' as 'any' | 'subject' | 'body', channel: '', address: '', hours: '' as '' | 'inside' | 'outside', customerTags: '', segment: '',
  departmentId: '', urgency: '', tags: '', agentId: '', templateId: '', notify: '', suppressAck: false, spam: false,
};
type Form = typeof EMPTY;
/** The notify select's value for "the admins" (an agent's id otherwise). */
const ADMINS = 'admins';

function bodyOf(form: Form): TriageRuleBody {
  const conditions: RuleCondition[] = [];
  if (splitList(form.words).length) conditions.push({ type: 'words', field: form.field, words: splitList(form.words), match: 'any' });
  if (form.channel) conditions.push({ type: 'channel', in: [form.channel as 'email'] });
  if (form.address) conditions.push({ type: 'address', in: [form.address] });
  if (form.hours) conditions.push({ type: 'businessHours', inside: form.hours === 'inside' });
  if (splitList(form.customerTags).length) conditions.push({ type: 'customerTags', in: splitList(form.customerTags) });
  if (form.segment) conditions.push({ type: 'customerSegment', in: [form.segment] });
  const actions: RuleAction[] = [];
  if (form.departmentId) actions.push({ type: 'setDepartment', departmentId: form.departmentId });
  if (form.urgency) actions.push({ type: 'setUrgency', urgency: Number(form.urgency) });
  if (splitList(form.tags).length) actions.push({ type: 'addTags', tags: splitList(form.tags) });
  if (form.agentId) actions.push({ type: 'assignAgent', agentId: form.agentId });
  if (form.templateId) actions.push({ type: 'replyWithTemplate', templateId: form.templateId });
  if (form.notify) actions.push({ type: 'notify', agentId: form.notify === ADMINS ? null : form.notify });
  if (form.suppressAck) actions.push({ type: 'suppressAck' });
  if (form.spam) actions.push({ type: 'markSpam' });
  return { name: form.name, conditions, actions };
}

/** A select of named things by id, with a first choice for "none". */
function IdSelect({ id, label, none, value, options, onChange }: {
  id: string; label: string; none: string; value: string; options: { id: string; label: string }[]; onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{none}</option>
        {options.map((o) => <option key={o.id} value={o.id}>{o.label}</option>)}
      </select>
    </div>
  );
}

function RuleForm({ names, onDone }: { names: Names | undefined; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const [form, setForm] = useState(EMPTY);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [trial, setTrial] = useState<RuleTrial | null>(null);
  const set = (patch: Partial<Form>) => { setForm({ ...form, ...patch }); setTrial(null); };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(await submitForm(() => createTriageRule(bodyOf(form)), () => { setForm(EMPTY); setTrial(null); onDone(); }));
  };
  const tryIt = async () => setFailure(await submitForm(async () => setTrial(await tryTriageRule(bodyOf(form)))));
  return (
    <form className="settings-form" onSubmit={submit} aria-labelledby="triage-rule-heading" noValidate>
      <h3 id="triage-rule-heading" className="section-title">{t('settings.triage.add')}</h3>
      <FormError failure={failure} />
      <div className="settings-fields">
        <div className="field">
          <label htmlFor="triage-name">{t('settings.triage.name')}</label>
          <input id="triage-name" maxLength={120} value={form.name} onChange={(e) => set({ name: e.target.value })} {...fieldAria(failure, 'name', 'triage-name')} />
        </div>
        <div className="field">
          <label htmlFor="triage-words">{t('settings.triage.words')}</label>
          <input id="triage-words" value={form.words} placeholder="发票、退款, invoice" onChange={(e) => set({ words: e.target.value })} {...fieldAria(failure, 'conditions', 'triage-words')} />
        </div>
        <div className="field">
          <label htmlFor="triage-field">{t('settings.triage.field')}</label>
          <select id="triage-field" value={form.field} onChange={(e) => set({ field: e.target.value as Form['field'] })}>
            {(['any', 'subject', 'body'] as const).map((f) => <option key={f} value={f}>{t(`settings.triage.fields.${f}`)}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="triage-channel">{t('settings.triage.channel')}</label>
          <select id="triage-channel" value={form.channel} onChange={(e) => set({ channel: e.target.value })}>
            <option value="">{t('settings.triage.anyChannel')}</option>
            {['email', 'web', 'chat', 'api', 'phone', 'sms', 'forum'].map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </div>
        <IdSelect id="triage-address" label={t('settings.triage.address')} none={t('settings.triage.anyAddress')} value={form.address}
          options={names?.inboxes ?? []} onChange={(address) => set({ address })} />
        <div className="field">
          <label htmlFor="triage-hours">{t('settings.triage.hours')}</label>
          <select id="triage-hours" value={form.hours} onChange={(e) => set({ hours: e.target.value as Form['hours'] })}>
            <option value="">{t('settings.triage.anyTime')}</option>
            <option value="inside">{t('settings.triage.when.businessHours.inside')}</option>
            <option value="outside">{t('settings.triage.when.businessHours.outside')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="triage-customer-tags">{t('settings.triage.customerTags')}</label>
          <input id="triage-customer-tags" value={form.customerTags} onChange={(e) => set({ customerTags: e.target.value })} />
        </div>
        <IdSelect id="triage-segment" label={t('settings.triage.segment')} none={t('settings.triage.anyCustomer')} value={form.segment}
          options={(names?.segments ?? []).map((g) => ({ id: g.id, label: g.name }))} onChange={(segment) => set({ segment })} />
        <div className="field">
          <label htmlFor="triage-department">{t('settings.triage.department')}</label>
          <select id="triage-department" value={form.departmentId} onChange={(e) => set({ departmentId: e.target.value })} {...fieldAria(failure, 'actions', 'triage-department')}>
            <option value="">{t('settings.triage.keep')}</option>
            {names?.teams.map((d) => <option key={d.id} value={d.id}>{d.name[i18n.language as 'en' | 'zh-CN'] || d.key}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="triage-urgency">{t('settings.triage.urgency')}</label>
          <select id="triage-urgency" value={form.urgency} onChange={(e) => set({ urgency: e.target.value })}>
            <option value="">{t('settings.triage.keep')}</option>
            {(names?.urgencies ?? []).map((name, level) => <option key={level} value={level}>{name}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="triage-tags">{t('settings.triage.tags')}</label>
          <input id="triage-tags" value={form.tags} onChange={(e) => set({ tags: e.target.value })} />
        </div>
        <IdSelect id="triage-agent" label={t('settings.triage.assignAgent')} none={t('settings.triage.keep')} value={form.agentId}
          options={(names?.agents ?? []).map((a) => ({ id: a.id, label: a.name }))} onChange={(agentId) => set({ agentId })} />
        <IdSelect id="triage-template" label={t('settings.triage.template')} none={t('settings.triage.usualTemplate')} value={form.templateId}
          options={names?.templates ?? []} onChange={(templateId) => set({ templateId })} />
        <IdSelect id="triage-notify" label={t('settings.triage.notify')} none={t('settings.triage.nobody')} value={form.notify}
          options={[{ id: ADMINS, label: t('settings.triage.admins') }, ...(names?.agents ?? []).map((a) => ({ id: a.id, label: a.name }))]} onChange={(notify) => set({ notify })} />
      </div>
      <label><input type="checkbox" checked={form.suppressAck} onChange={(e) => set({ suppressAck: e.target.checked })} /> {t('settings.triage.then.suppressAck')}</label>
      <label><input type="checkbox" checked={form.spam} onChange={(e) => set({ spam: e.target.checked })} /> {t('settings.triage.then.markSpam')}</label>
      <div className="settings-actions">
        <button type="button" className="button button-small" onClick={tryIt}>{t('settings.triage.try')}</button>
        <button type="submit" className="button button-primary button-small">{t('settings.triage.addButton')}</button>
      </div>
      {trial && <TrialResult trial={trial} names={names} />}
    </form>
  );
}

/** The tickets a rule being written would have matched, and what it would have set on each. */
function TrialResult({ trial, names }: { trial: RuleTrial; names: Names | undefined }) {
  const { t, i18n } = useTranslation();
  return (
    <div role="status">
      <p>{t('settings.triage.tried', { matched: trial.matches.length, tried: trial.tried })}</p>
      {trial.matches.length > 0 && (
        <ul className="settings-trial">
          {trial.matches.map((m) => {
            const actions: RuleAction[] = [
              ...(m.departmentId ? [{ type: 'setDepartment' as const, departmentId: m.departmentId }] : []),
              ...(m.urgency !== null ? [{ type: 'setUrgency' as const, urgency: m.urgency }] : []),
              ...(m.tags.length ? [{ type: 'addTags' as const, tags: m.tags }] : []),
              ...(m.assigneeId ? [{ type: 'assignAgent' as const, agentId: m.assigneeId }] : []),
              ...(m.replyTemplateId ? [{ type: 'replyWithTemplate' as const, templateId: m.replyTemplateId }] : []),
              ...m.notify.map((agentId) => ({ type: 'notify' as const, agentId })),
              ...(m.suppressAck ? [{ type: 'suppressAck' as const }] : []),
            ];
            return <li key={m.ticketId}>#{m.number} {m.subject} → {actions.map((a) => actionText(t, a, names, i18n.language)).join('; ')}</li>;
          })}
        </ul>
      )}
    </div>
  );
}

/** Whether triage runs, the classifier's threshold, its models (version, examples, accuracy) and retraining now. */
export function TriageClassifierTab() {
  const { t } = useTranslation();
  const names = useLabelNames();
  const settings = useResource(triageSettings, []);
  const models = useResource(triageModels, []);
  const [retrain, setRetrain] = useState<'idle' | 'queued'>('idle');
  const [error, setError] = useState<string | null>(null);
  const requestTraining = async () => {
    const failed = await attempt(retrainTriage);
    setError(failed);
    if (!failed) setRetrain('queued');
  };
  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.triage.classifierIntro')}</p>
      <LoadState state={settings} />
      {settings.data && <SettingsForm key={`${settings.data.enabled}-${settings.data.autoApplyThreshold}`} initial={settings.data} onDone={settings.reload} />}
      <div className="settings-toolbar">
        <h3 className="section-title">{t('settings.triage.models')}</h3>
        <button type="button" className="button button-small" onClick={requestTraining}>{t('settings.triage.retrain')}</button>
      </div>
      {retrain === 'queued' && <p className="notice" role="status">{t('settings.triage.retrainQueued')}</p>}
      <InlineError code={error} />
      <LoadState state={models} />
      {models.phase === 'ready' && !models.data?.length && <p className="muted">{t('settings.triage.noModels')}</p>}
      {!!models.data?.length && (
        <div className="settings-scroll">
          <table className="settings-table">
            <thead>
              <tr>
                <th scope="col">{t('settings.triage.target')}</th>
                <th scope="col" className="num">{t('settings.triage.version')}</th>
                <th scope="col" className="num">{t('settings.triage.examples')}</th>
                <th scope="col" className="num">{t('settings.triage.labels')}</th>
                <th scope="col" className="num">{t('settings.triage.accuracy')}</th>
                <th scope="col" className="num">{t('settings.triage.size')}</th>
                <th scope="col">{t('settings.triage.trainedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {models.data.map((m) => (
                <tr key={m.target}>
                  <td>{t(`settings.triage.targets.${m.target}`)}</td>
                  <td className="num">{m.version}</td>
                  <td className="num">{m.examples}</td>
                  <td className="num">{m.labels.length}</td>
                  <td className="num">{m.heldOutAccuracy === null ? '—' : `${(m.heldOutAccuracy * 100).toFixed(1)} %`}</td>
                  <td className="num">{m.sizeBytes === null ? '—' : t('settings.triage.kib', { size: (m.sizeBytes / 1024).toFixed(m.sizeBytes < 10_240 ? 1 : 0) })}</td>
                  <td><When at={m.trainedAt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {models.data?.map((m) => <Confusion key={m.target} model={m} names={names.data} />)}
    </div>
  );
}

/** Department ids and urgency levels as a person reads them (the models' labels). */
function useLabelNames() {
  const { i18n } = useTranslation();
  return useResource(async () => {
    const [all, urgencies] = await Promise.all([teams(), urgencyNames()]);
    const language = i18n.language === 'zh-CN' ? 'zh-CN' : 'en';
    return { department: new Map(all.map((d) => [d.id, d.name[language] || d.key])), urgency: urgencies[language] };
  }, [i18n.language]);
}

/** A model's confusion matrix on its held-back tickets: the chart, and the same numbers as a table. */
function Confusion({ model, names }: { model: TriageModel; names: { department: Map<string, string>; urgency: string[] } | undefined }) {
  const { t } = useTranslation();
  if (!model.confusion) return null;
  const { labels, counts } = model.confusion;
  const nameOf = (label: string) => (model.target === 'urgency' ? names?.urgency[Number(label)] ?? label : names?.department.get(label) ?? '?');
  const labelNames = labels.map(nameOf);
  const title = t('settings.triage.confusion.title', { target: t(`settings.triage.targets.${model.target}`) });
  const axisNames = { actual: t('settings.triage.confusion.actual'), predicted: t('settings.triage.confusion.predicted') };
  return (
    <section aria-label={title}>
      <h4 className="section-title">{title}</h4>
      <p className="muted">{t('settings.triage.confusion.intro', { held: counts.flat().reduce((a, b) => a + b, 0) })}</p>
      <Suspense fallback={<p className="muted">{t('settings.loading')}</p>}>
        <ConfusionChart label={title} names={labelNames} counts={counts} axisNames={axisNames} />
      </Suspense>
      <div className="settings-scroll">
        <table className="settings-table">
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{axisNames.actual} \ {axisNames.predicted}</th>
              {labelNames.map((name, i) => <th key={labels[i]} scope="col" className="num">{name}</th>)}
            </tr>
          </thead>
          <tbody>
            {counts.map((row, i) => (
              <tr key={labels[i]}>
                <th scope="row">{labelNames[i]}</th>
                {row.map((n, j) => <td key={labels[j]} className="num">{n}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function SettingsForm({ initial, onDone }: { initial: { enabled: boolean; autoApplyThreshold: number }; onDone: () => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({ enabled: initial.enabled, threshold: String(initial.autoApplyThreshold) });
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(await submitForm(() => saveTriageSettings({ enabled: form.enabled, autoApplyThreshold: Number(form.threshold) }), onDone));
  };
  return (
    <form className="settings-form" onSubmit={submit} aria-label={t('settings.triage.settings')} noValidate>
      <FormError failure={failure} />
      <label><input type="checkbox" checked={form.enabled} onChange={(e) => setForm({ ...form, enabled: e.target.checked })} /> {t('settings.triage.on')}</label>
      <div className="field">
        <label htmlFor="triage-threshold">{t('settings.triage.threshold')}</label>
        <input id="triage-threshold" type="number" min={0} max={1} step={0.05} value={form.threshold}
          onChange={(e) => setForm({ ...form, threshold: e.target.value })} {...fieldAria(failure, 'autoApplyThreshold', 'triage-threshold')} />
        <p className="muted field-hint">{t('settings.triage.thresholdHint')}</p>
      </div>
      <div className="settings-actions">
        <button type="submit" className="button button-primary button-small">{t('settings.save')}</button>
      </div>
    </form>
  );
}
