import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationView } from '@contracts/chat.js';
import { localName } from '../inbox/format.js';
import { useInboxData } from '../inbox/inbox-data.js';
import { useNow } from '../inbox/ticket-bits.js';
import { chatErrorKey, useDuration, type ChatErrorKey } from './chat-bits.js';
import { fetchQueue, type DeskSnapshot } from './chat-desk.js';

/** Everyone waiting now, oldest first; re-read whenever the wallboard says the queue changed. */
export function QueueView({ snapshot }: { snapshot: DeskSnapshot }) {
  const { t, i18n } = useTranslation();
  const { departments } = useInboxData();
  const now = useNow(1_000);
  const duration = useDuration();
  const [queue, setQueue] = useState<ConversationView[] | null>(null);
  const [error, setError] = useState<ChatErrorKey | null>(null);
  const locale = i18n.resolvedLanguage ?? i18n.language;
  const changed = snapshot.wallboard?.at;

  useEffect(() => {
    let cancelled = false;
    fetchQueue().then(
      (list) => {
        if (cancelled) return;
        setQueue([...list].sort((a, b) => a.queuedAt.localeCompare(b.queuedAt)));
        setError(null);
      },
      (failure: unknown) => {
        if (!cancelled) setError(chatErrorKey(failure));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [changed]);

  const team = (id: string | null) => {
    const department = id ? departments.find((d) => d.id === id) : undefined;
    return department ? localName(department.name, locale, department.key) : t('chat.queue.defaultQueue');
  };

  return (
    <section className="panel chat-queue" aria-labelledby="chat-queue-title">
      <h2 id="chat-queue-title" className="section-title">
        {t('chat.queue.title')}
      </h2>
      {error ? (
        <p className="inline-error" role="alert">
          {t(`chat.errors.${error}`)}
        </p>
      ) : null}
      {queue === null ? (
        <p className="muted">{t('app.loading')}</p>
      ) : queue.length === 0 ? (
        <p className="muted">{t('chat.queue.empty')}</p>
      ) : (
        <table className="chat-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('chat.queue.visitor')}</th>
              <th scope="col">{t('chat.queue.department')}</th>
              <th scope="col">{t('chat.queue.waiting')}</th>
              <th scope="col">{t('chat.queue.status')}</th>
            </tr>
          </thead>
          <tbody>
            {queue.map((c, index) => (
              <tr key={c.id} data-id={c.id}>
                <td>{index + 1}</td>
                <td>{c.visitor.name}</td>
                <td>{team(c.departmentId)}</td>
                <td>{duration(Math.max(0, (now - Date.parse(c.queuedAt)) / 1_000))}</td>
                <td>{c.status === 'offered' ? t('chat.queue.offered') : t('chat.queue.queued')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
