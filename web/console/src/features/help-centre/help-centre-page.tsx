import { useTranslation } from 'react-i18next';
import { useDocumentTitle } from '../../components/document-title.js';
import { Link, isWithin, usePath } from '../../router/router.js';
import { ArticleEditor } from './article-editor.js';
import { ArticlesTab } from './articles-tab.js';
import { CategoriesTab } from './categories-tab.js';
import { ListeningTab } from './listening-tab.js';
import { SynonymsTab } from './synonyms-tab.js';
import { TreesTab } from './trees/trees-tab.js';
import './help-centre.css';

const ROOT = '/help-centre';
const TABS = ['articles', 'categories', 'troubleshooting', 'listening', 'synonyms'] as const;
type Tab = (typeof TABS)[number];

/**
 * The help centre area: `/help-centre/<tab>[/<id>]`. Every screen is an address, so an editor can
 * reload, bookmark or share it; "create article" from a report opens `/articles/new?title=…`.
 */
export function HelpCentrePage() {
  const { t } = useTranslation();
  const path = usePath();
  const [tab = 'articles', ...rest] = path.slice(ROOT.length + 1).split('/').filter(Boolean) as [Tab?, ...string[]];
  const current: Tab = TABS.includes(tab) ? tab : 'articles';
  useDocumentTitle(t(`helpCentre.tabs.${current}`));

  return (
    <section className="page help-centre" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t('nav.helpCentre')}</h1>
      </header>
      <nav className="hc-tabs" aria-label={t('nav.helpCentre')}>
        {TABS.map((name) => (
          <Link key={name} to={`${ROOT}/${name}`} className="hc-tab" aria-current={isWithin(path, `${ROOT}/${name}`) || (name === 'articles' && path === ROOT) ? 'page' : undefined}>
            {t(`helpCentre.tabs.${name}`)}
          </Link>
        ))}
      </nav>
      <div className="hc-body">{screen(current, rest.join('/'))}</div>
    </section>
  );
}

function screen(tab: Tab, rest: string) {
  switch (tab) {
    case 'articles':
      return rest ? <ArticleEditor key={rest} id={rest === 'new' ? null : rest} /> : <ArticlesTab />;
    case 'categories':
      return <CategoriesTab />;
    case 'troubleshooting':
      return <TreesTab rest={rest} />;
    case 'listening':
      return <ListeningTab />;
    case 'synonyms':
      return <SynonymsTab />;
  }
}
