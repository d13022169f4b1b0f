import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { actionErrorKey, type ErrorKey } from '../../api/error-key.js';
import { Link, navigate } from '../../router/router.js';
import { StatusBadge } from './ticket-bits.js';
import { findTickets, linkTicket, mergeTicket, ticketLinks, unlinkTicket, type LinkedTicket, type Ticket } from './tickets-api.js';

/** Typing pauses this long before the search is sent. */
const SEARCH_DELAY_MS = 250;

/**
 * Related tickets beside the conversation (issue 19, 3): the links, and a search by number or
 * subject to link another ticket or merge this one into it — never by pasting an id.
 */
export function RelatedTickets({ ticket, revision, onChanged }: { ticket: Ticket; revision: number; onChanged: () => void }) {
  const { t } = useTranslation();
  const searchId = useId();
  const [links, setLinks] = useState<LinkedTicket[] | null>(null);
  const [linksRead, setLinksRead] = useState(0);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Ticket[] | null>(null);
  const [merging, setMerging] = useState<Ticket | null>(null);
  const [error, setError] = useState<ErrorKey | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let current = true;
    ticketLinks(ticket.id).then((read) => { if (current) setLinks(read); }, () => { if (current) setLinks([]); });
    return () => { current = false; };
  }, [ticket.id, revision, linksRead]);

  useEffect(() => {
    const q = query.trim();
    if (!q) { setFound(null); return; }
    let current = true;
    const timer = setTimeout(() => {
      findTickets(q).then(
        (tickets) => { if (current) setFound(tickets.filter((other) => other.id !== ticket.id)); },
        (failure: unknown) => { if (current) setError(actionErrorKey(failure)); },
      );
    }, SEARCH_DELAY_MS);
    return () => { current = false; clearTimeout(timer); };
  }, [query, ticket.id]);

  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(actionErrorKey(failure));
    } finally {
      setBusy(false);
    }
  };
  const link = (other: Ticket) => act(async () => {
    await linkTicket(ticket.id, other.id);
    setQuery('');
    setLinksRead((n) => n + 1);
    onChanged();
  });
  const unlink = (other: LinkedTicket) => act(async () => {
    await unlinkTicket(ticket.id, other.id);
    setLinksRead((n) => n + 1);
    onChanged();
  });
  const merge = (into: Ticket) => act(async () => {
    await mergeTicket(ticket.id, into.id);
    onChanged();
    navigate(`/inbox/${into.number}`);
  });

  const linkedIds = new Set(links?.map((l) => l.id));
  const canMerge = !ticket.mergedIntoId;
  return (
    <section aria-labelledby="related-title" className="related-tickets">
      <h3 id="related-title" className="side-heading">{t('inbox.related.title')}</h3>
      {links && links.length === 0 && <p className="muted small">{t('inbox.related.none')}</p>}
      {links && links.length > 0 && (
        <ul className="related-list">
          {links.map((other) => (
            <li key={other.id}>
              <Link to={`/inbox/${other.number}`}>#{other.number} {other.subject}</Link> <StatusBadge status={other.status} />
              <button type="button" className="button button-quiet button-small" disabled={busy} onClick={() => void unlink(other)}>
                {t('inbox.related.unlink')}<span className="sr-only"> #{other.number}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <label htmlFor={searchId} className="small">{t('inbox.related.find')}</label>
      <input
        id={searchId}
        type="search"
        value={query}
        maxLength={200}
        placeholder={t('inbox.related.findPlaceholder')}
        onChange={(event) => { setQuery(event.target.value); setMerging(null); setError(null); }}
      />
      {error && <p className="notice notice-error small" role="alert">{t(`errors.${error}`)}</p>}
      {found && found.length === 0 && <p className="muted small" role="status">{t('inbox.related.noMatch')}</p>}
      {found && found.length > 0 && (
        <ul className="related-found" aria-label={t('inbox.related.results')}>
          {found.map((other) => {
            const sameCustomer = other.customerId === ticket.customerId;
            return (
              <li key={other.id}>
                <span>#{other.number} {other.subject}</span> <StatusBadge status={other.status} />
                <span className="related-actions">
                  <button type="button" className="button button-small" disabled={busy || linkedIds.has(other.id)} onClick={() => void link(other)}>
                    {linkedIds.has(other.id) ? t('inbox.related.linked') : t('inbox.related.link')}<span className="sr-only"> #{other.number}</span>
                  </button>
                  {canMerge && (
                    <button
                      type="button"
                      className="button button-quiet button-small"
                      disabled={busy || !sameCustomer || Boolean(other.mergedIntoId)}
                      title={sameCustomer ? undefined : t('inbox.related.otherCustomer')}
                      onClick={() => setMerging(other)}
                    >
                      {t('inbox.related.mergeInto')}<span className="sr-only"> #{other.number}</span>
                    </button>
                  )}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {merging && (
        <div className="notice" role="alertdialog" aria-labelledby="merge-confirm">
          <p id="merge-confirm">{t('inbox.related.confirmMerge', { from: ticket.number, into: merging.number })}</p>
          <button type="button" className="button button-primary button-small" disabled={busy} onClick={() => void merge(merging)}>
            {t('inbox.related.confirm')}
          </button>{' '}
          <button type="button" className="button button-quiet button-small" onClick={() => setMerging(null)}>
            {t('inbox.cancel')}
          </button>
        </div>
      )}
    </section>
  );
}
