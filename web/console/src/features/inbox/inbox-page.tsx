import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useRealtimeConnection, useRealtimeEvents, useRealtimeStatus } from '../../realtime/realtime.js';
import { toHref, usePath } from '../../router/router.js';
import { useSignedIn } from '../../session/session.js';
import { NotFoundPage } from '../../shell/not-found-page.js';
import { ConversationView } from './conversation-view.js';
import { InboxDataProvider, useInboxData } from './inbox-data.js';
import { filtersFromSearch, filtersToSearch, ticketNumberOf } from './inbox-filters.js';
import { InboxListView } from './inbox-list-view.js';
import { ShortcutsHelp } from './shortcuts-help.js';
import { useInboxList } from './use-inbox-list.js';

/**
 * The inbox area: `/inbox` is the list (views, filters, bulk actions), `/inbox/<number>` one
 * conversation. The list, its filters and the realtime socket stay alive between the two, so
 * going back lands on the same row and j/k in a conversation walks the list.
 */
export function InboxPage() {
  return (
    <InboxDataProvider>
      <Inbox />
    </InboxDataProvider>
  );
}

function Inbox() {
  const { t } = useTranslation();
  const path = usePath();
  const number = ticketNumberOf(path);
  const { agent } = useSignedIn();
  const data = useInboxData();
  const connection = useRealtimeConnection(agent.id);
  const status = useRealtimeStatus(connection);
  const list = useInboxList(filtersFromSearch(window.location.search));
  const [helpOpen, setHelpOpen] = useState(false);
  const openHelp = useCallback(() => setHelpOpen(true), []);

  useRealtimeEvents(connection, list.onEvent, () => list.refresh());

  // The list's filters live in the address bar, so a list can be reloaded, bookmarked or shared.
  useEffect(() => {
    if (number !== null) return;
    const href = `${toHref('/inbox')}${filtersToSearch(list.state.filters)}`;
    if (`${window.location.pathname}${window.location.search}` !== href) window.history.replaceState(null, '', href);
  }, [number, list.state.filters]);

  if (number === 'invalid') return <NotFoundPage />;
  if (data.phase === 'error') {
    return (
      <section className="page" aria-labelledby="page-title">
        <h1 id="page-title">{t('nav.inbox')}</h1>
        <div className="panel empty-state" role="alert">
          <p>{t(`errors.${data.error ?? 'UNKNOWN'}`)}</p>
          <button type="button" className="button button-primary" onClick={data.retry}>
            {t('inbox.retry')}
          </button>
        </div>
      </section>
    );
  }
  return (
    <>
      {number === null ? (
        <InboxListView list={list} realtime={status} onHelp={openHelp} />
      ) : (
        <ConversationView key={number} number={number} list={list} connection={connection} realtime={status} onHelp={openHelp} />
      )}
      <ShortcutsHelp open={helpOpen} onClose={() => setHelpOpen(false)} />
    </>
  );
}
