import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../router/router.js';
import { CONTENT_LOCALES, listArticles, listCategories, type ArticleFilter } from './help-centre-api.js';
import { LoadProblem } from './load-problem.js';
import { useResource } from '../../api/use-resource.js';

/** Articles with filters (status, language, category, title); a row opens the editor. */
export function ArticlesTab() {
  const { t, i18n } = useTranslation();
  const [filter, setFilter] = useState<ArticleFilter>({});
  const articles = useResource(() => listArticles(filter), [filter]);
  const categories = useResource(listCategories, []);
  const categoryName = (id: string | null) => {
    const category = categories.data?.find((c) => c.id === id);
    return category ? (category.names[i18n.language === 'zh-CN' ? 'zh-CN' : 'en'] ?? category.names.en ?? category.names['zh-CN'] ?? category.slug) : '—';
  };

  return (
    <div className="hc-section">
      <div className="hc-toolbar">
        <form className="hc-filters" role="search" onSubmit={(e) => e.preventDefault()}>
          <label className="field">{t('helpCentre.articles.search')}
            <input type="search" value={filter.q ?? ''} maxLength={200} onChange={(e) => setFilter({ ...filter, q: e.target.value || undefined })} />
          </label>
          <label className="field">{t('helpCentre.articles.status')}
            <select value={filter.status ?? ''} onChange={(e) => setFilter({ ...filter, status: (e.target.value || undefined) as ArticleFilter['status'] })}>
              <option value="">{t('helpCentre.any')}</option>
              <option value="draft">{t('helpCentre.status.draft')}</option>
              <option value="published">{t('helpCentre.status.published')}</option>
            </select>
          </label>
          <label className="field">{t('helpCentre.articles.locale')}
            <select value={filter.locale ?? ''} onChange={(e) => setFilter({ ...filter, locale: (e.target.value || undefined) as ArticleFilter['locale'] })}>
              <option value="">{t('helpCentre.any')}</option>
              {CONTENT_LOCALES.map((l) => <option key={l} value={l}>{l === 'en' ? 'English' : '中文'}</option>)}
            </select>
          </label>
          <label className="field">{t('helpCentre.articles.category')}
            <select value={filter.categoryId ?? ''} onChange={(e) => setFilter({ ...filter, categoryId: e.target.value || undefined })}>
              <option value="">{t('helpCentre.any')}</option>
              {categories.data?.map((c) => <option key={c.id} value={c.id}>{categoryName(c.id)}</option>)}
            </select>
          </label>
        </form>
        <Link className="button button-primary" to="/help-centre/articles/new">{t('helpCentre.articles.new')}</Link>
      </div>
      <LoadProblem state={articles} />
      {articles.data?.length === 0 && <p className="muted">{t('helpCentre.articles.none')}</p>}
      {articles.data && articles.data.length > 0 && (
        <table className="hc-table">
          <thead>
            <tr>
              <th>{t('helpCentre.articles.title')}</th><th>{t('helpCentre.articles.category')}</th><th>{t('helpCentre.articles.locale')}</th>
              <th>{t('helpCentre.articles.status')}</th><th className="num">{t('helpCentre.articles.views')}</th><th className="num">{t('helpCentre.articles.helpful')}</th>
            </tr>
          </thead>
          <tbody>
            {articles.data.map((a) => (
              <tr key={a.id}>
                <td><Link to={`/help-centre/articles/${a.id}`}>{a.title}</Link>{a.tags.length > 0 && <span className="muted small"> · {a.tags.join(', ')}</span>}</td>
                <td>{categoryName(a.categoryId)}</td>
                <td>{a.locale}</td>
                <td>
                  <span className={`chip ${a.status === 'published' ? 'chip-new' : 'chip-quiet'}`}>{t(`helpCentre.status.${a.status}`)}</span>
                  {a.hasUnpublishedChanges && <span className="chip chip-note">{t('helpCentre.status.changed')}</span>}
                </td>
                <td className="num">{a.views}</td>
                <td className="num">{a.helpful} / {a.unhelpful}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
