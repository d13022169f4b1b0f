import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { changePassword, notificationPreferences, saveNotificationPreferences, type NotificationPreferences } from '../../api/auth.js';
import { useResource } from '../../api/use-resource.js';
import { FieldError, FormError, LoadState, fieldAria, submitForm, type FormFailure } from './settings-bits.js';

const EMPTY = { currentPassword: '', newPassword: '' };

/** The signed-in agent's own account: their password and the notification mails they get (issue 19, 2). */
export function ProfileTab() {
  return (
    <div className="settings-panel">
      <PasswordForm />
      <NotificationsForm />
    </div>
  );
}

const KINDS = ['assigned', 'customerReplied', 'slaWarning'] as const satisfies readonly (keyof NotificationPreferences)[];

/** Each kind of notification mail on or off; saved with one button. */
function NotificationsForm() {
  const { t } = useTranslation();
  const saved = useResource(notificationPreferences, []);
  const [edits, setEdits] = useState<Partial<NotificationPreferences>>({});
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [done, setDone] = useState(false);
  if (!saved.data) return <LoadState state={saved} />;
  const current = { ...saved.data, ...edits };
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    setFailure(await submitForm(() => saveNotificationPreferences(current), () => { setDone(true); setEdits({}); saved.reload(); }));
  };
  return (
    <form className="settings-form" onSubmit={(e) => void save(e)} aria-labelledby="notifications-title">
      <h3 id="notifications-title" className="section-title">{t('settings.profile.notifications')}</h3>
      <FormError failure={failure} />
      {done && <p className="notice" role="status">{t('settings.profile.notificationsSaved')}</p>}
      <fieldset className="settings-checks">
        <legend>{t('settings.profile.notificationsLegend')}</legend>
        {KINDS.map((kind) => (
          <label key={kind} className="settings-check">
            <input type="checkbox" checked={current[kind]} onChange={(e) => setEdits({ ...edits, [kind]: e.target.checked })} />
            <span>{t(`settings.profile.kinds.${kind}`)}</span>
          </label>
        ))}
      </fieldset>
      <div><button type="submit" className="button button-primary button-small">{t('settings.save')}</button></div>
    </form>
  );
}

/** Needs the current password; on success the agent's other sessions end and this one stays. */
function PasswordForm() {
  const { t } = useTranslation();
  const [form, setForm] = useState(EMPTY);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [changed, setChanged] = useState(false);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setChanged(false);
    setFailure(await submitForm(() => changePassword(form), () => { setForm(EMPTY); setChanged(true); }, { CURRENT_PASSWORD_WRONG: 'currentPassword' }));
  };
  return (
    <form className="settings-form" onSubmit={(e) => void save(e)} aria-labelledby="password-title" noValidate>
      <h3 id="password-title" className="section-title">{t('settings.profile.password')}</h3>
      <FormError failure={failure} />
      {changed && <p className="notice" role="status">{t('settings.profile.passwordChanged')}</p>}
      <div className="settings-fields">
        <div className="field">
          <label htmlFor="profile-current">{t('settings.profile.currentPassword')}</label>
          <input id="profile-current" type="password" autoComplete="current-password" value={form.currentPassword}
            onChange={(e) => setForm({ ...form, currentPassword: e.target.value })} {...fieldAria(failure, 'currentPassword', 'profile-current')} />
          <FieldError failure={failure} field="currentPassword" id="profile-current" rule={failure?.code === 'CURRENT_PASSWORD_WRONG' ? 'currentPassword' : 'required'} />
        </div>
        <div className="field">
          <label htmlFor="profile-new">{t('settings.profile.newPassword')}</label>
          <input id="profile-new" type="password" autoComplete="new-password" value={form.newPassword}
            onChange={(e) => setForm({ ...form, newPassword: e.target.value })} {...fieldAria(failure, 'newPassword', 'profile-new')} />
          <FieldError failure={failure} field="newPassword" id="profile-new" rule="password" />
        </div>
      </div>
      <p className="muted field-hint">{t('settings.profile.passwordHint')}</p>
      <div><button type="submit" className="button button-primary button-small">{t('settings.profile.changePassword')}</button></div>
    </form>
  );
}
