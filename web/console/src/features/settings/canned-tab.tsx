import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { attempt, useResource } from '../../api/use-resource.js';
import { cannedReplies, createCannedReply, deleteCannedReply, updateCannedReply, type CannedReply } from './admin-api.js';
import { FieldError, FormError, InlineError, LoadState, fieldAria, submitForm, type FormFailure } from './settings-bits.js';

type LocaleFilter = 'all' | 'en' | 'zh-CN' | 'none';

/** Canned replies per language (or for every language); agents insert them from the reply box. */
export function CannedTab() {
  const { t } = useTranslation();
  const list = useResource(cannedReplies, []);
  const [editing, setEditing] = useState<string | null>(null);
  const [filter, setFilter] = useState<LocaleFilter>('all');
  const [error, setError] = useState<string | null>(null);
  const replies = (list.data ?? []).filter((c) => filter === 'all' || (filter === 'none' ? c.locale === null : c.locale === filter));
  const remove = async (c: CannedReply) => {
    if (!window.confirm(t('settings.canned.confirmDelete', { title: c.title }))) return;
    setError(await attempt(() => deleteCannedReply(c.id), list.reload));
  };
  const current = list.data?.find((c) => c.id === editing);
  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.canned.intro')}</p>
      <div className="settings-toolbar">
        <div className="field">
          <label htmlFor="canned-filter">{t('settings.canned.filter')}</label>
          <select id="canned-filter" value={filter} onChange={(e) => setFilter(e.target.value as LocaleFilter)}>
            <option value="all">{t('settings.canned.allLanguages')}</option>
            <option value="zh-CN">{t('settings.locales.zh-CN')}</option>
            <option value="en">{t('settings.locales.en')}</option>
            <option value="none">{t('settings.canned.anyLanguage')}</option>
          </select>
        </div>
      </div>
      <LoadState state={list} />
      <InlineError code={error} />
      {list.phase === 'ready' && replies.length === 0 && <p className="muted">{t('settings.canned.empty')}</p>}
      {replies.length > 0 && (
        <div className="settings-scroll">
          <table className="settings-table">
            <thead>
              <tr>
                <th scope="col">{t('settings.canned.title')}</th>
                <th scope="col">{t('settings.canned.language')}</th>
                <th scope="col">{t('settings.canned.body')}</th>
                <th scope="col"><span className="sr-only">{t('settings.edit')}</span></th>
              </tr>
            </thead>
            <tbody>
              {replies.map((c) => (
                <tr key={c.id}>
                  <td>{c.title}</td>
                  <td>{c.locale ? t(`settings.locales.${c.locale}`) : t('settings.canned.anyLanguage')}</td>
                  <td className="settings-excerpt">{c.body}</td>
                  <td className="settings-actions">
                    <button type="button" className="button button-small button-quiet" aria-label={t('settings.editNamed', { name: c.title })} onClick={() => setEditing(c.id)}>{t('settings.edit')}</button>
                    <button type="button" className="button button-small button-quiet" aria-label={t('settings.deleteNamed', { name: c.title })} onClick={() => remove(c)}>{t('settings.delete')}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {current
        ? <CannedEditor key={current.id} reply={current} onDone={() => { setEditing(null); list.reload(); }} onCancel={() => setEditing(null)} />
        : <CannedEditor key="new" onDone={list.reload} />}
    </div>
  );
}

const EMPTY = { title: '', body: '', locale: '' };

function CannedEditor({ reply, onDone, onCancel }: { reply?: CannedReply; onDone: () => void; onCancel?: () => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState(reply ? { title: reply.title, body: reply.body, locale: reply.locale ?? '' } : EMPTY);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const prefix = reply ? 'edit-canned' : 'canned';
  const save = async (event: FormEvent) => {
    event.preventDefault();
    const input = { title: form.title, body: form.body, locale: (form.locale || null) as CannedReply['locale'] };
    setFailure(await submitForm(
      () => (reply ? updateCannedReply(reply.id, input) : createCannedReply(input)),
      () => { if (!reply) setForm(EMPTY); onDone(); },
    ));
  };
  return (
    <form className="settings-form" onSubmit={save} aria-labelledby={`${prefix}-heading`} noValidate>
      <h3 id={`${prefix}-heading`} className="section-title">{reply ? t('settings.canned.editTitle', { title: reply.title }) : t('settings.canned.add')}</h3>
      <FormError failure={failure} />
      <div className="settings-fields">
        <div className="field">
          <label htmlFor={`${prefix}-title`}>{t('settings.canned.title')}</label>
          <input id={`${prefix}-title`} maxLength={120} value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} {...fieldAria(failure, 'title', `${prefix}-title`)} />
          <FieldError failure={failure} field="title" id={`${prefix}-title`} rule="required" />
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-locale`}>{t('settings.canned.language')}</label>
          <select id={`${prefix}-locale`} value={form.locale} onChange={(e) => setForm({ ...form, locale: e.target.value })}>
            <option value="">{t('settings.canned.anyLanguage')}</option>
            <option value="zh-CN">{t('settings.locales.zh-CN')}</option>
            <option value="en">{t('settings.locales.en')}</option>
          </select>
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-body`}>{t('settings.canned.body')}</label>
        <textarea id={`${prefix}-body`} rows={5} maxLength={20000} value={form.body} onChange={(e) => setForm({ ...form, body: e.target.value })} {...fieldAria(failure, 'body', `${prefix}-body`)} />
        <FieldError failure={failure} field="body" id={`${prefix}-body`} rule="required" />
        <p className="muted field-hint">{t('settings.canned.placeholders')}</p>
      </div>
      <div className="settings-actions">
        <button type="submit" className="button button-primary button-small">{reply ? t('settings.save') : t('settings.canned.addButton')}</button>
        {onCancel && <button type="button" className="button button-small button-quiet" onClick={onCancel}>{t('settings.cancel')}</button>}
      </div>
    </form>
  );
}
