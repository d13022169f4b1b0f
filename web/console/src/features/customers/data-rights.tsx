import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useResource } from '../../api/use-resource.js';
import { dataArchiveUrl, dataExportUrl, eraseCustomer, erasureStatus, type Customer } from './customers-api.js';
import { LoadProblem, ProblemNotice, tryWrite, type Problem } from './customer-bits.js';
import { isPlaceholderAddress } from '@contracts/addresses.js';

/**
 * What the admin types to confirm an erasure: the customer's e-mail; for a customer without one
 * (known only by phone: their address is a placeholder no mail reaches) their phone, compared by
 * its digits; failing that their name.
 */
function confirmation(customer: Customer, phone: string | undefined) {
  if (!isPlaceholderAddress(customer.email)) return { key: 'typeEmail' as const, shown: customer.email, matches: (typed: string) => typed.trim().toLowerCase() === customer.email };
  const digits = (value: string) => value.replace(/\D/g, '');
  if (phone) return { key: 'typePhone' as const, shown: phone, matches: (typed: string) => digits(typed).length > 0 && digits(typed) === digits(phone) };
  return { key: 'typeName' as const, shown: customer.name, matches: (typed: string) => typed.trim() === customer.name.trim() };
}

/**
 * The customer's own data (admins): download everything held on them, or erase it on their
 * request. Erasing asks the admin to type the customer's e-mail first (their phone when they have
 * no e-mail: no mail is sent, the request is the admin's, audited by name); the server does the
 * rest as a durable job, so the section shows the erasure's progress.
 */
export function DataRights({ customer, phone, onErased }: { customer: Customer; phone?: string; onErased: () => void }) {
  const { t, i18n } = useTranslation();
  const erasure = useResource(() => erasureStatus(customer.id), [customer.id]);
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const day = (at: string) => new Date(at).toLocaleString(i18n.language);
  const confirm = confirmation(customer, phone);

  const erase = async (event: FormEvent) => {
    event.preventDefault();
    const failed = await tryWrite(() => eraseCustomer(customer.id));
    setProblem(failed);
    if (failed) return;
    setConfirming(false);
    erasure.reload();
    // The job usually finishes within a moment; show the anonymised record then.
    setTimeout(() => { erasure.reload(); onErased(); }, 1500);
  };

  const state = erasure.data;
  return (
    <section aria-labelledby="crm-rights" className="crm-rights">
      <h3 id="crm-rights">{t('customers.rights.title')}</h3>
      <LoadProblem state={erasure} />
      {state?.status === 'done' && <p className="notice" role="status">{t('customers.rights.done', { date: day(state.finishedAt ?? state.createdAt) })}</p>}
      {state?.status === 'queued' && <p className="notice" role="status">{t('customers.rights.queued', { date: day(state.createdAt) })}</p>}
      {!state && erasure.data === null && (
        <>
          <p className="muted small">{t('customers.rights.intro')}</p>
          <div className="crm-actions">
            <a className="button button-small" href={dataExportUrl(customer.id)} download>{t('customers.rights.export')}</a>
            <a className="button button-small" href={dataArchiveUrl(customer.id)} download>{t('customers.rights.exportArchive')}</a>
            <button type="button" className="button button-small button-danger" onClick={() => { setTyped(''); setConfirming(true); }}>{t('customers.rights.erase')}</button>
          </div>
        </>
      )}
      {confirming && (
        <div className="crm-dialog" role="dialog" aria-modal="true" aria-labelledby="erase-title">
          <form onSubmit={erase}>
            <h3 id="erase-title">{t('customers.rights.dialogTitle', { name: customer.name })}</h3>
            <p>{t('customers.rights.dialogIntro')}</p>
            {confirm.key !== 'typeEmail' && <p className="muted small">{t('customers.rights.noMail')}</p>}
            <label className="field">{t(`customers.rights.${confirm.key}`, { value: confirm.shown })}
              <input name="confirm" value={typed} autoComplete="off" onChange={(e) => setTyped(e.target.value)} />
            </label>
            <ProblemNotice problem={problem} />
            <div className="crm-actions">
              <button type="submit" className="button button-danger" disabled={!confirm.matches(typed)}>{t('customers.rights.confirm')}</button>
              <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>{t('customers.record.cancel')}</button>
            </div>
          </form>
        </div>
      )}
    </section>
  );
}
