import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/icon.js';
import { Link } from '../../router/router.js';
import { useSignedIn } from '../../session/session.js';
import { moduleAreas } from '../module-areas.js';

export function HomePage() {
  const { t } = useTranslation();
  const { agent, workspace } = useSignedIn();
  const role = t(`roles.${agent.role}`);
  return (
    <section className="page" aria-labelledby="page-title">
      <div className="panel welcome">
        <h1 id="page-title">{t('home.greeting', { name: agent.name })}</h1>
        <p className="muted">{t('home.summary', { workspace: workspace.name, role })}</p>
        <p>
          <span className="badge badge-role">{role}</span>
        </p>
      </div>
      <h2 className="section-title">{t('home.areasHeading')}</h2>
      <ul className="area-grid">
        {moduleAreas.map((area) => (
          <li key={area.key}>
            <Link className="area-card" to={area.path}>
              <span className="area-card-icon">
                <Icon name={area.icon} />
              </span>
              <span className="area-card-title">{t(`nav.${area.key}`)}</span>
              <span className="area-card-text">{t(`areas.${area.key}.description`)}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
