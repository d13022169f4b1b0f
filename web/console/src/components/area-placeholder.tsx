import { useTranslation } from 'react-i18next';
import type { ModuleArea } from '../features/area.js';
import { Icon } from './icon.js';

/**
 * The empty state an area shows until its module brings the real screens: the area's name, what
 * it will do, and that it is on its way. A module replaces its page's use of this component.
 */
export function AreaPlaceholder({ area }: { area: ModuleArea['key'] }) {
  const { t } = useTranslation();
  return (
    <section className="page" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">{t(`nav.${area}`)}</h1>
      </header>
      <div className="panel empty-state">
        <span className="empty-state-icon">
          <Icon name={area} className="icon icon-lg" />
        </span>
        <p className="badge">{t('areas.placeholderBadge')}</p>
        <h2>{t('areas.placeholder')}</h2>
        <p className="muted">{t(`areas.${area}.description`)}</p>
      </div>
    </section>
  );
}
