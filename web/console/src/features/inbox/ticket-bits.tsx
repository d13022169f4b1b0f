/** Small pieces the list and the conversation share: badges, urgency marks, the live indicator. */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RealtimeStatus } from '../../realtime/realtime.js';
import { useNames } from './inbox-data.js';
import { dateTime, initials, nextDue, relativeTime } from './format.js';
import type { Ticket, TicketStatus, Urgency } from './tickets-api.js';

export function StatusBadge({ status }: { status: TicketStatus }) {
  const { t } = useTranslation();
  return <span className={`status status-${status}`}>{t(`inbox.status.${status}`)}</span>;
}

export function UrgencyMark({ urgency, withLabel = true }: { urgency: Urgency; withLabel?: boolean }) {
  const names = useNames();
  const name = names.urgency(urgency);
  return (
    <span className={`urgency urgency-${urgency}`} title={name}>
      <span className="urgency-dot" aria-hidden="true" />
      {withLabel ? <span className="urgency-label">{name}</span> : <span className="sr-only">{name}</span>}
    </span>
  );
}

export function Avatar({ name, size = 'md' }: { name: string; size?: 'sm' | 'md' }) {
  return (
    <span className={`avatar avatar-${size}`} aria-hidden="true">
      {initials(name)}
    </span>
  );
}

/** Re-renders every 30 s so "5 min ago" and deadlines stay true on a screen left open. */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export function RelativeTime({ at, now }: { at: string; now: number }) {
  const { i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? i18n.language;
  return (
    <time dateTime={at} title={dateTime(at, locale)}>
      {relativeTime(at, now, locale)}
    </time>
  );
}

export function DueLabel({ ticket, now, long = false }: { ticket: Ticket; now: number; long?: boolean }) {
  const { t, i18n } = useTranslation();
  const due = nextDue(ticket, now);
  if (!due) return long ? null : <span className="muted">—</span>;
  const locale = i18n.resolvedLanguage ?? i18n.language;
  const relative = relativeTime(due.at, now, locale);
  const when = due.state === 'overdue' ? t('inbox.due.overdue', { when: relative }) : relative;
  return (
    <span className={`due due-${due.state}`} title={`${t(`inbox.due.${due.kind}`)} · ${dateTime(due.at, locale)}`}>
      {long ? t('inbox.due.labelled', { kind: t(`inbox.due.${due.kind}`), when }) : when}
    </span>
  );
}

export function LiveIndicator({ status }: { status: RealtimeStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`live live-${status}`} role="status" title={t(`inbox.live.${status}Hint`)}>
      <span className="live-dot" aria-hidden="true" />
      {t(`inbox.live.${status}`)}
    </span>
  );
}
