import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { TEMPLATE_PLACEHOLDERS } from '@contracts/triage.js';
import { attempt, useResource } from '../../api/use-resource.js';
import { urgencyNames } from '../inbox/tickets-api.js';
import { teams } from './admin-api.js';
import { FieldError, FormError, InlineError, LoadState, SettingsTable, fieldAria, fieldFailed, submitForm, type FormFailure } from './settings-bits.js';
import { answerTemplates, createAnswerTemplate, deleteAnswerTemplate, updateAnswerTemplate, type AnswerTemplate, type AnswerTemplateBody } from './triage-api.js';

type Locale = AnswerTemplateBody['locale'];
const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/** The placeholders a text names that the server does not fill in (it refuses them too). */
export function unknownPlaceholders(text: string): string[] {
  const known: readonly string[] = TEMPLATE_PLACEHOLDERS;
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((name) => !known.includes(name)))];
}

/** The template with sample values, as a customer would read it (the server adds " [#number]" to the subject). */
function preview(text: string, samples: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => samples[name] ?? whole);
}

interface Names { teams: { id: string; name: string }[]; urgencies: string[] }

/**
 * Settings → Triage → Templates: the acknowledgement a new ticket gets, per department × urgency ×
 * language (either of the first two may be "any"; the most specific one is used). The
 * placeholders are listed, unknown ones are marked on their field as they are typed, and a preview
 * shows the text with sample values.
 */
export function TriageTemplatesTab() {
  const { t, i18n } = useTranslation();
  const list = useResource(answerTemplates, []);
  const names = useResource(async (): Promise<Names> => {
    const [all, urgencies] = await Promise.all([teams(), urgencyNames()]);
    const language = i18n.language === 'zh-CN' ? 'zh-CN' : 'en';
    return { teams: all.map((d) => ({ id: d.id, name: d.name[language] || d.key })), urgencies: urgencies[language] };
  }, [i18n.language]);
  const [editing, setEditing] = useState<AnswerTemplate | null>(null);
  const [error, setError] = useState<string | null>(null);
  const team = (id: string | null) => (id === null ? t('settings.triage.templates.anyDepartment') : names.data?.teams.find((d) => d.id === id)?.name ?? '?');
  const urgency = (level: number | null) => (level === null ? t('settings.triage.templates.anyUrgency') : names.data?.urgencies[level] ?? String(level));
  const remove = async (template: AnswerTemplate) => {
    if (!window.confirm(t('settings.triage.templates.confirmDelete', { subject: template.subject }))) return;
    setError(await attempt(() => deleteAnswerTemplate(template.id), list.reload));
  };
  const templates = list.data ?? [];
  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.triage.templates.intro')}</p>
      <LoadState state={list} />
      <InlineError code={error} />
      {list.phase === 'ready' && templates.length === 0 && <p className="muted">{t('settings.triage.templates.none')}</p>}
      {templates.length > 0 && (
        <SettingsTable columns={[t('settings.triage.templates.department'), t('settings.triage.templates.urgency'), t('settings.triage.templates.locale'), t('settings.triage.templates.subject'), '']}>
          {templates.map((template) => (
            <tr key={template.id}>
              <td>{team(template.departmentId)}</td>
              <td>{urgency(template.urgency)}</td>
              <td>{t(`settings.locales.${template.locale}`)}</td>
              <td>{template.subject}</td>
              <td className="settings-actions">
                <button type="button" className="button button-small button-quiet" aria-label={t('settings.triage.templates.editNamed', { subject: template.subject })}
                  onClick={() => setEditing(template)}>{t('settings.edit')}</button>
                <button type="button" className="button button-small button-quiet" aria-label={t('settings.deleteNamed', { name: template.subject })}
                  onClick={() => remove(template)}>{t('settings.delete')}</button>
              </td>
            </tr>
          ))}
        </SettingsTable>
      )}
      <TemplateForm key={editing?.id ?? 'new'} editing={editing} names={names.data} onDone={() => { setEditing(null); list.reload(); }} onCancel={() => setEditing(null)} />
    </div>
  );
}

function TemplateForm({ editing, names, onDone, onCancel }: { editing: AnswerTemplate | null; names: Names | undefined; onDone: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({
    departmentId: editing?.departmentId ?? '', urgency: editing?.urgency === null || editing === null ? '' : String(editing.urgency),
    locale: editing?.locale ?? 'zh-CN', subject: editing?.subject ?? '', body: editing?.body ?? '',
  });
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const unknown = { subject: unknownPlaceholders(form.subject), body: unknownPlaceholders(form.body) };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (unknown.subject.length || unknown.body.length) return;
    const body: AnswerTemplateBody = {
      departmentId: form.departmentId || null, urgency: form.urgency === '' ? null : Number(form.urgency), locale: form.locale as Locale, subject: form.subject, body: form.body,
    };
    setFailure(await submitForm(() => (editing ? updateAnswerTemplate(editing.id, body) : createAnswerTemplate(body)), onDone, { TRIAGE_TEMPLATE_TAKEN: 'locale' }));
  };
  const heading = editing ? t('settings.triage.templates.edit') : t('settings.triage.templates.add');
  const samples = t('settings.triage.templates.samples', { returnObjects: true, lng: form.locale }) as Record<string, string>;
  const textField = (field: 'subject' | 'body') => (
    <>
      {unknown[field].length > 0 && (
        <p id={`template-${field}-error`} className="field-error" role="alert">
          {t('settings.triage.templates.unknownPlaceholders', { names: unknown[field].map((n) => `{{${n}}}`).join(', ') })}
        </p>
      )}
      {!unknown[field].length && <FieldError failure={failure} field={field} id={`template-${field}`} rule="invalid" />}
    </>
  );
  const invalid = (field: 'subject' | 'body') => (unknown[field].length ? { 'aria-invalid': true as const, 'aria-describedby': `template-${field}-error` } : fieldAria(failure, field, `template-${field}`));
  return (
    <form className="settings-form" onSubmit={submit} aria-label={heading} noValidate>
      <h3 className="section-title">{heading}</h3>
      <FormError failure={failure} />
      <div className="settings-fields">
        <div className="field">
          <label htmlFor="template-department">{t('settings.triage.templates.department')}</label>
          <select id="template-department" value={form.departmentId} onChange={(e) => setForm({ ...form, departmentId: e.target.value })}>
            <option value="">{t('settings.triage.templates.anyDepartment')}</option>
            {names?.teams.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="template-urgency">{t('settings.triage.templates.urgency')}</label>
          <select id="template-urgency" value={form.urgency} onChange={(e) => setForm({ ...form, urgency: e.target.value })}>
            <option value="">{t('settings.triage.templates.anyUrgency')}</option>
            {(names?.urgencies ?? []).map((name, level) => <option key={level} value={level}>{name}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="template-locale">{t('settings.triage.templates.locale')}</label>
          <select id="template-locale" value={form.locale} onChange={(e) => setForm({ ...form, locale: e.target.value as Locale })} {...fieldAria(failure, 'locale', 'template-locale')}>
            {LOCALES.map((l) => <option key={l} value={l}>{t(`settings.locales.${l}`)}</option>)}
          </select>
          {failure?.code === 'TRIAGE_TEMPLATE_TAKEN' && fieldFailed(failure, 'locale') && (
            <p id="template-locale-error" className="field-error" role="alert">{t('settings.triage.templates.taken')}</p>
          )}
        </div>
      </div>
      <div className="field">
        <label htmlFor="template-subject">{t('settings.triage.templates.subject')}</label>
        <input id="template-subject" maxLength={200} value={form.subject} onChange={(e) => setForm({ ...form, subject: e.target.value })} {...invalid('subject')} />
        {textField('subject')}
      </div>
      <div className="field">
        <label htmlFor="template-body">{t('settings.triage.templates.body')}</label>
        <textarea id="template-body" rows={6} maxLength={10_000} value={form.body} onChange={(e) => setForm({ ...form, body: e.target.value })} {...invalid('body')} />
        {textField('body')}
      </div>
      <details>
        <summary>{t('settings.triage.templates.placeholders')}</summary>
        <dl className="settings-placeholders">
          {TEMPLATE_PLACEHOLDERS.map((name) => (
            <div key={name}>
              <dt><code>{`{{${name}}}`}</code></dt>
              <dd>{t(`settings.triage.templates.placeholder.${name}`)}</dd>
            </div>
          ))}
        </dl>
      </details>
      <section aria-label={t('settings.triage.templates.preview')} className="settings-preview">
        <h4>{t('settings.triage.templates.preview')}</h4>
        <p><strong>{preview(form.subject, samples)} [#{samples.number}]</strong></p>
        <p className="settings-preview-body">{preview(form.body, samples)}</p>
      </section>
      <div className="settings-actions">
        {editing && <button type="button" className="button button-small" onClick={onCancel}>{t('settings.cancel')}</button>}
        <button type="submit" className="button button-primary button-small">{editing ? t('settings.save') : t('settings.triage.templates.addButton')}</button>
      </div>
    </form>
  );
}
