import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, isRecord } from '../../api/http.js';
import { attempt, useResource } from '../../api/use-resource.js';
import { addHostname, hostnames, removeHostname } from './admin-api.js';
import { InlineError, LoadState } from './settings-bits.js';

/** The problems a host name is refused for, each said under the field (`settings.hostnames.problems.<code>`). */
const PROBLEMS = ['HOSTNAME_SCHEME', 'HOSTNAME_PORT', 'HOSTNAME_PATH', 'HOSTNAME_INVALID', 'HOSTNAME_TAKEN', 'HOSTNAMES_TOO_MANY'] as const;
type Problem = (typeof PROBLEMS)[number];

/** The field's problem in a refusal: the validation detail's code, or the refusal's own. */
function problemOf(error: unknown): Problem | null {
  if (!(error instanceof ApiError)) return null;
  const detail = Array.isArray(error.details) ? error.details.find((d) => isRecord(d) && d.path === 'body.hostname') : undefined;
  const code = isRecord(detail) && typeof detail.code === 'string' ? detail.code : error.code;
  return (PROBLEMS as readonly string[]).includes(code) ? (code as Problem) : null;
}

/**
 * The host names the portal answers on for this workspace (admin): the help centre at
 * https://help.example.com needs `help.example.com` here, and the name's DNS pointing at Kefu.
 */
export function HostnamesTab() {
  const { t } = useTranslation();
  const id = useId();
  const list = useResource(() => hostnames(), []);
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!value.trim()) return setProblem('HOSTNAME_INVALID');
    setBusy(true);
    try {
      await addHostname(value);
      setValue('');
      setProblem(null);
      list.reload();
    } catch (failure) {
      const found = problemOf(failure);
      setProblem(found);
      if (!found) setError(failure instanceof ApiError ? failure.code : 'UNKNOWN');
    } finally {
      setBusy(false);
    }
  };
  const remove = async (hostname: string) => {
    if (!window.confirm(t('settings.hostnames.confirmRemove', { hostname }))) return;
    setError(await attempt(() => removeHostname(hostname), list.reload));
  };

  const names = list.data ?? [];
  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.hostnames.intro')}</p>
      <LoadState state={list} />
      <InlineError code={error} />
      {list.phase === 'ready' && names.length === 0 && <p className="muted">{t('settings.hostnames.empty')}</p>}
      {names.length > 0 && (
        <table className="settings-table" data-testid="hostnames">
          <thead>
            <tr>
              <th scope="col">{t('settings.hostnames.hostname')}</th>
              <th scope="col"><span className="sr-only">{t('settings.remove')}</span></th>
            </tr>
          </thead>
          <tbody>
            {names.map((hostname) => (
              <tr key={hostname} data-hostname={hostname}>
                <td className="settings-address">{hostname}</td>
                <td>
                  <button type="button" className="button button-small button-quiet" aria-label={t('settings.hostnames.removeNamed', { hostname })} onClick={() => void remove(hostname)}>
                    {t('settings.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="settings-form" onSubmit={(event) => void add(event)} aria-labelledby={`${id}-title`} noValidate>
        <h3 id={`${id}-title`} className="section-title">{t('settings.hostnames.add')}</h3>
        <div className="settings-fields">
          <div className="field">
            <label htmlFor={`${id}-hostname`}>{t('settings.hostnames.hostname')}</label>
            <input
              id={`${id}-hostname`} value={value} maxLength={300} placeholder="help.example.com" autoCapitalize="none" spellCheck={false}
              aria-invalid={problem ? true : undefined} aria-describedby={problem ? `${id}-hostname-error` : `${id}-hostname-hint`}
              onChange={(e) => { setValue(e.target.value); setProblem(null); }}
            />
            <p className="muted field-hint" id={`${id}-hostname-hint`}>{t('settings.hostnames.hint')}</p>
            {problem && <p id={`${id}-hostname-error`} className="field-error" role="alert">{t(`settings.hostnames.problems.${problem}`)}</p>}
          </div>
        </div>
        <div><button type="submit" className="button button-primary button-small" disabled={busy}>{t('settings.hostnames.addButton')}</button></div>
      </form>
    </div>
  );
}
