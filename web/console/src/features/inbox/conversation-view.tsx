import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { actionErrorKey as errorKey, type ErrorKey } from '../../api/error-key.js';
import { useDocumentTitle } from '../../components/document-title.js';
import { useRealtimeEvents, useTicketViewers, useRealtimeConnection, type RealtimeStatus, type Viewer } from '../../realtime/realtime.js';
import { Link, navigate } from '../../router/router.js';
import { useSignedIn } from '../../session/session.js';
import { takeOpenIntent } from './actions.js';
import { replyLocale } from './canned.js';
import { Composer, type ComposerHandle } from './composer.js';
import { CustomerPanel } from './customer-panel.js';
import { filtersToSearch } from './inbox-filters.js';
import { useCustomer, useNames } from './inbox-data.js';
import { neighbour } from './list-state.js';
import { useShortcuts } from './shortcuts.js';
import { Thread } from './thread.js';
import { DueLabel, LiveIndicator, RelativeTime, StatusBadge, UrgencyMark, useNow } from './ticket-bits.js';
import { RelatedTickets } from './related-tickets.js';
import { TicketActivity } from './ticket-activity.js';
import { TicketProperties } from './ticket-properties.js';
import { splitMessage, updateTicket, type Message, type Ticket } from './tickets-api.js';
import type { InboxList } from './use-inbox-list.js';
import { useConversation } from './use-conversation.js';

type Connection = ReturnType<typeof useRealtimeConnection>;

/** One ticket: header, collision notice, thread and composer; properties and the customer beside it. */
export function ConversationView({ number, list, connection, realtime, onHelp }: {
  number: number;
  list: InboxList;
  connection: Connection;
  realtime: RealtimeStatus;
  onHelp: () => void;
}) {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const conversation = useConversation(number);
  const { ticket, messages } = conversation;
  const [composing, setComposing] = useState(false);
  const viewers = useTicketViewers(connection, ticket?.id ?? null, agent.id, composing);
  const { customer, failed } = useCustomer(ticket?.customerId ?? null, conversation.revision);
  const composer = useRef<ComposerHandle>(null);
  const [actionError, setActionError] = useState<ErrorKey | null>(null);
  const [splitOff, setSplitOff] = useState<Ticket | null>(null);
  const now = useNow();
  useDocumentTitle(ticket ? `#${ticket.number} ${ticket.subject}` : t('nav.inbox'));

  useRealtimeEvents(connection, conversation.onEvent, conversation.reload);

  // The "split off into #N" notice belongs to the ticket it was made on.
  useEffect(() => setSplitOff(null), [number]);

  // "r" / "n" on a list row: open with the composer ready.
  useEffect(() => {
    if (conversation.phase !== 'ready') return;
    const intent = takeOpenIntent(number);
    if (intent) composer.current?.focus(intent);
  }, [conversation.phase, number]);

  // Keep the list's keyboard row on this ticket, so j/k and "back" continue from here.
  useEffect(() => {
    if (ticket) list.dispatch({ type: 'activate', id: ticket.id });
  }, [ticket?.id, list.dispatch]);

  const backHref = `/inbox${filtersToSearch(list.state.filters)}`;
  const changed = (next: Ticket) => {
    conversation.setTicket(next);
    list.refresh({ soon: true });
  };
  const quickChange = async (changes: Parameters<typeof updateTicket>[1]) => {
    if (!ticket) return;
    setActionError(null);
    try {
      changed(await updateTicket(ticket.id, changes));
    } catch (error) {
      setActionError(errorKey(error));
    }
  };
  const split = async (message: Message, subject: string) => {
    const created = await splitMessage(message.id, subject);
    setSplitOff(created);
    conversation.reload();
    list.refresh({ soon: true });
  };
  const go = (by: 1 | -1) => {
    const next = ticket ? neighbour(list.state.tickets, ticket.id, by) : null;
    if (next) navigate(`/inbox/${next.number}`);
  };

  useShortcuts({
    r: () => composer.current?.focus('reply'),
    n: () => composer.current?.focus('note'),
    s: () => void quickChange({ status: 'solved' }),
    a: () => void quickChange({ assigneeId: agent.id }),
    j: () => go(1),
    k: () => go(-1),
    u: () => navigate(backHref),
    '?': onHelp,
  });

  if (conversation.phase === 'error') {
    return (
      <section className="page" aria-labelledby="page-title">
        <p>
          <Link to={backHref}>← {t('inbox.conversation.back')}</Link>
        </p>
        <div className="panel empty-state" role="alert">
          <h1 id="page-title">{conversation.error === 'TICKET_NOT_FOUND' ? t('inbox.conversation.notFound', { number }) : t('errors.UNKNOWN')}</h1>
          {conversation.error !== 'TICKET_NOT_FOUND' && (
            <button type="button" className="button button-primary" onClick={conversation.reload}>
              {t('inbox.retry')}
            </button>
          )}
        </div>
      </section>
    );
  }
  if (!ticket) {
    return (
      <p className="loading" role="status">
        {t('app.loading')}
      </p>
    );
  }

  const previous = neighbour(list.state.tickets, ticket.id, -1);
  const next = neighbour(list.state.tickets, ticket.id, 1);
  return (
    <div className="conversation">
      <section className="conversation-main" aria-labelledby="page-title">
        <header className="conversation-header">
          <div className="conversation-nav">
            <Link to={backHref} className="back-link">
              ← {t('inbox.conversation.back')}
            </Link>
            <span className="conversation-nav-right">
              <LiveIndicator status={realtime} />
              <button type="button" className="button button-quiet button-small" disabled={!previous} onClick={() => go(-1)} aria-keyshortcuts="k" title={t('inbox.conversation.previous')}>
                ↑ <span className="sr-only">{t('inbox.conversation.previous')}</span>
              </button>
              <button type="button" className="button button-quiet button-small" disabled={!next} onClick={() => go(1)} aria-keyshortcuts="j" title={t('inbox.conversation.next')}>
                ↓ <span className="sr-only">{t('inbox.conversation.next')}</span>
              </button>
              <button type="button" className="button button-quiet button-small" onClick={onHelp} aria-keyshortcuts="?">
                <kbd>?</kbd>
              </button>
            </span>
          </div>
          <h1 id="page-title" className="conversation-subject">
            {ticket.subject}
          </h1>
          <p className="conversation-meta">
            <span className="ticket-number">#{ticket.number}</span>
            <StatusBadge status={ticket.status} />
            <UrgencyMark urgency={ticket.urgency} />
            <span>{t(`inbox.channel.${ticket.channel}`)}</span>
            <span className="muted">
              {t('inbox.conversation.opened')} <RelativeTime at={ticket.createdAt} now={now} />
            </span>
            <DueLabel ticket={ticket} now={now} long />
          </p>
          {ticket.csat && (
            <p className="csat">
              {t('inbox.conversation.csat', { rating: ticket.csat.rating })}
              {ticket.csat.comment ? ` — “${ticket.csat.comment}”` : ''}
            </p>
          )}
          {ticket.mergedIntoId && <p className="notice">{t('inbox.conversation.merged')}</p>}
          {ticket.senderVerification !== 'verified' && (
            <p className={ticket.senderVerification === 'disputed' ? 'notice notice-error' : 'notice'} role="note">{t(`inbox.conversation.sender_${ticket.senderVerification}`)}</p>
          )}
        </header>
        <CollisionNotice viewers={viewers} />
        {actionError && (
          <p className="notice notice-error" role="alert">
            {t(`errors.${actionError}`)}
          </p>
        )}
        {splitOff && (
          <p className="notice" role="status">
            {t('inbox.split.done')} <Link to={`/inbox/${splitOff.number}`}>#{splitOff.number} {splitOff.subject}</Link>
          </p>
        )}
        <div className="thread-scroll">
          <Thread messages={messages} customer={customer} now={now} split={ticket.mergedIntoId ? undefined : { defaultSubject: ticket.subject, onSplit: split }} />
        </div>
        <Composer
          ref={composer}
          ticket={ticket}
          customer={customer}
          language={replyLocale(customer, ticket.subject, messages)}
          onComposing={setComposing}
          onSent={(message) => {
            conversation.addMessage(message);
            conversation.reload();
            list.refresh({ soon: true });
          }}
        />
      </section>
      <aside className="conversation-side" aria-label={t('inbox.conversation.details')}>
        <TicketProperties ticket={ticket} onChanged={changed} />
        <RelatedTickets ticket={ticket} revision={conversation.revision} onChanged={() => { conversation.reload(); list.refresh({ soon: true }); }} />
        <TicketActivity ticketId={ticket.id} revision={conversation.revision} now={now} />
        <CustomerPanel customerId={ticket.customerId} customer={customer} failed={failed} currentId={ticket.id} revision={conversation.revision} now={now} />
      </aside>
    </div>
  );
}

/** "王磊 is also viewing" / "Emma is replying": so two agents don't answer the same customer twice. */
function CollisionNotice({ viewers }: { viewers: Viewer[] }) {
  const { t } = useTranslation();
  const names = useNames();
  const composing = viewers.filter((v) => v.composing);
  const list = (people: Viewer[]) => new Intl.ListFormat(names.locale, { type: 'conjunction' }).format(people.map((v) => v.name));
  return (
    <div className="collision-region" role="status" aria-live="polite">
      {viewers.length > 0 && (
        <p className={`collision ${composing.length ? 'collision-composing' : ''}`}>
          <span className="collision-dot" aria-hidden="true" />
          {composing.length
            ? t('inbox.collision.replying', { names: list(composing), count: composing.length })
            : t('inbox.collision.viewing', { names: list(viewers), count: viewers.length })}
        </p>
      )}
    </div>
  );
}
