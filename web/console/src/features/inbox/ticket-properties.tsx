import { useId, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { actionErrorKey as errorKey, type ErrorKey } from '../../api/error-key.js';
import { useSignedIn } from '../../session/session.js';
import { isValidTag } from './actions.js';
import { useInboxData, useNames } from './inbox-data.js';
import { localName } from './format.js';
import { STATUSES, URGENCIES, updateTicket, type Ticket, type TicketChanges, type Urgency } from './tickets-api.js';
import { TriageSuggestions } from './triage-suggestion.js';

const MAX_TAGS = 20;

/** Status, assignee, department, urgency and tags of the open ticket; each change saves at once. */
export function TicketProperties({ ticket, onChanged }: { ticket: Ticket; onChanged: (ticket: Ticket) => void }) {
  const { t } = useTranslation();
  const names = useNames();
  const { agent } = useSignedIn();
  const { agents, departments } = useInboxData();
  const id = useId();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ErrorKey | null>(null);
  const [saved, setSaved] = useState(false);

  const save = async (changes: TicketChanges) => {
    setSaving(true);
    setError(null);
    setSaved(false);
    try {
      onChanged(await updateTicket(ticket.id, changes));
      setSaved(true);
    } catch (failure) {
      setError(errorKey(failure));
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="side-panel properties" aria-labelledby={`${id}-title`}>
      <header className="side-panel-header">
        <h2 id={`${id}-title`}>{t('inbox.properties.title')}</h2>
        <span className="muted small" role="status">
          {saving ? t('inbox.properties.saving') : saved ? t('inbox.properties.saved') : ''}
        </span>
      </header>
      <div className="property">
        <label htmlFor={`${id}-status`}>{t('inbox.properties.status')}</label>
        <select id={`${id}-status`} value={ticket.status} disabled={saving} onChange={(e) => void save({ status: e.target.value as Ticket['status'] })}>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {t(`inbox.status.${status}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="property">
        <label htmlFor={`${id}-assignee`}>{t('inbox.properties.assignee')}</label>
        <div className="property-row">
          <select id={`${id}-assignee`} value={ticket.assigneeId ?? ''} disabled={saving} onChange={(e) => void save({ assigneeId: e.target.value || null })}>
            <option value="">{t('inbox.unassigned')}</option>
            {agents.filter((a) => !a.disabled || a.id === ticket.assigneeId).map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
          {ticket.assigneeId !== agent.id && (
            <button type="button" className="link-button" disabled={saving} onClick={() => void save({ assigneeId: agent.id })}>
              {t('inbox.assignToMe')}
            </button>
          )}
        </div>
      </div>
      <div className="property">
        <label htmlFor={`${id}-department`}>{t('inbox.properties.department')}</label>
        <select id={`${id}-department`} value={ticket.departmentId ?? ''} disabled={saving} onChange={(e) => void save({ departmentId: e.target.value || null })}>
          <option value="">{t('inbox.none')}</option>
          {departments.map((d) => (
            <option key={d.id} value={d.id}>
              {localName(d.name, names.locale, d.key)}
            </option>
          ))}
        </select>
      </div>
      <div className="property">
        <label htmlFor={`${id}-urgency`}>{t('inbox.properties.urgency')}</label>
        <select id={`${id}-urgency`} value={String(ticket.urgency)} disabled={saving} onChange={(e) => void save({ urgency: Number(e.target.value) as Urgency })}>
          {[...URGENCIES].reverse().map((level) => (
            <option key={level} value={String(level)}>
              {names.urgency(level)}
            </option>
          ))}
        </select>
      </div>
      <TriageSuggestions ticket={ticket} saving={saving} save={save} onChanged={onChanged} />
      <TagEditor tags={ticket.tags} disabled={saving} onChange={(tags) => void save({ tags })} />
      {error && (
        <p className="inline-error" role="alert">
          {t(`errors.${error}`)}
        </p>
      )}
    </section>
  );
}

function TagEditor({ tags, disabled, onChange }: { tags: string[]; disabled: boolean; onChange: (tags: string[]) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [draft, setDraft] = useState('');
  const value = draft.trim().toLowerCase();
  const invalid = draft.trim() !== '' && !isValidTag(draft);

  const add = () => {
    if (!value || invalid || tags.includes(value) || tags.length >= MAX_TAGS) return;
    onChange([...tags, value].sort());
    setDraft('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter' || event.key === ',') {
      event.preventDefault();
      add();
    }
    if (event.key === 'Backspace' && draft === '' && tags.length) onChange(tags.slice(0, -1));
  };

  return (
    <div className="property">
      <label htmlFor={`${id}-tag`}>{t('inbox.properties.tags')}</label>
      <div className="tag-editor">
        <ul className="tag-list" aria-label={t('inbox.properties.tags')}>
          {tags.map((tag) => (
            <li key={tag} className="chip chip-tag">
              {tag}
              <button type="button" aria-label={t('inbox.properties.removeTag', { tag })} disabled={disabled} onClick={() => onChange(tags.filter((x) => x !== tag))}>
                ×
              </button>
            </li>
          ))}
        </ul>
        <input
          id={`${id}-tag`}
          type="text"
          value={draft}
          maxLength={40}
          disabled={disabled || tags.length >= MAX_TAGS}
          placeholder={t('inbox.properties.addTag')}
          aria-invalid={invalid}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          onBlur={add}
        />
      </div>
      {invalid && <p className="inline-error small">{t('inbox.properties.tagInvalid')}</p>}
    </div>
  );
}
