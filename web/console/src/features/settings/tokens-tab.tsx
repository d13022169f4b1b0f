import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { attempt, useResource } from '../../api/use-resource.js';
import { agents } from '../inbox/tickets-api.js';
import { apiTokens, createApiToken, revokeApiToken, TOKEN_SCOPES, type ApiToken, type TokenScope } from './admin-api.js';
import { FieldError, FormError, InlineError, LoadState, When, fieldAria, submitForm, type FormFailure } from './settings-bits.js';

const EMPTY = { name: '', scopes: ['read'] as TokenScope[], expires: '' };

/** Names of the workspace's agents by id, for the owner column of everyone's tokens. */
const agentNames = async () => new Map((await agents()).map((a) => [a.id, a.name]));

/**
 * API tokens: an agent's own (create with scopes and an expiry, see the secret once, revoke); an
 * admin also sees everyone's and may revoke them.
 */
export function TokensTab({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const mine = useResource(() => apiTokens('mine'), []);
  const all = useResource(() => (admin ? Promise.all([apiTokens('all'), agentNames()]) : Promise.resolve(null)), [admin]);
  const [form, setForm] = useState(EMPTY);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const reload = () => { mine.reload(); all.reload(); };

  const create = async (event: FormEvent) => {
    event.preventDefault();
    // The end of the chosen day, in the agent's time zone.
    const expiresAt = form.expires ? new Date(`${form.expires}T23:59:59`).toISOString() : undefined;
    let made: { name: string; secret: string } | null = null;
    const failed = await submitForm(async () => {
      const token = await createApiToken({ name: form.name, scopes: form.scopes, ...(expiresAt ? { expiresAt } : {}) });
      made = { name: token.name, secret: token.token };
    }, () => { setForm(EMPTY); reload(); }, { API_TOKEN_EXPIRY_INVALID: 'expiresAt', API_TOKEN_SCOPE_NOT_ALLOWED: 'scopes' });
    setFailure(failed);
    setCreated(made);
    setCopied(false);
  };
  const revoke = async (token: ApiToken) => {
    if (!window.confirm(t('settings.tokens.confirmRevoke', { name: token.name }))) return;
    setError(await attempt(() => revokeApiToken(token.id), reload));
  };
  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied(true);
    } catch {
      // No clipboard (an http:// address other than localhost): the secret stays selectable.
      setCopied(false);
    }
  };
  const toggleScope = (scope: TokenScope, on: boolean) =>
    setForm({ ...form, scopes: TOKEN_SCOPES.filter((s) => s === 'read' || (s === scope ? on : form.scopes.includes(s))) });

  const [everyone, names] = all.data ?? [[], new Map<string, string>()];
  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.tokens.intro')}</p>
      {created && (
        <div className="notice settings-secret" role="status">
          <p><strong>{t('settings.tokens.createdTitle', { name: created.name })}</strong> {t('settings.tokens.secretOnce')}</p>
          <div className="settings-secret-row">
            <code className="settings-address" aria-label={t('settings.tokens.secret')}>{created.secret}</code>
            <button type="button" className="button button-small" onClick={copy}>{copied ? t('settings.copied') : t('settings.copy')}</button>
          </div>
        </div>
      )}
      <h3 className="section-title">{t('settings.tokens.mine')}</h3>
      <LoadState state={mine} />
      <InlineError code={error} />
      {mine.phase === 'ready' && mine.data.length === 0 && <p className="muted">{t('settings.tokens.empty')}</p>}
      {mine.data && mine.data.length > 0 && <TokenTable tokens={mine.data} onRevoke={revoke} label={t('settings.tokens.mine')} />}

      <form className="settings-form" onSubmit={create} aria-labelledby="add-token-title" noValidate>
        <h3 id="add-token-title" className="section-title">{t('settings.tokens.add')}</h3>
        <FormError failure={failure} />
        <div className="settings-fields">
          <div className="field">
            <label htmlFor="token-name">{t('settings.tokens.name')}</label>
            <input id="token-name" maxLength={80} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} {...fieldAria(failure, 'name', 'token-name')} />
            <FieldError failure={failure} field="name" id="token-name" rule="required" />
          </div>
          <div className="field">
            <label htmlFor="token-expires">{t('settings.tokens.expires')}</label>
            <input id="token-expires" type="date" value={form.expires} onChange={(e) => setForm({ ...form, expires: e.target.value })} {...fieldAria(failure, 'expiresAt', 'token-expires')} />
            <FieldError failure={failure} field="expiresAt" id="token-expires" rule="future" />
            <p className="muted field-hint">{t('settings.tokens.expiresHint')}</p>
          </div>
          <fieldset className="field settings-checks">
            <legend>{t('settings.tokens.scopes')}</legend>
            {TOKEN_SCOPES.filter((s) => admin || s !== 'admin').map((scope) => (
              <label key={scope} className="settings-check">
                <input type="checkbox" checked={form.scopes.includes(scope)} disabled={scope === 'read'} onChange={(e) => toggleScope(scope, e.target.checked)} />
                <span>{t(`settings.tokens.scope.${scope}`)}</span>
              </label>
            ))}
            <FieldError failure={failure} field="scopes" id="token-scopes" rule="invalid" />
          </fieldset>
        </div>
        <div><button type="submit" className="button button-primary button-small">{t('settings.tokens.addButton')}</button></div>
      </form>

      {admin && (
        <>
          <h3 className="section-title">{t('settings.tokens.everyone')}</h3>
          <LoadState state={all} />
          {everyone.length > 0 && <TokenTable tokens={everyone} onRevoke={revoke} owner={(id) => names.get(id) ?? '—'} label={t('settings.tokens.everyone')} />}
        </>
      )}
    </div>
  );
}

function TokenTable({ tokens, onRevoke, owner, label }: { tokens: ApiToken[]; onRevoke: (t: ApiToken) => void; owner?: (agentId: string) => string; label: string }) {
  const { t } = useTranslation();
  return (
    <div className="settings-scroll">
      <table className="settings-table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">{t('settings.tokens.name')}</th>
            {owner && <th scope="col">{t('settings.tokens.owner')}</th>}
            <th scope="col">{t('settings.tokens.scopes')}</th>
            <th scope="col">{t('settings.tokens.expires')}</th>
            <th scope="col">{t('settings.tokens.lastUsed')}</th>
            <th scope="col"><span className="sr-only">{t('settings.tokens.revoke')}</span></th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => (
            <tr key={token.id}>
              <td>{token.name}</td>
              {owner && <td>{owner(token.agentId)}</td>}
              <td>{token.scopes.map((s) => t(`settings.tokens.scopeShort.${s}`)).join(', ')}</td>
              <td>{token.expiresAt ? <When at={token.expiresAt} /> : t('settings.tokens.never')}</td>
              <td><When at={token.lastUsedAt} /></td>
              <td><button type="button" className="button button-small button-quiet" onClick={() => onRevoke(token)} aria-label={t('settings.tokens.revokeNamed', { name: token.name })}>{t('settings.tokens.revoke')}</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
