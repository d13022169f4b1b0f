import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { actionErrorKey as errorKey, type ErrorKey } from '../../api/error-key.js';
import { useInboxData, useNames } from './inbox-data.js';
import { statusChoice, statusesFor, type StatusChoice } from './inbox-filters.js';
import { localName } from './format.js';
import { SORTS, STATUSES, URGENCIES, VIEWS, saveView, type InboxFilters, type InboxSort, type InboxView, type Urgency } from './tickets-api.js';

const TEXT_DEBOUNCE_MS = 350;

/** Search, status, urgency, department, tag and sort above the list; "Save view" keeps them. */
export function FilterBar({ filters, onChange, searchRef }: { filters: InboxFilters; onChange: (filters: InboxFilters) => void; searchRef: RefObject<HTMLInputElement | null> }) {
  const { t } = useTranslation();
  const names = useNames();
  const { departments } = useInboxData();
  const id = useId();
  const [q, setQ] = useState(filters.q);
  const [tag, setTag] = useState(filters.tag);
  const [saving, setSaving] = useState(false);

  // Filters changed elsewhere (a view picked in the left column): the text boxes follow.
  useEffect(() => setQ(filters.q), [filters.q]);
  useEffect(() => setTag(filters.tag), [filters.tag]);

  // Typing settles before the list is asked again.
  const latest = useRef({ filters, onChange });
  useEffect(() => {
    latest.current = { filters, onChange };
  });
  useEffect(() => {
    if (q === latest.current.filters.q && tag === latest.current.filters.tag) return;
    const timer = setTimeout(() => latest.current.onChange({ ...latest.current.filters, q, tag }), TEXT_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [q, tag]);

  const choice = statusChoice(filters.status);
  const urgency = filters.urgency.length === 1 ? String(filters.urgency[0]) : filters.urgency.length ? 'custom' : '';
  const department = filters.departmentId.length === 1 ? filters.departmentId[0]! : filters.departmentId.length ? 'custom' : '';

  return (
    <div className="filter-bar">
      <form className="filter-search" role="search" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor={`${id}-q`} className="sr-only">
          {t('inbox.filters.search')}
        </label>
        <input
          ref={searchRef}
          id={`${id}-q`}
          type="search"
          value={q}
          maxLength={200}
          placeholder={t('inbox.filters.searchPlaceholder')}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') e.currentTarget.blur();
          }}
        />
      </form>
      <Select className="filter-view" label={t('inbox.filters.view')} value={filters.view} onChange={(v) => onChange({ ...filters, view: v as InboxView })}>
        {VIEWS.map((view) => (
          <option key={view} value={view}>
            {t(`inbox.views.${view}`)}
          </option>
        ))}
      </Select>
      <Select label={t('inbox.filters.status')} value={choice} onChange={(v) => onChange({ ...filters, status: statusesFor(v as StatusChoice, filters.status) })}>
        <option value="any">{t('inbox.filters.anyStatus')}</option>
        <option value="unsolved">{t('inbox.filters.unsolved')}</option>
        {STATUSES.map((status) => (
          <option key={status} value={status}>
            {t(`inbox.status.${status}`)}
          </option>
        ))}
        {choice === 'custom' && <option value="custom">{t('inbox.filters.custom')}</option>}
      </Select>
      <Select label={t('inbox.filters.urgency')} value={urgency} onChange={(v) => onChange({ ...filters, urgency: v === '' ? [] : v === 'custom' ? filters.urgency : [Number(v) as Urgency] })}>
        <option value="">{t('inbox.filters.anyUrgency')}</option>
        {[...URGENCIES].reverse().map((level) => (
          <option key={level} value={String(level)}>
            {names.urgency(level)}
          </option>
        ))}
        {urgency === 'custom' && <option value="custom">{t('inbox.filters.custom')}</option>}
      </Select>
      <Select label={t('inbox.filters.department')} value={department} onChange={(v) => onChange({ ...filters, departmentId: v === '' ? [] : v === 'custom' ? filters.departmentId : [v] })}>
        <option value="">{t('inbox.filters.anyDepartment')}</option>
        {departments.map((d) => (
          <option key={d.id} value={d.id}>
            {localName(d.name, names.locale, d.key)}
          </option>
        ))}
        {department === 'custom' && <option value="custom">{t('inbox.filters.custom')}</option>}
      </Select>
      <label className="filter-field filter-tag">
        <span className="sr-only">{t('inbox.filters.tag')}</span>
        <input type="text" value={tag} maxLength={40} placeholder={t('inbox.filters.tagPlaceholder')} onChange={(e) => setTag(e.target.value)} />
      </label>
      <Select label={t('inbox.filters.sort')} value={filters.sort} onChange={(v) => onChange({ ...filters, sort: v as InboxSort })}>
        {SORTS.map((sort) => (
          <option key={sort} value={sort}>
            {t(`inbox.sort.${sort}`)}
          </option>
        ))}
      </Select>
      <div className="filter-actions">
        {saving ? (
          <SaveViewForm filters={{ ...filters, q, tag }} onDone={() => setSaving(false)} />
        ) : (
          <button type="button" className="button button-quiet button-small" onClick={() => setSaving(true)}>
            {t('inbox.views.save')}
          </button>
        )}
      </div>
    </div>
  );
}

/** A filter's label is read out, not shown: each list's first choice ("Any status") says what it filters. */
function Select({ label, value, onChange, children, className }: { label: string; value: string; onChange: (value: string) => void; children: ReactNode; className?: string }) {
  return (
    <label className={`filter-field ${className ?? ''}`} title={label}>
      <span className="sr-only">{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {children}
      </select>
    </label>
  );
}

function SaveViewForm({ filters, onDone }: { filters: InboxFilters; onDone: () => void }) {
  const { t } = useTranslation();
  const { setViews } = useInboxData();
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorKey | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      const view = await saveView(name.trim(), filters, shared);
      setViews((views) => [...views, view]);
      onDone();
    } catch (failure) {
      setError(errorKey(failure));
      setBusy(false);
    }
  };

  return (
    <form className="save-view" onSubmit={(e) => void submit(e)} aria-label={t('inbox.views.save')}>
      <input
        type="text"
        value={name}
        maxLength={80}
        required
        autoFocus
        aria-label={t('inbox.views.name')}
        placeholder={t('inbox.views.name')}
        onChange={(e) => setName(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onDone();
        }}
      />
      <label className="check">
        <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
        {t('inbox.views.shareWithTeam')}
      </label>
      <button type="submit" className="button button-primary button-small" disabled={busy || !name.trim()}>
        {t('inbox.views.saveConfirm')}
      </button>
      <button type="button" className="button button-quiet button-small" onClick={onDone}>
        {t('inbox.cancel')}
      </button>
      {error && (
        <span className="inline-error" role="alert">
          {t(`errors.${error}`)}
        </span>
      )}
    </form>
  );
}
