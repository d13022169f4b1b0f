import { useTranslation } from 'react-i18next';
import { ApiError, isRecord } from '../../api/http.js';
import type { Resource } from '../../api/use-resource.js';
import { isPlaceholderAddress } from '@contracts/addresses.js';

/** "Loading…" or why it failed, with a retry; nothing once the data is there. */
export function LoadProblem({ state }: { state: Resource<unknown> & { reload: () => void } }) {
  const { t } = useTranslation();
  if (state.phase === 'loading' && state.data === undefined) return <p className="muted">{t('customers.loading')}</p>;
  if (state.phase !== 'failed') return null;
  return (
    <p className="notice notice-error" role="alert">
      {t('customers.loadFailed', { code: state.code })}{' '}
      <button type="button" className="link-button" onClick={state.reload}>{t('customers.retry')}</button>
    </p>
  );
}

/**
 * A customer's e-mail address (a `mailto:` link when asked), or "No e-mail" for a placeholder one
 * (known only by phone, erased, a chat contact): never shown as if it were an address to write to.
 */
export function EmailOrNone({ email, mailto = false, className }: { email: string; mailto?: boolean; className?: string }) {
  const { t } = useTranslation();
  if (isPlaceholderAddress(email)) return <span className={className ? `${className} muted` : 'muted'}>{t('customers.noEmail')}</span>;
  return mailto ? <a className={className} href={`mailto:${email}`}>{email}</a> : <>{email}</>;
}

/** Why a write was refused: its code, the server's words, and the fields it was about (`names.zh-CN`, `domain`). */
export interface Problem { code: string; message: string; fields: string[]; details?: unknown }

/** The field a refusal is about when the server's details do not name it (a name or domain already taken). */
const FIELD_OF_CODE: Record<string, string> = {
  COMPANY_TAKEN: 'name', COMPANY_DOMAIN_TAKEN: 'domain', CONSENT_PURPOSE_TAKEN: 'key', SERIAL_TAKEN: 'serial', WARRANTY_BEFORE_PURCHASE: 'warrantyUntil',
};

/** Runs a write; resolves to the problem to show, or null when it worked. */
export async function tryWrite(write: () => Promise<unknown>): Promise<Problem | null> {
  try {
    await write();
    return null;
  } catch (error) {
    if (!(error instanceof ApiError)) return { code: 'UNKNOWN', message: String(error), fields: [] };
    // Schema refusals list `{path: 'body.names.zh-CN', …}`.
    const named = Array.isArray(error.details)
      ? error.details.filter(isRecord).map((d) => (typeof d.path === 'string' ? d.path.replace(/^body\.?/, '') : '')).filter(Boolean)
      : [];
    const byCode = FIELD_OF_CODE[error.code];
    return { code: error.code, message: error.message, fields: byCode ? [...named, byCode] : named, details: error.details };
  }
}

/** What a refused field expects (`customers.fieldRules.<rule>`), under its input; nothing when the field was fine. */
export type FieldRule = 'required' | 'companyTaken' | 'domain' | 'domainTaken' | 'key' | 'keyTaken' | 'tooLong' | 'serialTaken' | 'date' | 'warrantyBeforePurchase';
export function FieldProblem({ problem, field, id, rule }: { problem: Problem | null; field: string; id: string; rule: FieldRule }) {
  const { t } = useTranslation();
  if (!fieldFailed(problem, field)) return null;
  return <p id={`${id}-error`} className="field-error" role="alert">{t(`customers.fieldRules.${rule}`)}</p>;
}

export const fieldFailed = (problem: Problem | null, field: string) => !!problem?.fields.some((f) => f === field || f.startsWith(`${field}.`));

/** The input's ARIA for a refused field, pointing at its message. */
export const fieldAria = (problem: Problem | null, field: string, id: string) =>
  (fieldFailed(problem, field) ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-error` } : {});

const KNOWN = ['CSV_COLUMNS_INVALID', 'CSV_TOO_MANY_ROWS', 'CSV_TOO_LARGE', 'CSV_EMPTY', 'CSV_UNREADABLE', 'MERGE_SAME_CUSTOMER', 'CUSTOMER_NOT_FOUND', 'FORBIDDEN', 'VALIDATION_FAILED',
  'SEGMENT_NAME_TAKEN', 'SEGMENT_NOT_FOUND', 'SEGMENT_RULE_INVALID', 'SEGMENT_REFERENCE_UNKNOWN',
  'COMPANY_TAKEN', 'COMPANY_DOMAIN_TAKEN', 'COMPANY_NOT_FOUND', 'REFERENCE_NOT_FOUND', 'CONSENT_PURPOSE_TAKEN', 'CONSENT_PURPOSE_NOT_FOUND'] as const;

/**
 * The translated message for a problem of this area, with the server's own words where they help;
 * a form that shows each refused field's message under it (`fieldsShown`) only points at them.
 */
export function ProblemNotice({ problem, fieldsShown = false }: { problem: Problem | null; fieldsShown?: boolean }) {
  const { t } = useTranslation();
  if (!problem) return null;
  if (fieldsShown && problem.fields.length > 0) return <p className="notice notice-error" role="alert">{t('customers.checkFields')}</p>;
  const code = KNOWN.find((k) => k === problem.code);
  return (
    <p className="notice notice-error" role="alert">
      {code ? t(`customers.errors.${code}`, { message: problem.message }) : t('customers.errors.UNKNOWN', { code: problem.code })}
    </p>
  );
}
