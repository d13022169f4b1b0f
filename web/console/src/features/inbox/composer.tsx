import { forwardRef, useEffect, useId, useImperativeHandle, useRef, useState, type ChangeEvent, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { actionErrorKey as errorKey, type ErrorKey } from '../../api/error-key.js';
import { ApiError, isRecord } from '../../api/http.js';
import { useSignedIn } from '../../session/session.js';
import { cannedForReply, fillPlaceholders, insertAt } from './canned.js';
import { fileSize } from './format.js';
import { useInboxData, useNames } from './inbox-data.js';
import {
  attachmentLimits,
  checkAttachments,
  postMessage,
  type AttachmentLimits,
  type AttachmentProblem,
  type CannedReply,
  type Customer,
  type Message,
  type Ticket,
  type TicketStatus,
} from './tickets-api.js';

export type ComposerMode = 'reply' | 'note';

/** Codes of the message routes the composer explains itself (the shared list in error-key.ts covers the rest). */
const SEND_ERRORS = ['ATTACHMENT_TOO_LARGE', 'ATTACHMENT_TYPE_FORBIDDEN', 'ATTACHMENT_TOO_MANY', 'TICKET_CLOSED'] as const;
type SendErrorCode = (typeof SEND_ERRORS)[number];

const PICK_ERRORS = { ATTACHMENT_TOO_LARGE: 'tooLarge', ATTACHMENT_TYPE_FORBIDDEN: 'typeForbidden', ATTACHMENT_TOO_MANY: 'tooMany' } as const;

/** What the status line shows after a failed send or a refused file: a catalogue key and its values. */
type ComposerError =
  | { key: `errors.${ErrorKey | SendErrorCode}`; filename?: string }
  | { key: `inbox.composer.attach.${(typeof PICK_ERRORS)[AttachmentProblem['code']]}`; values: { filename: string; max: string | number } };

function sendError(failure: unknown): ComposerError {
  if (failure instanceof ApiError && (SEND_ERRORS as readonly string[]).includes(failure.code)) {
    const filename = isRecord(failure.details) && typeof failure.details.filename === 'string' ? failure.details.filename : undefined;
    return { key: `errors.${failure.code as SendErrorCode}`, filename };
  }
  return { key: `errors.${errorKey(failure)}` };
}

function pickError(problem: AttachmentProblem, limits: AttachmentLimits, locale: string): ComposerError {
  const max = problem.code === 'ATTACHMENT_TOO_MANY' ? limits.maxFiles : fileSize(limits.maxBytes, locale);
  return { key: `inbox.composer.attach.${PICK_ERRORS[problem.code]}`, values: { filename: problem.filename, max } };
}

export interface ComposerHandle {
  /** Switches to reply or note and puts the cursor in the text box. */
  focus(mode: ComposerMode): void;
}

/**
 * Reply to the customer or write an internal note; canned replies are inserted with their
 * placeholders filled. Ctrl/⌘+Enter sends. `onComposing` tells other agents someone is writing.
 * Files can be attached: checked here against the server's limits for a quick answer, sent as
 * multipart, and checked again (authoritatively) by the server.
 */
export const Composer = forwardRef<ComposerHandle, {
  ticket: Ticket;
  customer: Customer | null;
  /** The language the reply goes out in (replyLocale), null if unknown: the canned replies offered follow it. */
  language: CannedReply['locale'];
  onSent: (message: Message) => void;
  onComposing: (composing: boolean) => void;
}>(function Composer({ ticket, customer, language, onSent, onComposing }, ref) {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const { canned } = useInboxData();
  const names = useNames();
  const id = useId();
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ComposerError | null>(null);
  const [sentNotice, setSentNotice] = useState<ComposerMode | null>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [limits, setLimits] = useState<AttachmentLimits | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    void attachmentLimits().then((found) => {
      if (live) setLimits(found);
    });
    return () => {
      live = false;
    };
  }, []);

  // Files chosen for one ticket never go out with a reply on another.
  useEffect(() => {
    setFiles([]);
    setError(null);
  }, [ticket.id]);

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

  const pick = (event: ChangeEvent<HTMLInputElement>) => {
    const added = Array.from(event.target.files ?? []);
    event.target.value = ''; // choosing the same file again after removing it still fires a change
    if (!added.length) return;
    const { accepted, problem } = checkAttachments(files, added, limits);
    setFiles([...files, ...accepted]);
    setSentNotice(null);
    setError(problem && limits ? pickError(problem, limits, names.locale) : null);
  };

  const removeFile = (index: number) => {
    setFiles(files.filter((_, i) => i !== index));
    setError(null);
  };

  const send = async (status?: TicketStatus) => {
    if (!text.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      const message = await postMessage(ticket.id, { kind: mode, body: text, ...(status ? { status } : {}) }, files);
      setText('');
      setFiles([]);
      onComposing(false);
      setSentNotice(mode);
      onSent(message);
    } catch (failure) {
      setError(sendError(failure));
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

  const replies = cannedForReply(canned, language, names.locale);
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
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
            <option value="">{language ? t('inbox.composer.cannedIn', { language: t(`language.${language}`) }) : t('inbox.composer.canned')}</option>
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
      {files.length > 0 && (
        <div className="composer-files">
          <ul className="attachments" aria-label={t('inbox.composer.attach.chosen')}>
            {files.map((file, index) => (
              <li key={`${index}-${file.name}`} className="attachment">
                <span className="attachment-name">{file.name}</span>
                <span className="muted">{fileSize(file.size, names.locale)}</span>
                <button type="button" className="icon-button" disabled={busy} aria-label={t('inbox.composer.attach.remove', { filename: file.name })} onClick={() => removeFile(index)}>
                  ×
                </button>
              </li>
            ))}
          </ul>
          <p className="muted small">{t('inbox.composer.attach.total', { count: files.length, size: fileSize(totalBytes, names.locale) })}</p>
        </div>
      )}
      <div className="composer-actions">
        <input
          ref={fileInput}
          id={`${id}-files`}
          type="file"
          multiple
          hidden
          accept={limits ? limits.extensions.map((e) => `.${e}`).join(',') : undefined}
          onChange={pick}
        />
        <button
          type="button"
          className="button button-quiet button-small"
          disabled={busy}
          onClick={() => fileInput.current?.click()}
          title={limits ? t('inbox.composer.attach.hint', { count: limits.maxFiles, size: fileSize(limits.maxBytes, names.locale) }) : undefined}
        >
          {t('inbox.composer.attach.button')}
        </button>
        <span id={`${id}-hint`} className="muted small">
          {mode === 'note' ? t('inbox.composer.noteHint') : t('inbox.composer.sendHint')}
        </span>
        <span className="composer-status" role="status">
          {error && (
            <span className="inline-error">
              {'values' in error ? t(error.key, error.values) : t(error.key)}
              {'filename' in error && error.filename && ` ${t('inbox.composer.attach.file', { filename: error.filename })}`}
            </span>
          )}
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
