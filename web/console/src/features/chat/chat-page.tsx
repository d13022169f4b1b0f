import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, usePath } from '../../router/router.js';
import { useSignedIn } from '../../session/session.js';
import { NotFoundPage } from '../../shell/not-found-page.js';
import { InboxDataProvider } from '../inbox/inbox-data.js';
import { useChatDesk } from './chat-desk.js';
import { DeskView } from './desk-view.js';
import { PresenceBar } from './presence-bar.js';
import { QueueView } from './queue-view.js';
import './chat.css';

// ECharts is large: only the wallboard needs it, so the desk opens without loading it.
const WallboardView = lazy(() => import('./wallboard-view.js').then((m) => ({ default: m.WallboardView })));

const SECTIONS = [
  { key: 'desk', path: '/chat' },
  { key: 'queue', path: '/chat/queue' },
  { key: 'wallboard', path: '/chat/wallboard' },
] as const;

/**
 * The chat area: `/chat` is the agent's desk (presence, offers, active chats with the customer
 * beside them), `/chat/queue` who is waiting, `/chat/wallboard` the live contact-centre figures.
 * One chat socket serves all three and stays open while moving between them.
 */
export function ChatPage() {
  return (
    // Agents and teams (transfer targets) and the customer screen-pop come from the inbox's data.
    <InboxDataProvider>
      <Chat />
    </InboxDataProvider>
  );
}

function Chat() {
  const { t } = useTranslation();
  const path = usePath();
  const { agent } = useSignedIn();
  const { desk, snapshot } = useChatDesk(agent.id);
  const section = SECTIONS.find((s) => s.path === path.replace(/\/$/, ''));
  if (!section) return <NotFoundPage />;
  const liveChats = snapshot?.tabs.filter((tab) => tab.conversation.status === 'active' && !tab.movedAway).length ?? 0;

  return (
    <section className="page chat-area" aria-labelledby="page-title">
      <header className="page-header chat-header">
        <h1 id="page-title">{t('chat.title')}</h1>
        <nav aria-label={t('chat.sections.label')} className="chat-sections">
          {SECTIONS.map((s) => (
            <Link key={s.key} to={s.path} className="chat-section-link" aria-current={s.key === section.key ? 'page' : undefined}>
              {t(`chat.sections.${s.key}`)}
              {s.key === 'desk' && liveChats > 0 ? <span className="chat-count">{liveChats}</span> : null}
            </Link>
          ))}
        </nav>
        {desk && snapshot ? <PresenceBar desk={desk} snapshot={snapshot} /> : null}
      </header>
      {!desk || !snapshot ? (
        <p className="muted">{t('app.loading')}</p>
      ) : section.key === 'desk' ? (
        <DeskView desk={desk} snapshot={snapshot} />
      ) : section.key === 'queue' ? (
        <QueueView snapshot={snapshot} />
      ) : (
        <Suspense fallback={<p className="muted">{t('app.loading')}</p>}>
          <WallboardView snapshot={snapshot} />
        </Suspense>
      )}
    </section>
  );
}
