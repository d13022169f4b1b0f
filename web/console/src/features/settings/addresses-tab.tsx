import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { departments } from '../inbox/tickets-api.js';
import { addSupportAddress, removeSupportAddress, supportAddresses, type ContentLocale } from './mail-api.js';
import { InlineError, LoadState } from './settings-bits.js';
import { attempt, useResource } from '../../api/use-resource.js';

/** Support addresses: mail to them becomes tickets, and replies leave from them. */
export function AddressesTab() {
  const { t, i18n } = useTranslation();
  const list = useResource(() => Promise.all([supportAddresses(), departments()]), []);
  const [form, setForm] = useState({ address: '', displayName: '', departmentId: '', locale: '' });
  const [error, setError] = useState<string | null>(null);
  const [addresses, depts] = list.data ?? [[], []];
  const departmentName = (id: string | null) => {
    const d = depts.find((x) => x.id === id);
    return d ? d.name[i18n.language] ?? Object.values(d.name)[0] ?? '' : '—';
  };

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const failed = await attempt(() => addSupportAddress({
      address: form.address.trim(), displayName: form.displayName.trim() || null,
      departmentId: form.departmentId || null, locale: (form.locale || null) as ContentLocale | null,
    }), () => { setForm({ address: '', displayName: '', departmentId: '', locale: '' }); list.reload(); });
    setError(failed);
  };
  const remove = async (id: string, address: string) => {
    if (!window.confirm(t('settings.addresses.confirmRemove', { address }))) return;
    setError(await attempt(() => removeSupportAddress(id), list.reload));
  };

  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.addresses.intro')}</p>
      <LoadState state={list} />
      <InlineError code={error} />
      {list.phase === 'ready' && addresses.length === 0 && <p className="muted">{t('settings.addresses.empty')}</p>}
      {addresses.length > 0 && (
        <table className="settings-table">
          <thead>
            <tr>
              <th scope="col">{t('settings.addresses.address')}</th>
              <th scope="col">{t('settings.addresses.displayName')}</th>
              <th scope="col">{t('settings.addresses.department')}</th>
              <th scope="col">{t('settings.addresses.locale')}</th>
              <th scope="col"><span className="sr-only">{t('settings.remove')}</span></th>
            </tr>
          </thead>
          <tbody>
            {addresses.map((a) => (
              <tr key={a.id}>
                <td className="settings-address">{a.address}</td>
                <td>{a.displayName ?? '—'}</td>
                <td>{departmentName(a.departmentId)}</td>
                <td>{a.locale ? t(`settings.locales.${a.locale}`) : '—'}</td>
                <td><button type="button" className="button button-small button-quiet" onClick={() => remove(a.id, a.address)}>{t('settings.remove')}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="settings-form" onSubmit={add} aria-labelledby="add-address-title">
        <h3 id="add-address-title" className="section-title">{t('settings.addresses.add')}</h3>
        <div className="settings-fields">
          <div className="field">
            <label htmlFor="address-address">{t('settings.addresses.address')}</label>
            <input id="address-address" type="email" required maxLength={254} value={form.address} onChange={(e) => setForm({ ...form, address: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="address-name">{t('settings.addresses.displayName')}</label>
            <input id="address-name" maxLength={120} value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="address-department">{t('settings.addresses.department')}</label>
            <select id="address-department" value={form.departmentId} onChange={(e) => setForm({ ...form, departmentId: e.target.value })}>
              <option value="">—</option>
              {depts.map((d) => <option key={d.id} value={d.id}>{departmentName(d.id)}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor="address-locale">{t('settings.addresses.locale')}</label>
            <select id="address-locale" value={form.locale} onChange={(e) => setForm({ ...form, locale: e.target.value })}>
              <option value="">{t('settings.addresses.localeDefault')}</option>
              <option value="zh-CN">{t('settings.locales.zh-CN')}</option>
              <option value="en">{t('settings.locales.en')}</option>
            </select>
          </div>
        </div>
        <div><button type="submit" className="button button-primary button-small">{t('settings.addresses.addButton')}</button></div>
      </form>
    </div>
  );
}
