import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { actionErrorKey, type ErrorKey } from '../../api/error-key.js';

/**
 * "Split off" on one message of a thread: it becomes the first message of a new ticket, linked to
 * this one (a customer who asks two things in one mail gets two answers, each tracked).
 */
export function SplitMessage({ defaultSubject, onSplit }: { defaultSubject: string; onSplit: (subject: string) => Promise<void> }) {
  const { t } = useTranslation();
  const subjectId = useId();
  const [open, setOpen] = useState(false);
  const [subject, setSubject] = useState(defaultSubject);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorKey | null>(null);

  if (!open) {
    return (
      <button type="button" className="button button-quiet button-small message-split" onClick={() => setOpen(true)}>
        {t('inbox.split.open')}
      </button>
    );
  }
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSplit(subject);
      setOpen(false);
    } catch (failure) {
      setError(actionErrorKey(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="split-form" onSubmit={(event) => void submit(event)}>
      <label htmlFor={subjectId} className="small">{t('inbox.split.subject')}</label>
      <input id={subjectId} value={subject} maxLength={250} onChange={(event) => setSubject(event.target.value)} />
      {error && <p className="notice notice-error small" role="alert">{t(`errors.${error}`)}</p>}
      <button type="submit" className="button button-primary button-small" disabled={busy}>{t('inbox.split.submit')}</button>{' '}
      <button type="button" className="button button-quiet button-small" onClick={() => setOpen(false)}>{t('inbox.cancel')}</button>
    </form>
  );
}
