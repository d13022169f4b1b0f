import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSignedIn } from '../../session/session.js';
import { createCategory, deleteCategory, listCategories, updateCategory, type Category } from './help-centre-api.js';
import { LoadProblem } from './load-problem.js';
import { codeOf, useResource } from '../../api/use-resource.js';

/** Parents before their children, each with its depth, in `position` order. */
function outline(categories: Category[]): { category: Category; depth: number }[] {
  const children = new Map<string | null, Category[]>();
  for (const c of [...categories].sort((a, b) => a.position - b.position)) children.set(c.parentId, [...(children.get(c.parentId) ?? []), c]);
  const out: { category: Category; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const c of children.get(parent) ?? []) { out.push({ category: c, depth }); walk(c.id, depth + 1); }
  };
  walk(null, 0);
  return out;
}

export function CategoriesTab() {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const canEdit = agent.role === 'editor' || agent.role === 'admin';
  const categories = useResource(listCategories, []);
  const [draft, setDraft] = useState({ slug: '', en: '', zh: '', parentId: '' });
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);

  const act = async (action: () => Promise<unknown>, done: string) => {
    setMessage(null);
    try {
      await action();
      setMessage({ tone: 'ok', text: done });
      categories.reload();
      return true;
    } catch (error) {
      const code = codeOf(error);
      const known = (['KB_CATEGORY_NOT_EMPTY', 'KB_SLUG_TAKEN', 'KB_CATEGORY_CYCLE'] as const).find((k) => k === code) ?? 'other';
      setMessage({ tone: 'error', text: t(`helpCentre.categories.errors.${known}`, { code }) });
      return false;
    }
  };
  const add = async (event: FormEvent) => {
    event.preventDefault();
    const names = { ...(draft.en.trim() ? { en: draft.en.trim() } : {}), ...(draft.zh.trim() ? { 'zh-CN': draft.zh.trim() } : {}) };
    if (await act(() => createCategory({ slug: draft.slug.trim(), names, parentId: draft.parentId || null }), t('helpCentre.categories.created'))) {
      setDraft({ slug: '', en: '', zh: '', parentId: '' });
    }
  };
  const rename = (c: Category, locale: 'en' | 'zh-CN', value: string) => {
    if ((c.names[locale] ?? '') === value.trim()) return;
    void act(() => updateCategory(c.id, { names: { ...c.names, [locale]: value.trim() } }), t('helpCentre.categories.saved'));
  };

  return (
    <div className="hc-section">
      {message && <p className={`notice ${message.tone === 'error' ? 'notice-error' : ''}`} role={message.tone === 'error' ? 'alert' : 'status'}>{message.text}</p>}
      <LoadProblem state={categories} />
      {categories.data && (
        <table className="hc-table">
          <thead><tr><th>{t('helpCentre.categories.nameZh')}</th><th>{t('helpCentre.categories.nameEn')}</th><th>{t('helpCentre.categories.slug')}</th><th /></tr></thead>
          <tbody>
            {outline(categories.data).map(({ category: c, depth }) => (
              <tr key={c.id}>
                <td style={{ paddingInlineStart: `${0.5 + depth * 1.25}rem` }}>
                  <input aria-label={t('helpCentre.categories.nameZh')} defaultValue={c.names['zh-CN'] ?? ''} disabled={!canEdit} onBlur={(e) => rename(c, 'zh-CN', e.target.value)} />
                </td>
                <td><input aria-label={t('helpCentre.categories.nameEn')} defaultValue={c.names.en ?? ''} disabled={!canEdit} onBlur={(e) => rename(c, 'en', e.target.value)} /></td>
                <td><code>{c.slug}</code></td>
                <td>{canEdit && <button type="button" className="button button-quiet button-small" onClick={() => void act(() => deleteCategory(c.id), t('helpCentre.categories.deleted'))}>{t('helpCentre.categories.delete')}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canEdit && (
        <form className="panel hc-fields" onSubmit={(e) => void add(e)}>
          <h3 className="section-title hc-wide">{t('helpCentre.categories.add')}</h3>
          <label className="field">{t('helpCentre.categories.slug')}<input required value={draft.slug} maxLength={120} pattern="[a-z0-9]+(-[a-z0-9]+)*" onChange={(e) => setDraft({ ...draft, slug: e.target.value })} /></label>
          <label className="field">{t('helpCentre.categories.nameZh')}<input value={draft.zh} maxLength={120} onChange={(e) => setDraft({ ...draft, zh: e.target.value })} /></label>
          <label className="field">{t('helpCentre.categories.nameEn')}<input value={draft.en} maxLength={120} onChange={(e) => setDraft({ ...draft, en: e.target.value })} /></label>
          <label className="field">{t('helpCentre.categories.parent')}
            <select value={draft.parentId} onChange={(e) => setDraft({ ...draft, parentId: e.target.value })}>
              <option value="">—</option>
              {categories.data?.map((c) => <option key={c.id} value={c.id}>{c.names['zh-CN'] ?? c.names.en ?? c.slug}</option>)}
            </select>
          </label>
          <div className="hc-wide"><button className="button button-primary">{t('helpCentre.categories.add')}</button></div>
        </form>
      )}
    </div>
  );
}
