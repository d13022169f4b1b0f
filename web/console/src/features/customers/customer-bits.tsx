import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/http.js';
import type { Resource } from '../../api/use-resource.js';

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

export interface Problem { code: string; message: string }

/** Runs a write; resolves to the problem to show, or null when it worked. */
export async function tryWrite(write: () => Promise<unknown>): Promise<Problem | null> {
  try {
    await write();
    return null;
  } catch (error) {
    return error instanceof ApiError ? { code: error.code, message: error.message } : { code: 'UNKNOWN', message: String(error) };
  }
}

const KNOWN = ['CSV_COLUMNS_INVALID', 'CSV_TOO_MANY_ROWS', 'CSV_TOO_LARGE', 'CSV_EMPTY', 'CSV_UNREADABLE', 'MERGE_SAME_CUSTOMER', 'CUSTOMER_NOT_FOUND', 'FORBIDDEN', 'VALIDATION_FAILED',
  'SEGMENT_NAME_TAKEN', 'SEGMENT_NOT_FOUND', 'SEGMENT_RULE_INVALID', 'SEGMENT_REFERENCE_UNKNOWN'] as const;

/** The translated message for a problem of this area, with the server's own words where they help. */
export function ProblemNotice({ problem }: { problem: Problem | null }) {
  const { t } = useTranslation();
  if (!problem) return null;
  const code = KNOWN.find((k) => k === problem.code);
  return (
    <p className="notice notice-error" role="alert">
      {code ? t(`customers.errors.${code}`, { message: problem.message }) : t('customers.errors.UNKNOWN', { code: problem.code })}
    </p>
  );
}
