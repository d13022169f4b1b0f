import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../router/router.js';
import { outboxMailDetail, retryOutboxMail } from './mail-api.js';
import { StatusChip } from './outbox-tab.js';
import { InlineError, LoadState, When } from './settings-bits.js';
import { attempt, useResource } from '../../api/use-resource.js';

/** One outbound mail as it was (or will be) sent: its headers, its text, and every attempt. */
export function OutboxMailView({ id, back }: { id: string; back: string }) {
  const { t } = useTranslation();
  const mail = useResource(() => outboxMailDetail(id), [id]);
  const [error, setError] = useState<string | null>(null);
  const m = mail.data;

  const retry = async () => setError(await attempt(() => retryOutboxMail(id), mail.reload));

  return (
    <article className="settings-panel outbox-mail" aria-labelledby="outbox-mail-subject">
      <Link to={back} className="back-link">{t('settings.outbox.back')}</Link>
      <LoadState state={mail} />
      <InlineError code={error} />
      {m && (
        <>
          <header className="settings-toolbar">
            <h2 id="outbox-mail-subject" className="section-title">{m.subject || t('settings.outbox.noSubject')}</h2>
            <div className="settings-actions">
              <StatusChip status={m.status} />
              {m.status === 'failed' && <button type="button" className="button button-small button-primary" onClick={retry}>{t('settings.outbox.retry')}</button>}
            </div>
          </header>
          <dl className="settings-headers">
            <dt>{t('settings.outbox.headers.from')}</dt><dd>{m.from}</dd>
            {m.replyTo && <><dt>{t('settings.outbox.headers.replyTo')}</dt><dd>{m.replyTo}</dd></>}
            <dt>{t('settings.outbox.headers.to')}</dt><dd>{m.to}</dd>
            <dt>{t('settings.outbox.headers.messageId')}</dt><dd><code>&lt;{m.messageId}&gt;</code></dd>
            {m.inReplyTo && <><dt>{t('settings.outbox.headers.inReplyTo')}</dt><dd><code>&lt;{m.inReplyTo}&gt;</code></dd></>}
            {m.references.length > 0 && <><dt>{t('settings.outbox.headers.references')}</dt><dd><code>{m.references.map((r) => `<${r}>`).join(' ')}</code></dd></>}
            <dt>{t('settings.outbox.headers.created')}</dt><dd><When at={m.createdAt} /></dd>
            {m.sentAt && <><dt>{t('settings.outbox.headers.sent')}</dt><dd><When at={m.sentAt} /></dd></>}
            {m.nextAttemptAt && <><dt>{t('settings.outbox.headers.nextAttempt')}</dt><dd><When at={m.nextAttemptAt} /></dd></>}
            {m.attachmentIds.length > 0 && <><dt>{t('settings.outbox.headers.attachments')}</dt><dd>{m.attachmentIds.length}</dd></>}
          </dl>
          <pre className="settings-mail-text" aria-label={t('settings.outbox.body')}>{m.text}</pre>
          <h3 className="section-title">{t('settings.outbox.attempts')}</h3>
          {m.history.length === 0 ? (
            <p className="muted">{t(m.status === 'held' ? 'settings.outbox.noAttemptsHeld' : 'settings.outbox.noAttempts')}</p>
          ) : (
            <table className="settings-table">
              <thead>
                <tr>
                  <th scope="col" className="num">#</th>
                  <th scope="col">{t('settings.outbox.columns.when')}</th>
                  <th scope="col">{t('settings.outbox.columns.outcome')}</th>
                  <th scope="col">{t('settings.outbox.columns.response')}</th>
                </tr>
              </thead>
              <tbody>
                {m.history.map((a) => (
                  <tr key={a.attempt}>
                    <td className="num">{a.attempt}</td>
                    <td><When at={a.startedAt} /></td>
                    <td>{t(`settings.outbox.outcome.${a.outcome}`)}</td>
                    <td className="settings-response">{a.response ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </article>
  );
}
