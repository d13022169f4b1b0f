import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DecisionWire } from '@contracts/triage.js';
import { actionErrorKey as errorKey, type ErrorKey } from '../../api/error-key.js';
import { ApiError, isRecord, request } from '../../api/http.js';
import { useResource } from '../../api/use-resource.js';
import { useInboxData, useNames } from './inbox-data.js';
import { localName } from './format.js';
import { ticketById, type Ticket, type TicketChanges, type Urgency } from './tickets-api.js';

/** The ticket's triage decision; none (404) when triage has not seen it. */
async function triageDecision(ticketId: string): Promise<DecisionWire | null> {
  try {
    const body = await request('GET', `/api/v1/triage/tickets/${encodeURIComponent(ticketId)}`);
    return isRecord(body) && isRecord(body.department) && isRecord(body.urgency) ? (body as unknown as DecisionWire) : null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/**
 * What the classifier suggested but was not sure enough to set (below the workspace's threshold),
 * while the ticket does not have it: one click sets it. Setting it is an agent's change, so the
 * ticket teaches the next model like any other correction.
 */
export function TriageSuggestions({ ticket, saving, save, onChanged }: {
  ticket: Ticket; saving: boolean; save: (changes: TicketChanges) => Promise<void>; onChanged: (ticket: Ticket) => void;
}) {
  const { t } = useTranslation();
  const names = useNames();
  const { departments } = useInboxData();
  const decision = useResource(() => triageDecision(ticket.id), [ticket.id]);
  const [spamError, setSpamError] = useState<ErrorKey | null>(null);
  const d = decision.data;
  if (!d) return null;
  if (d.spam && ticket.tags.includes('spam')) {
    const notSpam = async () => {
      setSpamError(null);
      try {
        await request('POST', `/api/v1/triage/tickets/${encodeURIComponent(ticket.id)}/not-spam`);
        onChanged(await ticketById(ticket.id));
        decision.reload();
      } catch (error) {
        setSpamError(errorKey(error));
      }
    };
    return (
      <div className="property triage-suggestions">
        <p className="muted small">
          {d.spamScore === null ? t('inbox.triage.spamByRule') : t('inbox.triage.spam', { score: d.spamScore })}{' '}
          <button type="button" className="link-button" disabled={saving} onClick={() => void notSpam()}>{t('inbox.triage.notSpam')}</button>
        </p>
        {spamError && <p className="notice" role="alert">{t(`errors.${spamError}`)}</p>}
      </div>
    );
  }
  const open = (c: DecisionWire['department']) => c.source === 'model' && !c.applied && c.value !== null;
  const suggestions = [
    ...(open(d.department) && d.department.value !== ticket.departmentId ? [{
      key: 'department', confidence: d.department.confidence ?? 0, changes: { departmentId: String(d.department.value) },
      name: (() => { const dep = departments.find((x) => x.id === d.department.value); return dep ? localName(dep.name, names.locale, dep.key) : t('inbox.unknown'); })(),
    }] : []),
    ...(open(d.urgency) && d.urgency.value !== ticket.urgency ? [{
      key: 'urgency', confidence: d.urgency.confidence ?? 0, changes: { urgency: Number(d.urgency.value) as Urgency }, name: names.urgency(Number(d.urgency.value) as Urgency),
    }] : []),
  ];
  if (!suggestions.length) return null;
  return (
    <div className="property triage-suggestions">
      {suggestions.map((s) => (
        <p key={s.key} className="muted small">
          {t(`inbox.triage.${s.key as 'department' | 'urgency'}`, { name: s.name, confidence: Math.round(s.confidence * 100) })}{' '}
          <button type="button" className="link-button" disabled={saving} onClick={() => void save(s.changes)}>
            {t('inbox.triage.accept', { name: s.name })}
          </button>
        </p>
      ))}
    </div>
  );
}
