import { useTranslation } from 'react-i18next';
import type { Resource } from '../../api/use-resource.js';

/** "Loading…" or why it failed, with a retry; nothing once the data is there. */
export function LoadProblem({ state }: { state: Resource<unknown> & { reload: () => void } }) {
  const { t } = useTranslation();
  if (state.phase === 'loading' && state.data === undefined) return <p className="muted">{t('helpCentre.loading')}</p>;
  if (state.phase !== 'failed') return null;
  return (
    <p className="notice notice-error" role="alert">
      {t('helpCentre.loadFailed', { code: state.code })}{' '}
      <button type="button" className="link-button" onClick={state.reload}>{t('helpCentre.retry')}</button>
    </p>
  );
}
