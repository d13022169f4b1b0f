import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../router/router.js';
import { date } from './format.js';
import { useNames } from './inbox-data.js';
import { Avatar, RelativeTime, StatusBadge } from './ticket-bits.js';
import { customerTickets, type Customer, type Ticket } from './tickets-api.js';
import { customerRecord, customerTimeline, type CustomerRecord, type TimelineEntry } from '../customers/customers-api.js';
import { TimelineText } from '../customers/customer-view.js';
import { EmailOrNone } from '../customers/customer-bits.js';

const KNOWN_ACTIONS = ['ticket.created', 'ticket.updated', 'reply.added', 'note.added', 'ticket.merged', 'ticket.merged_in', 'ticket.split', 'ticket.rated', 'ticket.sender_confirmed', 'ticket.sender_disputed'] as const;

/**
 * The screen-pop beside a conversation: who the customer is, their other tickets, what happened
 * lately, and the products they own (from the customer database's record, which the name opens).
 */
export function CustomerPanel({ customerId, customer, failed, currentId, revision, now }: {
  customerId: string;
  customer: Customer | null;
  failed: boolean;
  currentId: string;
  revision: number;
  now: number;
}) {
  const { t, i18n } = useTranslation();
  const names = useNames();
  const [products, setProducts] = useState<CustomerRecord['products'] | null>(null);
  const [timeline, setTimeline] = useState<TimelineEntry[]>([]);
  const id = useId();
  const [tickets, setTickets] = useState<Ticket[] | null>(null);

  useEffect(() => {
    let cancelled = false;
    customerTickets(customerId).then(
      (list) => {
        if (!cancelled) setTickets(list);
      },
      () => {
        if (!cancelled) setTickets([]);
      },
    );
    customerRecord(customerId).then(
      (record) => {
        if (!cancelled) setProducts(record.products);
      },
      () => {
        if (!cancelled) setProducts([]);
      },
    );
    customerTimeline(customerId).then(
      (entries) => {
        if (!cancelled) setTimeline(entries);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [customerId, revision]);

  const others = (tickets ?? []).filter((ticket) => ticket.id !== currentId);
  return (
    <section className="side-panel customer" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="sr-only">
        {t('inbox.customer.title')}
      </h2>
      {customer ? (
        <div className="customer-card">
          <Avatar name={customer.name} />
          <div className="customer-id">
            <Link to={`/customers/${customerId}`} className="customer-name">{customer.name}</Link>
            <EmailOrNone email={customer.email} mailto className="customer-email" />
          </div>
          <dl className="customer-facts">
            <div>
              <dt>{t('inbox.customer.language')}</dt>
              <dd>{customer.locale ? t(`language.${customer.locale === 'zh-CN' ? 'zh-CN' : 'en'}`) : '—'}</dd>
            </div>
            <div>
              <dt>{t('inbox.customer.since')}</dt>
              <dd>{date(customer.createdAt, names.locale)}</dd>
            </div>
            <div>
              <dt>{t('inbox.customer.ticketCount')}</dt>
              <dd>{tickets ? tickets.length : '…'}</dd>
            </div>
          </dl>
        </div>
      ) : (
        <p className="muted">{failed ? t('errors.UNKNOWN') : t('app.loading')}</p>
      )}

      <h3 className="side-heading">{t('inbox.customer.otherTickets')}</h3>
      {tickets === null ? (
        <p className="muted small">{t('app.loading')}</p>
      ) : others.length === 0 ? (
        <p className="muted small">{t('inbox.customer.noOtherTickets')}</p>
      ) : (
        <ul className="mini-list">
          {others.slice(0, 8).map((ticket) => (
            <li key={ticket.id}>
              <Link to={`/inbox/${ticket.number}`} className="mini-link">
                <span className="ticket-number">#{ticket.number}</span> {ticket.subject}
              </Link>
              <span className="mini-meta">
                <StatusBadge status={ticket.status} />
                <RelativeTime at={ticket.updatedAt} now={now} />
              </span>
            </li>
          ))}
        </ul>
      )}

      <h3 className="side-heading">{t('inbox.customer.products')}</h3>
      {products === null ? (
        <p className="muted small">{t('app.loading')}</p>
      ) : products.length === 0 ? (
        <p className="muted small empty-note">{t('inbox.customer.noProducts')}</p>
      ) : (
        <ul className="mini-list">
          {products.map((product) => (
            <li key={product.id}>
              {product.names[i18n.language === 'zh-CN' ? 'zh-CN' : 'en'] ?? product.names.en}
              <span className="mini-meta muted small">
                {product.serial}
                {product.warrantyUntil && ` · ${t('customers.record.warranty', { date: product.warrantyUntil })}`}
              </span>
            </li>
          ))}
        </ul>
      )}

      <h3 className="side-heading">{t('customers.record.timeline')}</h3>
      <ol className="activity">
        {timeline.slice(0, 6).map((entry, index) => (
          <li key={`${entry.kind}-${index}`}>
            <TimelineText entry={entry} />
            <span className="muted small">
              {' · '}
              <RelativeTime at={entry.at} now={now} />
            </span>
          </li>
        ))}
      </ol>

      <h3 className="side-heading">{t('inbox.customer.activity')}</h3>
      {!customer || customer.recentActivity.length === 0 ? (
        <p className="muted small">{customer ? t('inbox.customer.noActivity') : ''}</p>
      ) : (
        <ol className="activity">
          {customer.recentActivity.slice(0, 10).map((item, index) => (
            <li key={`${item.at}-${index}`}>
              <span className="activity-what">
                {(KNOWN_ACTIONS as readonly string[]).includes(item.action) ? t(`inbox.activity.${item.action.replace('.', '_') as ActivityKey}`) : item.action}
              </span>{' '}
              <Link to={`/inbox/${item.ticketNumber}`} className="mini-link">
                #{item.ticketNumber}
              </Link>
              <span className="muted small">
                {' · '}
                <RelativeTime at={item.at} now={now} />
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

type ActivityKey = 'ticket_created' | 'ticket_updated' | 'reply_added' | 'note_added' | 'ticket_merged' | 'ticket_merged_in' | 'ticket_split' | 'ticket_rated' | 'ticket_sender_confirmed' | 'ticket_sender_disputed';
