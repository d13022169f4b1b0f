import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useResource } from '../../api/use-resource.js';
import { Link, navigate } from '../../router/router.js';
import { useSignedIn } from '../../session/session.js';
import { companyPage, deleteCompany, listCompanies, saveCompany, type CompanyFields, type CompanyPage } from './customers-api.js';
import { EmailOrNone, FieldProblem, LoadProblem, ProblemNotice, fieldAria, tryWrite, type Problem } from './customer-bits.js';

const ROOT = '/customers/companies';

/** `/customers/companies` (the list, and a new company for admins), `…/<id>` (a company's page). */
export function Companies({ rest }: { rest: string[] }) {
  const [id] = rest;
  return id ? <CompanyView key={id} id={id} /> : <CompanyList />;
}

/** Every company by name with its number of customers. */
function CompanyList() {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const companies = useResource(listCompanies, []);
  return (
    <div className="crm-section crm-companies">
      <p><Link to="/customers">← {t('customers.companies.allCustomers')}</Link></p>
      <h2>{t('customers.companies.title')}</h2>
      <LoadProblem state={companies} />
      {companies.phase === 'ready' && companies.data.length === 0 && <p className="muted">{t('customers.companies.none')}</p>}
      {companies.data && companies.data.length > 0 && (
        <table className="crm-table">
          <thead>
            <tr><th scope="col">{t('customers.companies.name')}</th><th scope="col">{t('customers.companies.domain')}</th><th scope="col">{t('customers.companies.members')}</th></tr>
          </thead>
          <tbody>
            {companies.data.map((c) => (
              <tr key={c.id}>
                <td><Link to={`${ROOT}/${c.id}`}>{c.name}</Link></td>
                <td>{c.domain ?? '—'}</td>
                <td data-member-count={c.id}>{t('customers.companies.memberCount', { count: c.memberCount })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {agent.role === 'admin' && (
        <section aria-labelledby="crm-new-company">
          <h3 id="crm-new-company">{t('customers.companies.new')}</h3>
          <CompanyForm idPrefix="new-company" onSaved={(company) => navigate(`${ROOT}/${company.id}`)} />
        </section>
      )}
    </div>
  );
}

/** A company: its details (admins edit or delete it) and its members with their number of tickets. */
function CompanyView({ id }: { id: string }) {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const company = useResource(() => companyPage(id), [id]);
  const [editing, setEditing] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const remove = async () => {
    if (!window.confirm(t('customers.companies.confirmDelete'))) return;
    const failed = await tryWrite(() => deleteCompany(id));
    setProblem(failed);
    if (!failed) navigate(ROOT);
  };
  const data = company.data;
  return (
    <div className="crm-section crm-company">
      <p><Link to={ROOT}>← {t('customers.companies.back')}</Link></p>
      <LoadProblem state={company} />
      <ProblemNotice problem={problem} />
      {data && (editing
        ? <CompanyForm idPrefix="edit-company" company={data} onSaved={() => { setEditing(false); company.reload(); }} onCancel={() => setEditing(false)} />
        : (
          <div className="crm-profile">
            <h2>{data.name}</h2>
            {data.domain && <p className="crm-email">{data.domain}</p>}
            {data.notes && <p className="crm-notes">{data.notes}</p>}
            {agent.role === 'admin' && (
              <div className="crm-actions">
                <button type="button" className="button button-small" onClick={() => setEditing(true)}>{t('customers.companies.edit')}</button>
                <button type="button" className="button button-small button-quiet" onClick={remove}>{t('customers.companies.delete')}</button>
              </div>
            )}
          </div>
        ))}
      {data && (
        <section aria-labelledby="crm-company-members">
          <h3 id="crm-company-members">{t('customers.companies.membersTitle')}</h3>
          {data.members.length === 0 ? <p className="muted">{t('customers.companies.noMembers')}</p> : (
            <table className="crm-table">
              <thead>
                <tr><th scope="col">{t('customers.columns.name')}</th><th scope="col">{t('customers.columns.email')}</th><th scope="col">{t('customers.companies.tickets')}</th></tr>
              </thead>
              <tbody>
                {data.members.map((m) => (
                  <tr key={m.id}>
                    <td><Link to={`/customers/${m.id}`}>{m.name}</Link></td>
                    <td className="crm-email"><EmailOrNone email={m.email} /></td>
                    <td data-ticket-count={m.id}>{m.ticketCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="muted small">{t('customers.companies.addHint')}</p>
        </section>
      )}
    </div>
  );
}

/** Name, domain and notes of a new or an existing company; a refused field shows its message under it. */
function CompanyForm({ idPrefix, company, onSaved, onCancel }: { idPrefix: string; company?: CompanyPage; onSaved: (company: { id: string }) => void; onCancel?: () => void }) {
  const { t } = useTranslation();
  const [fields, setFields] = useState<CompanyFields>({ name: company?.name ?? '', domain: company?.domain ?? null, notes: company?.notes ?? '' });
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    let saved: { id: string } | undefined;
    const failed = await tryWrite(async () => { saved = await saveCompany(company?.id ?? null, { ...fields, domain: fields.domain?.trim() || null }); });
    setBusy(false);
    setProblem(failed);
    if (!failed && saved) onSaved(saved);
  };
  const id = (field: string) => `${idPrefix}-${field}`;
  return (
    <form className="crm-edit crm-company-form" onSubmit={submit} noValidate>
      <ProblemNotice problem={problem} fieldsShown />
      <label className="field" htmlFor={id('name')}>{t('customers.companies.name')}</label>
      <input id={id('name')} name="name" value={fields.name} maxLength={200} required onChange={(e) => setFields({ ...fields, name: e.target.value })} {...fieldAria(problem, 'name', id('name'))} />
      <FieldProblem problem={problem} field="name" id={id('name')} rule={problem?.code === 'COMPANY_TAKEN' ? 'companyTaken' : 'required'} />
      <label className="field" htmlFor={id('domain')}>{t('customers.companies.domain')}</label>
      <input id={id('domain')} name="domain" value={fields.domain ?? ''} maxLength={253} placeholder="example.com" onChange={(e) => setFields({ ...fields, domain: e.target.value })} {...fieldAria(problem, 'domain', id('domain'))} />
      <FieldProblem problem={problem} field="domain" id={id('domain')} rule={problem?.code === 'COMPANY_DOMAIN_TAKEN' ? 'domainTaken' : 'domain'} />
      <label className="field" htmlFor={id('notes')}>{t('customers.companies.notes')}</label>
      <textarea id={id('notes')} name="notes" value={fields.notes} maxLength={5000} rows={3} onChange={(e) => setFields({ ...fields, notes: e.target.value })} />
      <div className="crm-actions">
        <button type="submit" className="button button-primary" disabled={busy}>{company ? t('customers.companies.save') : t('customers.companies.create')}</button>
        {onCancel && <button type="button" className="button button-quiet" onClick={onCancel}>{t('customers.record.cancel')}</button>}
      </div>
    </form>
  );
}
