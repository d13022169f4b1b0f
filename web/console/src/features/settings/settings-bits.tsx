import { useTranslation } from 'react-i18next';
import type { Resource } from '../../api/use-resource.js';

const KNOWN_ERRORS = [
  'FORBIDDEN', 'VALIDATION_FAILED', 'NETWORK_ERROR', 'MAIL_NOT_FOUND', 'MAIL_NOT_FAILED', 'MAIL_SMTP_NOT_CONFIGURED',
  'MAIL_ADDRESS_TAKEN', 'DEPARTMENT_UNKNOWN', 'INBOUND_NOT_PARKED', 'CURSOR_INVALID',
] as const;

/** The translated message for an API error code (`settings.errors.<code>`), a generic one for the rest. */
export function ErrorText({ code }: { code: string }) {
  const { t } = useTranslation();
  const known = KNOWN_ERRORS.find((k) => k === code) ?? 'UNKNOWN';
  return <>{t(`settings.errors.${known}`)}</>;
}

export function InlineError({ code }: { code: string | null }) {
  if (!code) return null;
  return <p className="notice settings-error" role="alert"><ErrorText code={code} /></p>;
}

/** "Loading…" or why it failed, with a retry; nothing once the data is there. */
export function LoadState({ state }: { state: Resource<unknown> & { reload: () => void } }) {
  const { t } = useTranslation();
  if (state.phase === 'loading' && state.data === undefined) return <p className="muted">{t('settings.loading')}</p>;
  if (state.phase !== 'failed') return null;
  return (
    <p className="notice settings-error" role="alert">
      <ErrorText code={state.code} />{' '}
      <button type="button" className="link-button" onClick={state.reload}>{t('settings.retryLoad')}</button>
    </p>
  );
}

export function When({ at }: { at: string | null }) {
  const { i18n } = useTranslation();
  if (!at) return <span className="muted">—</span>;
  const date = new Date(at);
  return <time dateTime={at}>{date.toLocaleString(i18n.language, { dateStyle: 'medium', timeStyle: 'short' })}</time>;
}
