import { useTranslation } from 'react-i18next';
import { Link } from '../router/router.js';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <section className="page" aria-labelledby="page-title">
      <div className="panel empty-state">
        <h1 id="page-title">{t('notFound.title')}</h1>
        <p className="muted">{t('notFound.body')}</p>
        <p>
          <Link to="/" className="button button-primary">
            {t('notFound.back')}
          </Link>
        </p>
      </div>
    </section>
  );
}
