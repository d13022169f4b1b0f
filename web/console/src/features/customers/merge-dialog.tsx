import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useResource } from '../../api/use-resource.js';
import { customerRecord, mergeCustomers, type Customer, type MergeField } from './customers-api.js';
import { ProblemNotice, tryWrite, type Problem } from './customer-bits.js';

const FIELDS: MergeField[] = ['name', 'locale', 'timeZone', 'companyId', 'address'];

/** Side by side: for each field that differs, keep this customer's value or take the duplicate's; then merge. */
export function MergeDialog({ survivorId, duplicate, onClose }: { survivorId: string; duplicate: Customer; onClose: (merged: boolean) => void }) {
  const { t } = useTranslation();
  const survivor = useResource(() => customerRecord(survivorId), [survivorId]);
  const [take, setTake] = useState<Set<MergeField>>(new Set());
  const [problem, setProblem] = useState<Problem | null>(null);
  const shown = (customer: Customer, field: MergeField) => {
    const value = customer[field];
    return value === null ? '—' : typeof value === 'object' ? Object.values(value).join(', ') : value;
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const failed = await tryWrite(() => mergeCustomers(survivorId, duplicate.id, [...take]));
    setProblem(failed);
    if (!failed) onClose(true);
  };
  const mine = survivor.data?.customer;
  return (
    <div className="crm-dialog" role="dialog" aria-modal="true" aria-labelledby="merge-title">
      <form onSubmit={submit}>
        <h3 id="merge-title">{t('customers.duplicates.dialogTitle', { name: duplicate.name })}</h3>
        <p className="muted small">{t('customers.duplicates.dialogIntro')}</p>
        {mine && (
          <table className="crm-table">
            <thead><tr><th scope="col">{t('customers.duplicates.field')}</th><th scope="col">{t('customers.duplicates.keep')}</th><th scope="col">{t('customers.duplicates.take')}</th></tr></thead>
            <tbody>
              {FIELDS.map((field) => (
                <tr key={field}>
                  <th scope="row">{t(`customers.duplicates.fields.${field}`)}</th>
                  <td><label><input type="radio" name={field} checked={!take.has(field)} onChange={() => setTake(new Set([...take].filter((f) => f !== field)))} /> {shown(mine, field)}</label></td>
                  <td><label><input type="radio" name={field} checked={take.has(field)} onChange={() => setTake(new Set([...take, field]))} /> {shown(duplicate, field)}</label></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <ProblemNotice problem={problem} />
        <div className="crm-actions">
          <button type="submit" className="button button-primary" disabled={!mine}>{t('customers.duplicates.confirm')}</button>
          <button type="button" className="button button-quiet" onClick={() => onClose(false)}>{t('customers.record.cancel')}</button>
        </div>
      </form>
    </div>
  );
}
