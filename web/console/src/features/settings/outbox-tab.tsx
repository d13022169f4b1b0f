import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../router/router.js';
import { OUTBOX_STATUSES, outbox, releaseHeld, type OutboxMail, type OutboxStatus } from './mail-api.js';
import { InlineError, LoadState, When } from './settings-bits.js';
import { attempt, useResource } from '../../api/use-resource.js';

/** The outbox: every mail Kefu sends, newest first, by status and recipient; held mail can be released. */
export function OutboxTab({ base }: { base: string }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<OutboxStatus | undefined>(undefined);
  const [recipient, setRecipient] = useState('');
  const [search, setSearch] = useState('');
  const [more, setMore] = useState<{ mails: OutboxMail[]; cursor: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [released, setReleased] = useState<number | null>(null);
  const first = useResource(() => outbox({ status, recipient: search || undefined }), [status, search]);

  const mails = [...(first.data?.mails ?? []), ...(more?.mails ?? [])];
  const cursor = more ? more.cursor : first.data?.nextCursor ?? null;
  const reset = () => { setMore(null); setError(null); };

  const onSearch = (event: FormEvent) => {
    event.preventDefault();
    reset();
    setSearch(recipient.trim());
  };
  const loadMore = async () => {
    if (!cursor) return;
    setError(await attempt(async () => {
      const page = await outbox({ status, recipient: search || undefined, cursor });
      setMore({ mails: [...(more?.mails ?? []), ...page.mails], cursor: page.nextCursor });
    }));
  };
  const release = async () => {
    let count = 0;
    const failed = await attempt(async () => { count = await releaseHeld(); }, () => { reset(); first.reload(); });
    setError(failed);
    if (!failed) setReleased(count);
  };

  return (
    <div className="settings-panel">
      {first.data && !first.data.smtpConfigured && <p className="notice settings-held-note">{t('settings.outbox.heldNotice')}</p>}
      {first.data?.smtpConfigured && (
        <div className="settings-toolbar">
          <p className="muted">{t('settings.outbox.releaseHint')}</p>
          <button type="button" className="button button-small" onClick={release}>{t('settings.outbox.release')}</button>
        </div>
      )}
      {released !== null && <p className="notice" role="status">{t('settings.outbox.released', { count: released })}</p>}
      <div className="settings-toolbar">
        <div className="settings-chips" role="group" aria-label={t('settings.outbox.statusFilter')}>
          {[undefined, ...OUTBOX_STATUSES].map((s) => (
            <button key={s ?? 'all'} type="button" className={`chip settings-chip${s ? ` mail-status-${s}` : ''}`} aria-pressed={status === s}
              onClick={() => { reset(); setStatus(s); }}>
              {t(s ? `settings.outbox.status.${s}` : 'settings.outbox.all')}
            </button>
          ))}
        </div>
        <form className="settings-search" role="search" onSubmit={onSearch}>
          <label className="sr-only" htmlFor="outbox-recipient">{t('settings.outbox.recipient')}</label>
          <input id="outbox-recipient" type="search" value={recipient} maxLength={254} placeholder={t('settings.outbox.recipient')}
            onChange={(e) => setRecipient(e.target.value)} />
          <button type="submit" className="button button-small">{t('settings.outbox.search')}</button>
        </form>
      </div>
      <LoadState state={first} />
      <InlineError code={error} />
      {first.phase === 'ready' && mails.length === 0 && <p className="muted">{t('settings.outbox.empty')}</p>}
      {mails.length > 0 && (
        <table className="settings-table">
          <thead>
            <tr>
              <th scope="col">{t('settings.outbox.columns.status')}</th>
              <th scope="col">{t('settings.outbox.columns.to')}</th>
              <th scope="col">{t('settings.outbox.columns.subject')}</th>
              <th scope="col">{t('settings.outbox.columns.created')}</th>
              <th scope="col" className="num">{t('settings.outbox.columns.attempts')}</th>
            </tr>
          </thead>
          <tbody>
            {mails.map((mail) => (
              <tr key={mail.id}>
                <td><StatusChip status={mail.status} /></td>
                <td className="settings-address">{mail.to}</td>
                <td><Link to={`${base}/${mail.id}`}>{mail.subject || t('settings.outbox.noSubject')}</Link></td>
                <td><When at={mail.createdAt} /></td>
                <td className="num">{mail.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && <button type="button" className="button button-quiet" onClick={loadMore}>{t('settings.loadMore')}</button>}
    </div>
  );
}

export function StatusChip({ status }: { status: OutboxStatus }) {
  const { t } = useTranslation();
  return <span className={`chip mail-status-${status}`}>{t(`settings.outbox.status.${status}`)}</span>;
}
