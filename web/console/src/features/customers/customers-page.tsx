import { useTranslation } from 'react-i18next';
import { useDocumentTitle } from '../../components/document-title.js';
import { usePath } from '../../router/router.js';
import { CustomerImport } from './customer-import.js';
import { CustomerView } from './customer-view.js';
import { CustomersList } from './customers-list.js';
import { Companies } from './companies.js';
import { ConsentPurposes } from './consent-purposes.js';
import { Segments } from './segments.js';
import './customers.css';

const ROOT = '/customers';

/**
 * The customer database: `/customers` (the list), `/customers/import` (CSV import with progress),
 * `/customers/segments[/…]` (saved segments), `/customers/companies[/<id>]` (companies and their members),
 * `/customers/consent-purposes` (what customers may agree to), `/customers/<id>` (the 360° record). Every screen is an address that can be reloaded or shared.
 */
export function CustomersPage() {
  const { t } = useTranslation();
  const [first, ...rest] = usePath().slice(ROOT.length + 1).split('/').filter(Boolean);
  useDocumentTitle(t('customers.title'));
  return (
    <section className="page customers" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('nav.customers')}</h1>
      </header>
      {first === 'segments' ? <Segments rest={rest} />
        : first === 'companies' ? <Companies rest={rest} />
          : first === 'consent-purposes' ? <ConsentPurposes />
            : first === 'import' ? <CustomerImport />
              : first ? <CustomerView key={first} id={first} /> : <CustomersList />}
    </section>
  );
}
