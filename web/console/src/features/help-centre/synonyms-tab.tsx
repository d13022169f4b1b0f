import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSignedIn } from '../../session/session.js';
import { CONTENT_LOCALES, createSynonyms, deleteSynonyms, listSynonyms, updateSynonyms, type ContentLocale, type SynonymGroup } from './help-centre-api.js';
import { LoadProblem } from './load-problem.js';
import { codeOf, useResource } from '../../api/use-resource.js';

/** "卡纸, 夹纸, paper jam": terms separated by commas (either width) or new lines. */
const parseTerms = (text: string) => [...new Set(text.split(/[,，\n]/).map((s) => s.trim()).filter(Boolean))];

/** Groups of words that mean the same to search, per language. */
export function SynonymsTab() {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const canEdit = agent.role === 'editor' || agent.role === 'admin';
  const groups = useResource(listSynonyms, []);
  const [locale, setLocale] = useState<ContentLocale>('zh-CN');
  const [terms, setTerms] = useState('');
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);

  const act = async (action: () => Promise<unknown>, done: string) => {
    setMessage(null);
    try {
      await action();
      setMessage({ tone: 'ok', text: done });
      groups.reload();
      return true;
    } catch (error) {
      setMessage({ tone: 'error', text: t('helpCentre.synonyms.failed', { code: codeOf(error) }) });
      return false;
    }
  };
  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (await act(() => createSynonyms(locale, parseTerms(terms)), t('helpCentre.synonyms.saved'))) setTerms('');
  };

  return (
    <div className="hc-section">
      <p className="muted">{t('helpCentre.synonyms.intro')}</p>
      {message && <p className={`notice ${message.tone === 'error' ? 'notice-error' : ''}`} role={message.tone === 'error' ? 'alert' : 'status'}>{message.text}</p>}
      <LoadProblem state={groups} />
      {groups.data?.length === 0 && <p className="muted">{t('helpCentre.synonyms.none')}</p>}
      {groups.data && groups.data.length > 0 && (
        <ul className="hc-synonyms">
          {groups.data.map((g) => <SynonymRow key={`${g.id}:${g.terms.join()}`} group={g} canEdit={canEdit} act={act} />)}
        </ul>
      )}
      {canEdit && (
        <form className="panel hc-fields" onSubmit={(e) => void add(e)}>
          <h3 className="section-title hc-wide">{t('helpCentre.synonyms.add')}</h3>
          <label className="field">{t('helpCentre.articles.locale')}
            <select value={locale} onChange={(e) => setLocale(e.target.value as ContentLocale)}>
              {CONTENT_LOCALES.map((l) => <option key={l} value={l}>{l === 'en' ? 'English' : '中文'}</option>)}
            </select>
          </label>
          <label className="field hc-wide">{t('helpCentre.synonyms.terms')}
            <input value={terms} placeholder="卡纸, 夹纸, paper jam" onChange={(e) => setTerms(e.target.value)} />
          </label>
          <div className="hc-wide"><button className="button button-primary" disabled={parseTerms(terms).length < 2}>{t('helpCentre.synonyms.add')}</button></div>
        </form>
      )}
    </div>
  );
}

function SynonymRow({ group, canEdit, act }: { group: SynonymGroup; canEdit: boolean; act: (action: () => Promise<unknown>, done: string) => Promise<boolean> }) {
  const { t } = useTranslation();
  const [text, setText] = useState(group.terms.join(', '));
  const changed = parseTerms(text).join('\n') !== group.terms.join('\n');
  return (
    <li className="hc-synonym">
      <span className="chip chip-quiet">{group.locale}</span>
      <input aria-label={t('helpCentre.synonyms.terms')} value={text} disabled={!canEdit} onChange={(e) => setText(e.target.value)} />
      {canEdit && (
        <>
          <button type="button" className="button button-small" disabled={!changed || parseTerms(text).length < 2} onClick={() => void act(() => updateSynonyms(group.id, parseTerms(text)), t('helpCentre.synonyms.saved'))}>{t('helpCentre.synonyms.save')}</button>
          <button type="button" className="button button-quiet button-small" onClick={() => void act(() => deleteSynonyms(group.id), t('helpCentre.synonyms.deleted'))}>{t('helpCentre.synonyms.delete')}</button>
        </>
      )}
    </li>
  );
}
