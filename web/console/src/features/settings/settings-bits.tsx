import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, isRecord } from '../../api/http.js';
import type { Resource } from '../../api/use-resource.js';

const KNOWN_ERRORS = [
  'FORBIDDEN', 'VALIDATION_FAILED', 'NETWORK_ERROR', 'MAIL_NOT_FOUND', 'MAIL_NOT_FAILED', 'MAIL_SMTP_NOT_CONFIGURED',
  'MAIL_ADDRESS_TAKEN', 'DEPARTMENT_UNKNOWN', 'INBOUND_NOT_PARKED', 'CURSOR_INVALID',
  'DEPARTMENT_KEY_TAKEN', 'DEPARTMENT_NOT_FOUND', 'MEMBER_UNKNOWN', 'SLA_CALENDAR_INVALID', 'SLA_ESCALATION_INVALID', 'SLA_POLICY_CONFLICT',
  'API_TOKEN_SCOPE_NOT_ALLOWED', 'API_TOKEN_EXPIRY_INVALID', 'API_TOKEN_NOT_FOUND', 'WEBHOOK_DELIVERY_IN_PROGRESS', 'WEBHOOK_INACTIVE',
  'WEBHOOK_LIMIT_REACHED', 'WEBHOOK_TARGET_FORBIDDEN', 'LAST_ADMIN', 'AGENT_NOT_FOUND',
  'TRIAGE_RULE_INVALID', 'TRIAGE_RULE_CONTRADICTS', 'TRIAGE_RULE_NOT_FOUND', 'TRIAGE_AUTOMATIONS_INVALID', 'TRIAGE_ONE_CLASS', 'TRIAGE_NO_EXAMPLES',
  'TRIAGE_TEMPLATE_TAKEN', 'TRIAGE_TEMPLATE_INVALID', 'TRIAGE_TEMPLATE_NOT_FOUND',
  'EMAIL_TAKEN', 'INVITATION_PENDING', 'AGENT_INVITATION_NOT_FOUND', 'CURRENT_PASSWORD_WRONG', 'RATE_LIMITED',
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

/**
 * Why a form was refused: the error code for the notice above the form, and the fields the API's
 * validation named (`body.name.en` → `name.en`), each shown under its own input.
 */
export interface FormFailure {
  code: string;
  fields: ReadonlySet<string>;
}

export function failureOf(error: unknown, codeFields: Record<string, string> = {}): FormFailure {
  if (!(error instanceof ApiError)) return { code: 'UNKNOWN', fields: new Set() };
  // Schema failures list `{path: 'body.holidays.0.date'}` (or `querystring.to`); the SLA calendar lists `problems: ['holidays[0].date: …']`.
  const paths = Array.isArray(error.details)
    ? error.details.filter(isRecord).map((d) => (typeof d.path === 'string' ? d.path.replace(/^(body|querystring)\.?/, '') : ''))
    : isRecord(error.details) && Array.isArray(error.details.problems)
      ? error.details.problems.map((p) => (typeof p === 'string' ? p.split(':')[0]! : ''))
      : [];
  const fields = paths.filter(Boolean).map((p) => p.replace(/\.(\d+)(?=\.|$)/g, '[$1]'));
  // Some refusals are about one field without naming it (a key already taken, an expiry in the past).
  const named = codeFields[error.code];
  return { code: error.code, fields: new Set(named ? [...fields, named] : fields) };
}

/**
 * Runs a form's write, then `after`; answers the failure to show, or null. `codeFields` names the
 * field an error code is about when the API does not (`{DEPARTMENT_KEY_TAKEN: 'key'}`).
 */
export async function submitForm<R>(write: () => Promise<R>, after?: (written: R) => void, codeFields?: Record<string, string>): Promise<FormFailure | null> {
  try {
    const written = await write();
    after?.(written);
    return null;
  } catch (error) {
    return failureOf(error, codeFields);
  }
}

/** Whether the API named this field (or something inside it: `name` covers `name.en`). */
export function fieldFailed(failure: FormFailure | null, field: string, exact = false): boolean {
  if (!failure) return false;
  for (const path of failure.fields) {
    if (path === field || (!exact && (path.startsWith(`${field}.`) || path.startsWith(`${field}[`)))) return true;
  }
  return false;
}

/** The input's ARIA for a refused field, pointing at the message under it. */
export function fieldAria(failure: FormFailure | null, field: string, id: string) {
  return fieldFailed(failure, field) ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-error` } : {};
}

/** The message under a refused field: what the field expects (`settings.fieldRules.<rule>`). */
export function FieldError({ failure, field, id, rule, exact }: { failure: FormFailure | null; field: string; id: string; rule: FieldRule; exact?: boolean }) {
  const { t } = useTranslation();
  if (!fieldFailed(failure, field, exact)) return null;
  return <p id={`${id}-error`} className="field-error" role="alert">{t(`settings.fieldRules.${rule}`)}</p>;
}

export type FieldRule = 'lastAdmin' | 'ticketCapacity' | 'chatCapacity' | 'required' | 'future' | 'taken' | 'conflict' | 'minutes' | 'minutesOrZero' | 'timeZone' | 'oneWorkday' | 'key' | 'email' | 'url' | 'number' | 'date' | 'events' | 'scopes' | 'time' | 'invalid'
  | 'offerTimeout' | 'acw' | 'serviceLevel' | 'cost' | 'overflowTeam' | 'overflowAfter' | 'dateRange'
  | 'agentExists' | 'invitationPending' | 'currentPassword' | 'password';

/** The notice above a refused form: the reason, or, when fields were named, a pointer to their messages. */
export function FormError({ failure }: { failure: FormFailure | null }) {
  const { t } = useTranslation();
  if (!failure) return null;
  if (failure.fields.size === 0) return <InlineError code={failure.code} />;
  return <p className="notice settings-error" role="alert">{t('settings.checkFields')}</p>;
}

/** A list of settings rows: a table that scrolls sideways on a phone, its last column the row's buttons. */
export function SettingsTable({ columns, children }: { columns: readonly (string | { label: string; className: string })[]; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="settings-scroll">
      <table className="settings-table">
        <thead>
          <tr>
            {columns.map((c) => (typeof c === 'string' ? <th key={c} scope="col">{c}</th> : <th key={c.label} scope="col" className={c.className}>{c.label}</th>))}
            <th scope="col"><span className="sr-only">{t('settings.edit')}</span></th>
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** An editor's buttons: save (submits its form) and cancel. */
export function EditorActions({ onCancel }: { onCancel: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="settings-actions">
      <button type="submit" className="button button-primary button-small">{t('settings.save')}</button>
      <button type="button" className="button button-small button-quiet" onClick={onCancel}>{t('settings.cancel')}</button>
    </div>
  );
}
