import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useResource } from '../../api/use-resource.js';
import { Link } from '../../router/router.js';
import { useSignedIn } from '../../session/session.js';
import { createPurpose, listPurposes, updatePurpose, type Purpose } from './customers-api.js';
import { FieldProblem, LoadProblem, ProblemNotice, fieldAria, tryWrite, type Problem } from './customer-bits.js';

/**
 * `/customers/consent-purposes`: what customers may agree to (newsletter, product notices …), with
 * their names per language and the wording version each grant is logged with. Admins add and edit;
 * a purpose's key never changes, as consent logs and segment rules name it.
 */
export function ConsentPurposes() {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const purposes = useResource(listPurposes, []);
  const [editing, setEditing] = useState<string | null>(null);
  const admin = agent.role === 'admin';
  return (
    <div className="crm-section crm-purposes">
      <p><Link to="/customers">← {t('customers.companies.allCustomers')}</Link></p>
      <h2>{t('customers.purposes.title')}</h2>
      <p className="muted">{t('customers.purposes.intro')}</p>
      <LoadProblem state={purposes} />
      {purposes.phase === 'ready' && purposes.data.length === 0 && <p className="muted">{t('customers.purposes.none')}</p>}
      {purposes.data && purposes.data.length > 0 && (
        <table className="crm-table">
          <thead>
            <tr>
              <th scope="col">{t('customers.purposes.key')}</th><th scope="col">{t('customers.purposes.nameEn')}</th>
              <th scope="col">{t('customers.purposes.nameZh')}</th><th scope="col">{t('customers.purposes.wordingVersion')}</th>
              {admin && <th scope="col"><span className="sr-only">{t('customers.purposes.edit')}</span></th>}
            </tr>
          </thead>
          <tbody>
            {purposes.data.map((p) => (editing === p.id
              ? (
                <tr key={p.id}>
                  <td colSpan={5}>
                    <PurposeForm idPrefix={`edit-purpose-${p.key}`} purpose={p} onSaved={() => { setEditing(null); purposes.reload(); }} onCancel={() => setEditing(null)} />
                  </td>
                </tr>
              )
              : (
                <tr key={p.id} data-purpose={p.key}>
                  <td><code>{p.key}</code></td><td>{p.names.en}</td><td>{p.names['zh-CN'] ?? '—'}</td><td>{p.wordingVersion}</td>
                  {admin && (
                    <td>
                      <button type="button" className="button button-small button-quiet" aria-label={t('customers.purposes.editNamed', { key: p.key })} onClick={() => setEditing(p.id)}>
                        {t('customers.purposes.edit')}
                      </button>
                    </td>
                  )}
                </tr>
              )))}
          </tbody>
        </table>
      )}
      {admin && (
        <section aria-labelledby="crm-new-purpose">
          <h3 id="crm-new-purpose">{t('customers.purposes.new')}</h3>
          <PurposeForm key={purposes.data?.length ?? 0} idPrefix="new-purpose" onSaved={purposes.reload} />
        </section>
      )}
    </div>
  );
}

/** A new purpose (key, names, wording version) or an existing one's names and wording; refused fields show their message. */
function PurposeForm({ idPrefix, purpose, onSaved, onCancel }: { idPrefix: string; purpose?: Purpose; onSaved: () => void; onCancel?: () => void }) {
  const { t } = useTranslation();
  const [key, setKey] = useState(purpose?.key ?? '');
  const [en, setEn] = useState(purpose?.names.en ?? '');
  const [zh, setZh] = useState(purpose?.names['zh-CN'] ?? '');
  const [wordingVersion, setWordingVersion] = useState(purpose?.wordingVersion ?? '');
  const [problem, setProblem] = useState<Problem | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // An empty Chinese name is no name (the portal then shows the English one).
    const fields = { names: { en, ...(zh.trim() ? { 'zh-CN': zh } : {}) }, wordingVersion };
    const failed = await tryWrite(() => (purpose ? updatePurpose(purpose.id, fields) : createPurpose({ key, ...fields })));
    setProblem(failed);
    if (!failed) onSaved();
  };
  const id = (field: string) => `${idPrefix}-${field}`;
  return (
    <form className="crm-edit crm-purpose-form" onSubmit={submit} noValidate>
      <ProblemNotice problem={problem} fieldsShown />
      {!purpose && (
        <>
          <label className="field" htmlFor={id('key')}>{t('customers.purposes.key')}</label>
          <input id={id('key')} name="key" value={key} maxLength={40} placeholder="product_notices" onChange={(e) => setKey(e.target.value)} {...fieldAria(problem, 'key', id('key'))} />
          <FieldProblem problem={problem} field="key" id={id('key')} rule={problem?.code === 'CONSENT_PURPOSE_TAKEN' ? 'keyTaken' : 'key'} />
        </>
      )}
      <label className="field" htmlFor={id('en')}>{t('customers.purposes.nameEn')}</label>
      <input id={id('en')} name="nameEn" value={en} maxLength={200} onChange={(e) => setEn(e.target.value)} {...fieldAria(problem, 'names.en', id('en'))} />
      <FieldProblem problem={problem} field="names.en" id={id('en')} rule="required" />
      <label className="field" htmlFor={id('zh')}>{t('customers.purposes.nameZh')}</label>
      <input id={id('zh')} name="nameZh" value={zh} maxLength={200} onChange={(e) => setZh(e.target.value)} {...fieldAria(problem, 'names.zh-CN', id('zh'))} />
      <FieldProblem problem={problem} field="names.zh-CN" id={id('zh')} rule="tooLong" />
      <label className="field" htmlFor={id('version')}>{t('customers.purposes.wordingVersion')}</label>
      <input id={id('version')} name="wordingVersion" value={wordingVersion} maxLength={40} placeholder="2026-01" onChange={(e) => setWordingVersion(e.target.value)} {...fieldAria(problem, 'wordingVersion', id('version'))} />
      <FieldProblem problem={problem} field="wordingVersion" id={id('version')} rule="required" />
      <p className="muted small">{t('customers.purposes.versionHint')}</p>
      <div className="crm-actions">
        <button type="submit" className="button button-primary">{purpose ? t('customers.purposes.save') : t('customers.purposes.create')}</button>
        {onCancel && <button type="button" className="button button-quiet" onClick={onCancel}>{t('customers.record.cancel')}</button>}
      </div>
    </form>
  );
}
