import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useResource } from '../../api/use-resource.js';
import { Link } from '../../router/router.js';
import { useSignedIn } from '../../session/session.js';
import { exportUrl, listCustomers, type Customer, type CustomerFilter } from './customers-api.js';
import { EmailOrNone, LoadProblem } from './customer-bits.js';

/** Customers newest first, searched by name (Chinese too), e-mail or phone, and filtered by tag. */
export function CustomersList() {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const [filter, setFilter] = useState<CustomerFilter>({});
  const first = useResource(() => listCustomers(filter), [filter]);
  const [more, setMore] = useState<{ customers: Customer[]; cursor: string | null } | null>(null);
  const customers = [...(first.data?.customers ?? []), ...(more?.customers ?? [])];
  const cursor = more ? more.cursor : first.data?.nextCursor ?? null;
  const change = (next: CustomerFilter) => {
    setMore(null);
    setFilter(next);
  };
  const loadMore = async () => {
    if (!cursor) return;
    const page = await listCustomers(filter, cursor);
    setMore({ customers: [...(more?.customers ?? []), ...page.customers], cursor: page.nextCursor });
  };

  return (
    <div className="crm-section">
      <div className="crm-toolbar">
        <form className="crm-filters" role="search" onSubmit={(e) => e.preventDefault()}>
          <label className="field">{t('customers.search')}
            <input type="search" name="q" value={filter.q ?? ''} maxLength={100} onChange={(e) => change({ ...filter, q: e.target.value.trim() ? e.target.value : undefined })} />
          </label>
          <label className="field">{t('customers.tag')}
            <input type="text" name="tag" value={filter.tag ?? ''} maxLength={40} onChange={(e) => change({ ...filter, tag: e.target.value.trim().toLowerCase() || undefined })} />
          </label>
        </form>
        <Link className="button button-quiet" to="/customers/segments">{t('customers.segments.title')}</Link>
        <Link className="button button-quiet" to="/customers/companies">{t('customers.companies.title')}</Link>
        <Link className="button button-quiet" to="/customers/consent-purposes">{t('customers.purposes.title')}</Link>
        {agent.role === 'admin' && (
          <div className="crm-actions">
            <Link className="button" to="/customers/import">{t('customers.import.open')}</Link>
            <a className="button button-quiet" href={exportUrl('utf-8')} download>{t('customers.export.utf8')}</a>
            <a className="button button-quiet" href={exportUrl('gb18030')} download>{t('customers.export.gb18030')}</a>
          </div>
        )}
      </div>
      <LoadProblem state={first} />
      {first.phase === 'ready' && customers.length === 0 && <p className="muted">{t('customers.none')}</p>}
      {customers.length > 0 && (
        <CustomerTable customers={customers} />
      )}
      {cursor && <button type="button" className="button button-quiet" onClick={loadMore}>{t('customers.loadMore')}</button>}
    </div>
  );
}

/** A page of customers: name (to their record), e-mail, tags and since when; the list and a segment's members. */
export function CustomerTable({ customers }: { customers: Customer[] }) {
  const { t, i18n } = useTranslation();
  return (
    <table className="crm-table">
      <thead>
        <tr><th scope="col">{t('customers.columns.name')}</th><th scope="col">{t('customers.columns.email')}</th><th scope="col">{t('customers.columns.tags')}</th><th scope="col">{t('customers.columns.since')}</th></tr>
      </thead>
      <tbody>
        {customers.map((c) => (
          <tr key={c.id}>
            <td><Link to={`/customers/${c.id}`}>{c.name}</Link></td>
            <td className="crm-email"><EmailOrNone email={c.email} /></td>
            <td>{c.tags.map((tag) => <span key={tag} className="chip chip-quiet">{tag}</span>)}</td>
            <td>{new Date(c.createdAt).toLocaleDateString(i18n.language)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
