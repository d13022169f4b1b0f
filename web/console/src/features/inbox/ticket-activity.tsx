import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNames } from './inbox-data.js';
import { RelativeTime } from './ticket-bits.js';
import { STATUSES, URGENCIES, ticketActivity, type ActivityEntry, type TicketStatus, type Urgency } from './tickets-api.js';

/** The fields a `ticket.updated` entry names, in the order they are listed. */
const FIELDS = ['status', 'urgency', 'assignee_id', 'department_id', 'tags', 'subject', 'custom_fields'] as const;
type Field = (typeof FIELDS)[number];

const isStatus = (value: unknown): value is TicketStatus => (STATUSES as readonly unknown[]).includes(value);
const isUrgency = (value: unknown): value is Urgency => (URGENCIES as readonly unknown[]).includes(value);

/**
 * The ticket's activity log, newest first (issue 19, 3): who did what, and for a change each field
 * with its value before and after in words ("Urgency: Normal → Urgent"), not just "updated".
 * Re-read whenever the conversation's revision moves (a change here or a live event).
 */
export function TicketActivity({ ticketId, revision, now }: { ticketId: string; revision: number; now: number }) {
  const { t } = useTranslation();
  const names = useNames();
  const [entries, setEntries] = useState<ActivityEntry[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let current = true;
    ticketActivity(ticketId).then((found) => { if (current) { setEntries(found); setFailed(false); } }, () => { if (current) setFailed(true); });
    return () => { current = false; };
  }, [ticketId, revision]);

  const value = (field: Field, raw: unknown): string => {
    switch (field) {
      case 'status': return isStatus(raw) ? t(`inbox.status.${raw}`) : String(raw);
      case 'urgency': return isUrgency(raw) ? names.urgency(raw) : String(raw);
      case 'assignee_id': return names.agent(typeof raw === 'string' ? raw : null);
      case 'department_id': return names.department(typeof raw === 'string' ? raw : null);
      case 'tags': return Array.isArray(raw) && raw.length ? raw.join(', ') : t('inbox.none');
      default: return typeof raw === 'string' ? raw : '';
    }
  };
  const who = (entry: ActivityEntry) =>
    entry.actorType === 'agent' || entry.actorType === 'api' ? names.agent(entry.actorId) : t(`inbox.activityLog.actors.${entry.actorType === 'customer' ? 'customer' : 'system'}`);
  const what = (entry: ActivityEntry) => {
    const known = ['ticket.created', 'ticket.updated', 'reply.added', 'note.added', 'ticket.merged', 'ticket.merged_in', 'ticket.split', 'ticket.rated'];
    if (known.includes(entry.action)) return t(`inbox.activity.${entry.action.replace('.', '_') as 'ticket_updated'}`);
    return triageLine(entry) ?? entry.action;
  };
  /** Triage's automations and rules (src/modules/triage/README.md): what happened, with the hours, days or rule it names. */
  const triageLine = (entry: ActivityEntry): string | null => {
    const d = entry.details;
    const num = (key: string) => (typeof d[key] === 'number' ? d[key] : 0);
    switch (entry.action) {
      case 'triage.reminded': return t('inbox.activity.triage.reminded', { hours: num('hours') });
      case 'triage.escalated': return typeof d.hours === 'number' ? t('inbox.activity.triage.escalatedNoReply', { hours: d.hours }) : t('inbox.activity.triage.escalatedSla');
      case 'triage.auto_closed': return t(d.noticeSent ? 'inbox.activity.triage.autoClosedNotice' : 'inbox.activity.triage.autoClosed', { days: num('days') });
      case 'triage.not_spam': return t('inbox.activity.triage.notSpam');
      case 'triage.notified': return t('inbox.activity.triage.notified', { rule: typeof d.rule === 'string' ? d.rule : '', count: num('notified') });
      default: return null;
    }
  };

  return (
    <section aria-labelledby="ticket-activity-title">
      <h3 id="ticket-activity-title" className="side-heading">{t('inbox.activityLog.title')}</h3>
      {failed && <p className="muted small">{t('inbox.activityLog.failed')}</p>}
      {entries && entries.length === 0 && <p className="muted small">{t('inbox.customer.noActivity')}</p>}
      {entries && entries.length > 0 && (
        <ol className="activity">
          {[...entries].reverse().slice(0, 20).map((entry) => {
            const changes = entry.action === 'ticket.updated' ? FIELDS.filter((f) => Array.isArray(entry.details[f])) : [];
            return (
              <li key={entry.id}>
                <span className="activity-what">{who(entry)} · {what(entry)}</span>
                <span className="muted small">{' · '}<RelativeTime at={entry.createdAt} now={now} /></span>
                {changes.length > 0 && (
                  <ul className="activity-changes">
                    {changes.map((field) => {
                      const [before, after] = entry.details[field] as [unknown, unknown];
                      return (
                        <li key={field}>
                          {field === 'custom_fields'
                            ? t('inbox.activityLog.fields.custom_fields')
                            : t('inbox.activityLog.change', { field: t(`inbox.activityLog.fields.${field}`), before: value(field, before), after: value(field, after) })}
                        </li>
                      );
                    })}
                  </ul>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
