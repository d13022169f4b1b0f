import { DateTime } from 'luxon';
import type { Locale } from '../../core/i18n/index.js';
import type { ClockKind, Phase } from './sla.schema.js';

const KIND: Record<Locale, Record<ClockKind, string>> = {
  en: { first_response: 'first response', next_response: 'next response', resolution: 'resolution' },
  'zh-CN': { first_response: '首次响应', next_response: '后续响应', resolution: '解决' },
};

export interface NotificationFacts {
  phase: Phase;
  kind: ClockKind;
  ticketNumber: number;
  subject: string;
  dueAt: Date | null;
  timeZone: string;
}

/**
 * The text of an SLA notification in the agent's language. Plain text kept in this module until
 * the mail module can send it (its templates live in the shared i18n catalogues).
 */
export function renderNotification(locale: Locale, facts: NotificationFacts): { subject: string; body: string } {
  const kind = KIND[locale][facts.kind];
  const due = facts.dueAt ? DateTime.fromJSDate(facts.dueAt, { zone: facts.timeZone }).toFormat('yyyy-MM-dd HH:mm') : '';
  if (locale === 'zh-CN') {
    const state = facts.phase === 'breach' ? '已超时' : '即将超时';
    return {
      subject: `[SLA] 工单 #${facts.ticketNumber} ${kind}${state}`,
      body: `工单 #${facts.ticketNumber}「${facts.subject}」的${kind}${state}。\n期限：${due}（${facts.timeZone}）`,
    };
  }
  const state = facts.phase === 'breach' ? 'overdue' : 'due soon';
  return {
    subject: `[SLA] Ticket #${facts.ticketNumber}: ${kind} ${state}`,
    body: `The ${kind} on ticket #${facts.ticketNumber} "${facts.subject}" is ${state}.\nDue: ${due} (${facts.timeZone})`,
  };
}
