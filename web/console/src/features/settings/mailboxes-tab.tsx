import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { addMailbox, mailboxes, removeMailbox, setMailboxEnabled, type MailboxTls, type NewMailbox } from './mail-api.js';
import { InlineError, LoadState, When } from './settings-bits.js';
import { attempt, useResource } from '../../api/use-resource.js';

const EMPTY: NewMailbox = { name: '', host: '', port: 993, tls: 'implicit', username: '', password: '', folder: 'INBOX' };

/** IMAP mailboxes Kefu polls for companies whose mail lives elsewhere. Passwords go in, never come back. */
export function MailboxesTab() {
  const { t } = useTranslation();
  const list = useResource(mailboxes, []);
  const [form, setForm] = useState<NewMailbox>(EMPTY);
  const [error, setError] = useState<string | null>(null);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setError(await attempt(() => addMailbox({ ...form, name: form.name.trim(), host: form.host.trim(), folder: form.folder.trim() || 'INBOX' }),
      () => { setForm(EMPTY); list.reload(); }));
  };
  const toggle = async (id: string, enabled: boolean) => setError(await attempt(() => setMailboxEnabled(id, enabled), list.reload));
  const remove = async (id: string, name: string) => {
    if (!window.confirm(t('settings.mailboxes.confirmRemove', { name }))) return;
    setError(await attempt(() => removeMailbox(id), list.reload));
  };
  const field = (key: keyof NewMailbox, label: string, props: Record<string, unknown> = {}) => (
    <div className="field">
      <label htmlFor={`mailbox-${key}`}>{label}</label>
      <input id={`mailbox-${key}`} value={String(form[key])} required {...props}
        onChange={(e) => setForm({ ...form, [key]: key === 'port' ? Number(e.target.value) : e.target.value })} />
    </div>
  );

  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.mailboxes.intro')}</p>
      <LoadState state={list} />
      <InlineError code={error} />
      {list.phase === 'ready' && list.data.length === 0 && <p className="muted">{t('settings.mailboxes.empty')}</p>}
      {list.data && list.data.length > 0 && (
        <table className="settings-table">
          <thead>
            <tr>
              <th scope="col">{t('settings.mailboxes.name')}</th>
              <th scope="col">{t('settings.mailboxes.server')}</th>
              <th scope="col">{t('settings.mailboxes.username')}</th>
              <th scope="col">{t('settings.mailboxes.lastPolled')}</th>
              <th scope="col">{t('settings.mailboxes.enabled')}</th>
              <th scope="col"><span className="sr-only">{t('settings.remove')}</span></th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((m) => (
              <tr key={m.id}>
                <td>{m.name}<div className="muted small">{m.folder}</div></td>
                <td className="settings-address">{m.host}:{m.port} · {t(`settings.mailboxes.tlsModes.${m.tls}`)}</td>
                <td className="settings-address">{m.username}</td>
                <td><When at={m.lastPolledAt} />{m.lastError && <div className="settings-response">{m.lastError}</div>}</td>
                <td><input type="checkbox" checked={m.enabled} aria-label={t('settings.mailboxes.enabledFor', { name: m.name })} onChange={(e) => toggle(m.id, e.target.checked)} /></td>
                <td><button type="button" className="button button-small button-quiet" onClick={() => remove(m.id, m.name)}>{t('settings.remove')}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="settings-form" onSubmit={add} aria-labelledby="add-mailbox-title">
        <h3 id="add-mailbox-title" className="section-title">{t('settings.mailboxes.add')}</h3>
        <div className="settings-fields">
          {field('name', t('settings.mailboxes.name'), { maxLength: 120 })}
          {field('host', t('settings.mailboxes.host'), { maxLength: 253 })}
          {field('port', t('settings.mailboxes.port'), { type: 'number', min: 1, max: 65535 })}
          <div className="field">
            <label htmlFor="mailbox-tls">{t('settings.mailboxes.tls')}</label>
            <select id="mailbox-tls" value={form.tls} onChange={(e) => setForm({ ...form, tls: e.target.value as MailboxTls })}>
              {(['implicit', 'starttls', 'none'] as const).map((mode) => <option key={mode} value={mode}>{t(`settings.mailboxes.tlsModes.${mode}`)}</option>)}
            </select>
          </div>
          {field('username', t('settings.mailboxes.username'), { maxLength: 254, autoComplete: 'off' })}
          {field('password', t('settings.mailboxes.password'), { type: 'password', maxLength: 1000, autoComplete: 'new-password' })}
          {field('folder', t('settings.mailboxes.folder'), { maxLength: 200 })}
        </div>
        <div><button type="submit" className="button button-primary button-small">{t('settings.mailboxes.addButton')}</button></div>
      </form>
    </div>
  );
}
