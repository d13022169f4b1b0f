import { useState, type MouseEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { actionErrorKey as errorKey, type ErrorKey } from '../../api/error-key.js';
import { toHref } from '../../router/router.js';
import { useInboxData, useNames } from './inbox-data.js';
import { PRESETS, filtersToSearch, sameFilters, urgencyPreset } from './inbox-filters.js';
import { deleteView, URGENCIES, type InboxFilters, type Urgency } from './tickets-api.js';

/** The left column: fixed views, one per urgency level, then the agent's saved views. */
export function ViewsColumn({ filters, onSelect }: { filters: InboxFilters; onSelect: (filters: InboxFilters) => void }) {
  const { t } = useTranslation();
  const names = useNames();
  const { views, setViews } = useInboxData();
  const [error, setError] = useState<ErrorKey | null>(null);

  const remove = async (id: string) => {
    setError(null);
    try {
      await deleteView(id);
      setViews((list) => list.filter((v) => v.id !== id));
    } catch (failure) {
      setError(errorKey(failure));
    }
  };

  const byUrgency = [...URGENCIES].reverse() as Urgency[];
  return (
    <nav className="views" aria-label={t('inbox.views.label')}>
      <h2 className="views-heading">{t('inbox.views.heading')}</h2>
      <ul>
        {PRESETS.map((preset) => (
          <li key={preset.key}>
            <ViewLink filters={preset.filters} current={filters} onSelect={onSelect}>
              {t(`inbox.views.${preset.key}`)}
            </ViewLink>
          </li>
        ))}
      </ul>
      <h2 className="views-heading">{t('inbox.views.byUrgency')}</h2>
      <ul>
        {byUrgency.map((level) => (
          <li key={level}>
            <ViewLink filters={urgencyPreset(level)} current={filters} onSelect={onSelect}>
              <span className={`urgency urgency-${level}`}>
                <span className="urgency-dot" aria-hidden="true" />
              </span>
              {names.urgency(level)}
            </ViewLink>
          </li>
        ))}
      </ul>
      <h2 className="views-heading">{t('inbox.views.saved')}</h2>
      {views.length === 0 ? (
        <p className="views-empty muted">{t('inbox.views.savedEmpty')}</p>
      ) : (
        <ul>
          {views.map((view) => (
            <li key={view.id} className="saved-view">
              <ViewLink filters={view.filters} current={filters} onSelect={onSelect}>
                <span className="saved-view-name">{view.name}</span>
                {view.shared && <span className="chip chip-quiet">{t('inbox.views.shared')}</span>}
              </ViewLink>
              {!view.shared && (
                <button
                  type="button"
                  className="icon-button"
                  aria-label={t('inbox.views.delete', { name: view.name })}
                  title={t('inbox.views.delete', { name: view.name })}
                  onClick={() => void remove(view.id)}
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="form-error" role="alert">
          <span>{t(`errors.${error}`)}</span>
        </p>
      )}
    </nav>
  );
}

function ViewLink({ filters, current, onSelect, children }: { filters: InboxFilters; current: InboxFilters; onSelect: (f: InboxFilters) => void; children: ReactNode }) {
  const href = `${toHref('/inbox')}${filtersToSearch(filters)}`;
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onSelect(filters);
  };
  return (
    <a href={href} className="view-link" aria-current={sameFilters(filters, current) ? 'page' : undefined} onClick={onClick}>
      {children}
    </a>
  );
}
