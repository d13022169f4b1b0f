import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSignedIn } from '../../session/session.js';
import { isValidTag } from './actions.js';
import { useInboxData, useNames } from './inbox-data.js';
import { STATUSES, URGENCIES, type TicketChanges, type TicketStatus, type Urgency } from './tickets-api.js';

/** Shown while tickets are selected: set status, assignee or urgency, add or remove a tag, for all of them. */
export function BulkBar({ count, busy, onChange, onTag, onClear }: {
  count: number;
  busy: boolean;
  onChange: (changes: TicketChanges) => void;
  onTag: (tag: string, mode: 'add' | 'remove') => void;
  onClear: () => void;
}) {
  const { t } = useTranslation();
  const names = useNames();
  const { agent } = useSignedIn();
  const { agents } = useInboxData();
  const [tag, setTag] = useState('');
  const tagOk = isValidTag(tag);

  const assign = (value: string) => {
    if (value === '') return;
    onChange({ assigneeId: value === 'none' ? null : value });
  };

  return (
    <div className="bulk-bar" role="region" aria-label={t('inbox.bulk.label')}>
      <strong className="bulk-count">{t('inbox.bulk.selected', { count })}</strong>
      <select aria-label={t('inbox.bulk.setStatus')} value="" disabled={busy} onChange={(e) => e.target.value && onChange({ status: e.target.value as TicketStatus })}>
        <option value="">{t('inbox.bulk.setStatus')}</option>
        {STATUSES.map((status) => (
          <option key={status} value={status}>
            {t(`inbox.status.${status}`)}
          </option>
        ))}
      </select>
      <select aria-label={t('inbox.bulk.setAssignee')} value="" disabled={busy} onChange={(e) => assign(e.target.value)}>
        <option value="">{t('inbox.bulk.setAssignee')}</option>
        <option value={agent.id}>{t('inbox.assignToMe')}</option>
        <option value="none">{t('inbox.unassigned')}</option>
        {agents.filter((a) => !a.disabled && a.id !== agent.id).map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </select>
      <select aria-label={t('inbox.bulk.setUrgency')} value="" disabled={busy} onChange={(e) => e.target.value && onChange({ urgency: Number(e.target.value) as Urgency })}>
        <option value="">{t('inbox.bulk.setUrgency')}</option>
        {[...URGENCIES].reverse().map((level) => (
          <option key={level} value={String(level)}>
            {names.urgency(level)}
          </option>
        ))}
      </select>
      <span className="bulk-tag">
        <input
          type="text"
          value={tag}
          maxLength={40}
          aria-label={t('inbox.bulk.tag')}
          placeholder={t('inbox.bulk.tag')}
          aria-invalid={tag !== '' && !tagOk}
          onChange={(e) => setTag(e.target.value)}
        />
        <button type="button" className="button button-quiet button-small" disabled={busy || !tagOk} onClick={() => { onTag(tag, 'add'); setTag(''); }}>
          {t('inbox.bulk.addTag')}
        </button>
        <button type="button" className="button button-quiet button-small" disabled={busy || !tagOk} onClick={() => { onTag(tag, 'remove'); setTag(''); }}>
          {t('inbox.bulk.removeTag')}
        </button>
      </span>
      <button type="button" className="button button-quiet button-small bulk-clear" onClick={onClear}>
        {t('inbox.bulk.clear')}
      </button>
    </div>
  );
}
