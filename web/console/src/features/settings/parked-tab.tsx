import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { parkedMail, retryParked, type ParkedMail } from './mail-api.js';
import { InlineError, LoadState, When } from './settings-bits.js';
import { attempt, useResource } from '../../api/use-resource.js';

/** Inbound mail that could not become a ticket, with the reason; an admin sends it through again after fixing the cause. */
export function ParkedTab() {
  const { t } = useTranslation();
  const first = useResource(() => parkedMail(), []);
  const [more, setMore] = useState<{ messages: ParkedMail[]; cursor: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const messages = [...(first.data?.messages ?? []), ...(more?.messages ?? [])];
  const cursor = more ? more.cursor : first.data?.nextCursor ?? null;

  const retry = async (id: string) => setError(await attempt(() => retryParked(id), () => { setMore(null); first.reload(); }));
  const loadMore = async () => {
    if (!cursor) return;
    setError(await attempt(async () => {
      const page = await parkedMail(cursor);
      setMore({ messages: [...(more?.messages ?? []), ...page.messages], cursor: page.nextCursor });
    }));
  };

  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.parked.intro')}</p>
      <LoadState state={first} />
      <InlineError code={error} />
      {first.phase === 'ready' && messages.length === 0 && <p className="muted">{t('settings.parked.empty')}</p>}
      {messages.length > 0 && (
        <table className="settings-table">
          <thead>
            <tr>
              <th scope="col">{t('settings.parked.received')}</th>
              <th scope="col">{t('settings.parked.from')}</th>
              <th scope="col">{t('settings.parked.subject')}</th>
              <th scope="col">{t('settings.parked.reason')}</th>
              <th scope="col"><span className="sr-only">{t('settings.parked.retry')}</span></th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id}>
                <td><When at={m.receivedAt} /></td>
                <td className="settings-address">{m.from ?? '—'}</td>
                <td>{m.subject ?? '—'}</td>
                <td className="settings-response">{m.reason ?? '—'}</td>
                <td><button type="button" className="button button-small" onClick={() => retry(m.id)}>{t('settings.parked.retry')}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && <button type="button" className="button button-quiet" onClick={loadMore}>{t('settings.loadMore')}</button>}
    </div>
  );
}
