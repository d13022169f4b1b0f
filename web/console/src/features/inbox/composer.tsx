import { forwardRef, useId, useImperativeHandle, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { actionErrorKey as errorKey, type ErrorKey } from '../../api/error-key.js';
import { useSignedIn } from '../../session/session.js';
import { cannedForLocale, fillPlaceholders, insertAt } from './canned.js';
import { useInboxData, useNames } from './inbox-data.js';
import { postMessage, type Customer, type Message, type Ticket, type TicketStatus } from './tickets-api.js';

export type ComposerMode = 'reply' | 'note';

export interface ComposerHandle {
  /** Switches to reply or note and puts the cursor in the text box. */
  focus(mode: ComposerMode): void;
}

/**
 * Reply to the customer or write an internal note; canned replies are inserted with their
 * placeholders filled. Ctrl/⌘+Enter sends. `onComposing` tells other agents someone is writing.
 */
export const Composer = forwardRef<ComposerHandle, {
  ticket: Ticket;
  customer: Customer | null;
  onSent: (message: Message) => void;
  onComposing: (composing: boolean) => void;
}>(function Composer({ ticket, customer, onSent, onComposing }, ref) {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const { canned } = useInboxData();
  const names = useNames();
  const id = useId();
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorKey | null>(null);
  const [sentNotice, setSentNotice] = useState<ComposerMode | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);

  useImperativeHandle(ref, () => ({
    focus(next: ComposerMode) {
      setMode(next);
      requestAnimationFrame(() => area.current?.focus());
    },
  }), []);

  const change = (value: string) => {
    setText(value);
    setSentNotice(null);
    onComposing(value.trim() !== '');
  };

  const insertCanned = (cannedId: string) => {
    const reply = canned.find((c) => c.id === cannedId);
    if (!reply) return;
    const snippet = fillPlaceholders(reply.body, {
      customer: { name: customer?.name ?? '', email: customer?.email ?? '' },
      agent: { name: agent.name, email: agent.email },
      ticket: { number: ticket.number, subject: ticket.subject },
    });
    const el = area.current;
    const { text: next, cursor } = insertAt(text, snippet, el?.selectionStart ?? text.length, el?.selectionEnd ?? text.length);
    change(next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(cursor, cursor);
    });
  };

  const send = async (status?: TicketStatus) => {
    if (!text.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      const message = await postMessage(ticket.id, { kind: mode, body: text, ...(status ? { status } : {}) });
      setText('');
      onComposing(false);
      setSentNotice(mode);
      onSent(message);
    } catch (failure) {
      setError(errorKey(failure));
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void send();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void send();
    }
    if (event.key === 'Escape') area.current?.blur();
  };

  const replies = cannedForLocale(canned, names.locale);
  return (
    <form className={`composer composer-${mode}`} onSubmit={onSubmit} aria-label={t('inbox.composer.label')}>
      <div className="composer-tabs" role="group" aria-label={t('inbox.composer.mode')}>
        <button type="button" aria-pressed={mode === 'reply'} onClick={() => setMode('reply')}>
          {t('inbox.composer.reply')}
        </button>
        <button type="button" aria-pressed={mode === 'note'} onClick={() => setMode('note')}>
          {t('inbox.composer.note')}
        </button>
        {replies.length > 0 && (
          <select className="composer-canned" aria-label={t('inbox.composer.canned')} value="" onChange={(e) => insertCanned(e.target.value)}>
            <option value="">{t('inbox.composer.canned')}</option>
            {replies.map((reply) => (
              <option key={reply.id} value={reply.id}>
                {reply.title}
              </option>
            ))}
          </select>
        )}
      </div>
      <label htmlFor={`${id}-text`} className="sr-only">
        {mode === 'reply' ? t('inbox.composer.replyLabel', { name: customer?.name ?? t('inbox.thread.customer') }) : t('inbox.composer.noteLabel')}
      </label>
      <textarea
        ref={area}
        id={`${id}-text`}
        value={text}
        rows={4}
        maxLength={100_000}
        placeholder={mode === 'reply' ? t('inbox.composer.replyPlaceholder', { name: customer?.name ?? t('inbox.thread.customer') }) : t('inbox.composer.notePlaceholder')}
        onChange={(e) => change(e.target.value)}
        onKeyDown={onKeyDown}
        aria-describedby={`${id}-hint`}
      />
      <div className="composer-actions">
        <span id={`${id}-hint`} className="muted small">
          {mode === 'note' ? t('inbox.composer.noteHint') : t('inbox.composer.sendHint')}
        </span>
        <span className="composer-status" role="status">
          {error && <span className="inline-error">{t(`errors.${error}`)}</span>}
          {!error && sentNotice && <span className="muted">{t(sentNotice === 'note' ? 'inbox.composer.noteAdded' : 'inbox.composer.sent')}</span>}
        </span>
        {mode === 'reply' && (
          <button type="button" className="button button-quiet button-small" disabled={busy || !text.trim()} onClick={() => void send('solved')}>
            {t('inbox.composer.sendAndSolve')}
          </button>
        )}
        <button type="submit" className={`button button-small ${mode === 'note' ? 'button-note' : 'button-primary'}`} disabled={busy || !text.trim()}>
          {busy ? t('inbox.composer.sending') : mode === 'reply' ? t('inbox.composer.send') : t('inbox.composer.addNote')}
        </button>
      </div>
    </form>
  );
});
