import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useNames } from './inbox-data.js';
import { fileSize, safeApiHref } from './format.js';
import { SplitMessage } from './split-message.js';
import { Avatar, RelativeTime } from './ticket-bits.js';
import type { Customer, Message } from './tickets-api.js';

/**
 * The conversation, oldest first: the customer's messages, agents' replies and internal notes,
 * each looking different. Bodies are shown as plain text (`bodyText`), never as HTML.
 */
export function Thread({ messages, customer, now, split }: {
  messages: Message[];
  customer: Customer | null;
  now: number;
  /** Offered on each message while the thread has more than one. */
  split?: { defaultSubject: string; onSplit: (message: Message, subject: string) => Promise<void> };
}) {
  const { t } = useTranslation();
  const names = useNames();
  const end = useRef<HTMLDivElement>(null);
  const count = useRef(0);

  // Open at the latest message, and follow new ones as they arrive.
  useEffect(() => {
    if (messages.length !== count.current) end.current?.scrollIntoView({ block: 'end' });
    count.current = messages.length;
  }, [messages.length]);

  const authorOf = (message: Message): string => {
    if (message.authorType === 'customer') return customer?.name ?? t('inbox.thread.customer');
    if (message.authorType === 'system') return t('inbox.thread.system');
    return message.authorId ? names.agent(message.authorId) : t('inbox.thread.agent');
  };

  return (
    <>
    <ol className="thread" aria-label={t('inbox.thread.label')}>
      {messages.map((message) => {
        const author = authorOf(message);
        const kind = message.kind === 'note' ? 'note' : message.authorType === 'customer' ? 'customer' : 'agent';
        return (
          <li key={message.id} className={`message message-${kind}`} data-kind={kind}>
            <div className="message-head">
              <Avatar name={author} size="sm" />
              <span className="message-author">{author}</span>
              <span className="message-kind">
                {kind === 'note' ? (
                  <span className="chip chip-note">{t('inbox.thread.note')}</span>
                ) : kind === 'agent' ? (
                  <span className="muted">{t('inbox.thread.replied')}</span>
                ) : (
                  <span className="muted">{t('inbox.thread.via', { channel: t(`inbox.channel.${message.channel}`) })}</span>
                )}
              </span>
              <span className="message-time muted">
                <RelativeTime at={message.createdAt} now={now} />
              </span>
            </div>
            <div className="message-body">{message.bodyText}</div>
            {split && messages.length > 1 && <SplitMessage defaultSubject={split.defaultSubject} onSplit={(subject) => split.onSplit(message, subject)} />}
            {message.attachments.length > 0 && (
              <ul className="attachments" aria-label={t('inbox.thread.attachments')}>
                {message.attachments.map((attachment) => {
                  const href = safeApiHref(attachment.url);
                  return (
                    <li key={attachment.id}>
                      {href ? (
                        <a href={href} download={attachment.filename} className="attachment">
                          <span className="attachment-name">{attachment.filename}</span>
                          <span className="muted">{fileSize(attachment.sizeBytes, names.locale)}</span>
                        </a>
                      ) : (
                        <span className="attachment">{attachment.filename}</span>
                      )}
                    </li>
                  );
                })}
              </ul>
            )}
          </li>
        );
      })}
    </ol>
    <div ref={end} aria-hidden="true" />
    </>
  );
}
