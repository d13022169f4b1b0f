import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { actionErrorKey as errorKey, type ErrorKey } from '../../api/error-key.js';
import { useDocumentTitle } from '../../components/document-title.js';
import type { RealtimeStatus } from '../../realtime/realtime.js';
import { Link, navigate } from '../../router/router.js';
import { useSignedIn } from '../../session/session.js';
import { AvailabilitySwitch } from './availability.js';
import { changeTickets, setOpenIntent, tagTickets, type BulkOutcome } from './actions.js';
import { BulkBar } from './bulk-bar.js';
import { FilterBar } from './filter-bar.js';
import { useCustomers, useInboxData, useNames } from './inbox-data.js';
import { PRESETS, sameFilters, urgencyPreset } from './inbox-filters.js';
import { useShortcuts } from './shortcuts.js';
import { DueLabel, LiveIndicator, RelativeTime, StatusBadge, UrgencyMark, useNow } from './ticket-bits.js';
import type { InboxFilters, Ticket, TicketChanges } from './tickets-api.js';
import type { InboxList } from './use-inbox-list.js';
import { ViewsColumn } from './views-column.js';

type Notice = { kind: 'done'; outcome: BulkOutcome } | { kind: 'error'; error: ErrorKey };

export function InboxListView({ list, realtime, onHelp }: { list: InboxList; realtime: RealtimeStatus; onHelp: () => void }) {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const { state, dispatch, setFilters, loadMore, refresh } = list;
  const { tickets, filters, selected } = state;
  const title = useViewTitle(filters);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const tableRef = useRef<HTMLTableSectionElement>(null);
  const focusActive = useRef(false);
  const now = useNow();
  useDocumentTitle(`${t('nav.inbox')} · ${title}`);

  // j/k move the keyboard's row; its subject link takes focus, so Enter and screen readers follow.
  useEffect(() => {
    if (!focusActive.current || !state.activeId) return;
    focusActive.current = false;
    const link = tableRef.current?.querySelector<HTMLAnchorElement>(`tr[data-id="${state.activeId}"] a.ticket-link`);
    link?.focus();
    link?.closest('tr')?.scrollIntoView({ block: 'nearest' });
  }, [state.activeId]);

  const run = async (work: () => Promise<BulkOutcome>) => {
    setBusy(true);
    setNotice(null);
    try {
      setNotice({ kind: 'done', outcome: await work() });
      dispatch({ type: 'clearSelection' });
    } catch (error) {
      setNotice({ kind: 'error', error: errorKey(error) });
    } finally {
      setBusy(false);
      refresh();
    }
  };

  const targets = (): string[] => (selected.length ? selected : state.activeId ? [state.activeId] : []);
  const apply = (changes: TicketChanges, ids = targets()) => {
    if (ids.length) void run(() => changeTickets(ids, changes));
  };
  const active = tickets.find((ticket) => ticket.id === state.activeId);
  const open = (ticket: Ticket | undefined, mode?: 'reply' | 'note') => {
    if (!ticket) return;
    dispatch({ type: 'activate', id: ticket.id });
    if (mode) setOpenIntent(ticket.number, mode);
    navigate(`/inbox/${ticket.number}`);
  };

  useShortcuts({
    j: () => {
      focusActive.current = true;
      dispatch({ type: 'move', by: 1 });
    },
    k: () => {
      focusActive.current = true;
      dispatch({ type: 'move', by: -1 });
    },
    Enter: () => open(active),
    x: () => active && dispatch({ type: 'select', id: active.id, selected: !selected.includes(active.id) }),
    r: () => open(active, 'reply'),
    n: () => open(active, 'note'),
    s: () => apply({ status: 'solved' }),
    a: () => apply({ assigneeId: agent.id }),
    '/': () => searchRef.current?.focus(),
    '?': onHelp,
  });

  const allSelected = tickets.length > 0 && tickets.every((ticket) => selected.includes(ticket.id));
  return (
    <div className="inbox">
      <ViewsColumn filters={filters} onSelect={setFilters} />
      <section className="inbox-main" aria-labelledby="page-title">
        <header className="inbox-header">
          <div className="inbox-title">
            <h1 id="page-title">{t('nav.inbox')}</h1>
            <span className="inbox-view-name">{title}</span>
          </div>
          <div className="inbox-header-actions">
            <AvailabilitySwitch />
            <LiveIndicator status={realtime} />
            <button type="button" className="button button-quiet button-small" onClick={onHelp} aria-keyshortcuts="?">
              <kbd>?</kbd> {t('inbox.shortcuts.button')}
            </button>
          </div>
        </header>
        <FilterBar filters={filters} onChange={setFilters} searchRef={searchRef} />
        {selected.length > 0 && (
          <BulkBar
            count={selected.length}
            busy={busy}
            onChange={(changes) => apply(changes, selected)}
            onTag={(tag, mode) => void run(() => tagTickets(tickets.filter((ticket) => selected.includes(ticket.id)), tag, mode))}
            onClear={() => dispatch({ type: 'clearSelection' })}
          />
        )}
        <div className="inbox-notice" role="status" aria-live="polite">
          {notice && (
            <p className={`notice ${notice.kind === 'error' || (notice.kind === 'done' && notice.outcome.failed) ? 'notice-error' : ''}`}>
              <span>
                {notice.kind === 'error'
                  ? t(`errors.${notice.error}`)
                  : notice.outcome.failed
                    ? t('inbox.bulk.partial', { count: notice.outcome.changed, failed: notice.outcome.failed })
                    : t('inbox.bulk.done', { count: notice.outcome.changed })}
              </span>
              <button type="button" className="button button-quiet button-small" onClick={() => setNotice(null)}>
                {t('shell.dismiss')}
              </button>
            </p>
          )}
        </div>
        <div className="ticket-scroll">
          {state.phase === 'error' ? (
            <div className="list-state" role="alert">
              <p>{t(`errors.${state.error ?? 'UNKNOWN'}`)}</p>
              <button type="button" className="button button-primary button-small" onClick={() => setFilters({ ...filters })}>
                {t('inbox.retry')}
              </button>
            </div>
          ) : (
            <table className="ticket-table" aria-label={title} aria-busy={state.phase === 'loading'}>
              <thead>
                <tr>
                  <th className="col-check">
                    <input
                      type="checkbox"
                      aria-label={t('inbox.list.selectAll')}
                      checked={allSelected}
                      disabled={!tickets.length}
                      onChange={(e) => dispatch({ type: 'selectAll', selected: e.target.checked })}
                    />
                  </th>
                  <th className="col-urgency">
                    <span className="sr-only">{t('inbox.list.urgency')}</span>
                  </th>
                  <th className="col-subject">{t('inbox.list.subject')}</th>
                  <th className="col-status">{t('inbox.list.status')}</th>
                  <th className="col-assignee">{t('inbox.list.assignee')}</th>
                  <th className="col-due">{t('inbox.list.due')}</th>
                  <th className="col-updated">{t('inbox.list.updated')}</th>
                </tr>
              </thead>
              <tbody ref={tableRef}>
                {state.phase === 'loading' && !tickets.length && <SkeletonRows />}
                {tickets.map((ticket) => (
                  <TicketRow
                    key={ticket.id}
                    ticket={ticket}
                    now={now}
                    active={ticket.id === state.activeId}
                    fresh={state.fresh.includes(ticket.id)}
                    selected={selected.includes(ticket.id)}
                    onSelect={(value) => dispatch({ type: 'select', id: ticket.id, selected: value })}
                    onOpen={() => dispatch({ type: 'activate', id: ticket.id })}
                  />
                ))}
              </tbody>
            </table>
          )}
          {state.phase === 'ready' && !tickets.length && (
            <div className="list-state">
              <p className="list-empty-title">{t('inbox.list.empty')}</p>
              <p className="muted">{t('inbox.list.emptyHint')}</p>
            </div>
          )}
          {state.nextCursor && (
            <div className="load-more">
              <button type="button" className="button button-quiet" onClick={loadMore} disabled={state.loadingMore}>
                {state.loadingMore ? t('app.loading') : t('inbox.list.loadMore')}
              </button>
            </div>
          )}
          {state.phase === 'ready' && state.error && (
            <p className="inline-error" role="alert">
              {t(`errors.${state.error}`)}
            </p>
          )}
        </div>
      </section>
    </div>
  );
}

function TicketRow({ ticket, now, active, fresh, selected, onSelect, onOpen }: {
  ticket: Ticket;
  now: number;
  active: boolean;
  fresh: boolean;
  selected: boolean;
  onSelect: (selected: boolean) => void;
  onOpen: () => void;
}) {
  const { t } = useTranslation();
  const names = useNames();
  const customers = useCustomers([ticket.customerId]);
  const customer = customers.get(ticket.customerId);
  const classes = ['ticket-row', active && 'is-active', fresh && 'is-fresh', selected && 'is-selected', ticket.status === 'new' && 'is-new'].filter(Boolean).join(' ');
  return (
    <tr className={classes} data-id={ticket.id} aria-selected={selected}>
      <td className="col-check">
        <input type="checkbox" aria-label={t('inbox.list.select', { number: ticket.number })} checked={selected} onChange={(e) => onSelect(e.target.checked)} />
      </td>
      <td className="col-urgency">
        <UrgencyMark urgency={ticket.urgency} withLabel={false} />
      </td>
      <td className="col-subject">
        <Link to={`/inbox/${ticket.number}`} className="ticket-link" onClick={onOpen}>
          <span className="ticket-number">#{ticket.number}</span>
          <span className="ticket-subject">{ticket.subject}</span>
          {fresh && <span className="chip chip-new">{t('inbox.list.newBadge')}</span>}
        </Link>
        <span className="ticket-meta">
          <span>{customer?.name ?? '…'}</span>
          <span aria-hidden="true">·</span>
          <span>{t(`inbox.channel.${ticket.channel}`)}</span>
          {ticket.departmentId && (
            <>
              <span aria-hidden="true">·</span>
              <span>{names.department(ticket.departmentId)}</span>
            </>
          )}
          {ticket.tags.map((tag) => (
            <span key={tag} className="chip chip-tag">
              {tag}
            </span>
          ))}
        </span>
      </td>
      <td className="col-status">
        <StatusBadge status={ticket.status} />
      </td>
      <td className="col-assignee">{ticket.assigneeId ? names.agent(ticket.assigneeId) : <span className="muted">{t('inbox.unassigned')}</span>}</td>
      <td className="col-due">
        <DueLabel ticket={ticket} now={now} />
      </td>
      <td className="col-updated">
        <RelativeTime at={ticket.updatedAt} now={now} />
      </td>
    </tr>
  );
}

function SkeletonRows() {
  return (
    <>
      {Array.from({ length: 6 }, (_, i) => (
        <tr key={i} className="ticket-row skeleton" aria-hidden="true">
          <td colSpan={7}>
            <span className="skeleton-bar" />
          </td>
        </tr>
      ))}
    </>
  );
}

/** The name of what the list shows: a fixed view, an urgency level, a saved view, or "Filtered". */
function useViewTitle(filters: InboxFilters): string {
  const { t } = useTranslation();
  const names = useNames();
  const { views } = useInboxData();
  const preset = PRESETS.find((p) => sameFilters(p.filters, filters));
  if (preset) return t(`inbox.views.${preset.key}`);
  const level = filters.urgency.length === 1 ? filters.urgency[0]! : null;
  if (level !== null && sameFilters(urgencyPreset(level), filters)) return names.urgency(level);
  const saved = views.find((v) => sameFilters(v.filters, filters));
  if (saved) return saved.name;
  return t('inbox.views.filtered', { view: t(`inbox.views.${filters.view}`) });
}
