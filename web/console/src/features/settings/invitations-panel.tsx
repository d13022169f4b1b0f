import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { AGENT_ROLES } from '@contracts/enums.js';
import { attempt, useResource } from '../../api/use-resource.js';
import { invitations, inviteAgent, resendInvitation, revokeInvitation, type Invitation } from './admin-api.js';
import { FieldError, FormError, InlineError, LoadState, SettingsTable, When, fieldAria, submitForm, type FormFailure } from './settings-bits.js';

type Role = (typeof AGENT_ROLES)[number];
const EMPTY = { email: '', name: '', role: 'agent' as Role, locale: '' };

/**
 * Invitations (issue 19, 1): an admin invites by e-mail, name and role; the invited person gets a
 * one-time link to choose their own password. Open invitations are listed, resent (a new link and a
 * new week) or withdrawn.
 */
export function InvitationsPanel() {
  const { t } = useTranslation();
  const list = useResource(invitations, []);
  const [form, setForm] = useState(EMPTY);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const invite = async (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    const email = form.email.trim();
    const failed = await submitForm(
      () => inviteAgent({ email, name: form.name.trim(), role: form.role, ...(form.locale ? { locale: form.locale as 'en' | 'zh-CN' } : {}) }),
      () => { setForm(EMPTY); setNotice(t('settings.invitations.sent', { email })); list.reload(); },
      { EMAIL_TAKEN: 'email', INVITATION_PENDING: 'email' },
    );
    setFailure(failed);
  };
  const resend = async (i: Invitation) => {
    setNotice(null);
    const failed = await attempt(() => resendInvitation(i.id), () => { setNotice(t('settings.invitations.sent', { email: i.email })); list.reload(); });
    setRowError(failed);
  };
  const revoke = async (i: Invitation) => {
    if (!window.confirm(t('settings.invitations.confirmRevoke', { email: i.email }))) return;
    setNotice(null);
    setRowError(await attempt(() => revokeInvitation(i.id), list.reload));
  };

  const pending = list.data ?? [];
  const emailTaken = failure?.code === 'EMAIL_TAKEN' ? 'agentExists' : failure?.code === 'INVITATION_PENDING' ? 'invitationPending' : 'email';
  return (
    <section className="settings-panel" aria-labelledby="invitations-title">
      <h3 id="invitations-title" className="section-title">{t('settings.invitations.title')}</h3>
      <p className="muted">{t('settings.invitations.intro')}</p>
      <LoadState state={list} />
      <InlineError code={rowError} />
      {notice && <p className="notice" role="status">{notice}</p>}
      {list.phase === 'ready' && pending.length === 0 && <p className="muted">{t('settings.invitations.empty')}</p>}
      {pending.length > 0 && (
        <SettingsTable columns={[t('settings.invitations.person'), t('settings.agents.role'), t('settings.invitations.expires')]}>
          {pending.map((i) => (
            <tr key={i.id}>
              <td>{i.name}<div className="settings-address muted">{i.email}</div></td>
              <td>{t(`settings.agents.roles.${i.role}`)}</td>
              <td>{i.expired ? <span className="badge">{t('settings.invitations.expired')}</span> : <When at={i.expiresAt} />}</td>
              <td>
                <div className="settings-actions">
                <button type="button" className="button button-small button-quiet" aria-label={t('settings.invitations.resendNamed', { email: i.email })} onClick={() => void resend(i)}>{t('settings.invitations.resend')}</button>
                <button type="button" className="button button-small button-quiet" aria-label={t('settings.invitations.revokeNamed', { email: i.email })} onClick={() => void revoke(i)}>{t('settings.invitations.revoke')}</button>
                </div>
              </td>
            </tr>
          ))}
        </SettingsTable>
      )}
      <form className="settings-form" onSubmit={(e) => void invite(e)} aria-labelledby="invite-title" noValidate>
        <h4 id="invite-title" className="section-title">{t('settings.invitations.add')}</h4>
        <FormError failure={failure} />
        <div className="settings-fields">
          <div className="field">
            <label htmlFor="invite-email">{t('settings.invitations.email')}</label>
            <input id="invite-email" type="email" autoComplete="off" maxLength={254} value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} {...fieldAria(failure, 'email', 'invite-email')} />
            <FieldError failure={failure} field="email" id="invite-email" rule={emailTaken} />
          </div>
          <div className="field">
            <label htmlFor="invite-name">{t('settings.invitations.name')}</label>
            <input id="invite-name" maxLength={120} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} {...fieldAria(failure, 'name', 'invite-name')} />
            <FieldError failure={failure} field="name" id="invite-name" rule="required" />
          </div>
          <div className="field">
            <label htmlFor="invite-role">{t('settings.agents.role')}</label>
            <select id="invite-role" value={form.role} onChange={(e) => setForm({ ...form, role: AGENT_ROLES.find((r) => r === e.target.value) ?? 'agent' })}>
              {AGENT_ROLES.map((r) => <option key={r} value={r}>{t(`settings.agents.roles.${r}`)}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor="invite-locale">{t('settings.invitations.locale')}</label>
            <select id="invite-locale" value={form.locale} onChange={(e) => setForm({ ...form, locale: e.target.value })}>
              <option value="">{t('settings.invitations.localeDefault')}</option>
              <option value="zh-CN">{t('settings.locales.zh-CN')}</option>
              <option value="en">{t('settings.locales.en')}</option>
            </select>
          </div>
        </div>
        <div><button type="submit" className="button button-primary button-small">{t('settings.invitations.addButton')}</button></div>
      </form>
    </section>
  );
}
