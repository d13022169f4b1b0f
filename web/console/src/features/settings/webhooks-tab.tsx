import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { attempt, useResource } from '../../api/use-resource.js';
import { Link } from '../../router/router.js';
import {
  WEBHOOK_EVENTS, createWebhook, deleteWebhook, redeliver, updateWebhook, webhookDeliveries, webhooks, type Webhook,
} from './admin-api.js';
import { EditorActions, FieldError, FormError, InlineError, LoadState, When, fieldAria, submitForm, type FormFailure } from './settings-bits.js';

const EMPTY = { url: '', description: '', events: ['ticket.*'] as string[] };

/** Webhooks: where Kefu posts events, signed; each with its delivery log (`base/<id>`). */
export function WebhooksTab({ base }: { base: string }) {
  const { t } = useTranslation();
  const list = useResource(webhooks, []);
  const [form, setForm] = useState(EMPTY);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [editing, setEditing] = useState<string | null>(null);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    let made: { url: string; secret: string } | null = null;
    setFailure(await submitForm(async () => {
      const hook = await createWebhook({ url: form.url, description: form.description, events: form.events, active: true });
      made = { url: hook.url, secret: hook.secret };
    }, () => { setForm(EMPTY); list.reload(); }, { WEBHOOK_TARGET_FORBIDDEN: 'url' }));
    setSecret(made);
  };
  const remove = async (hook: Webhook) => {
    if (!window.confirm(t('settings.webhooks.confirmDelete', { url: hook.url }))) return;
    setError(await attempt(() => deleteWebhook(hook.id), list.reload));
  };
  const toggle = async (hook: Webhook) => setError(await attempt(() => updateWebhook(hook.id, { active: !hook.active }), list.reload));
  const current = list.data?.find((w) => w.id === editing);

  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.webhooks.intro')}</p>
      {secret && (
        <div className="notice settings-secret" role="status">
          <p><strong>{t('settings.webhooks.secretTitle', { url: secret.url })}</strong> {t('settings.webhooks.secretOnce')}</p>
          <code className="settings-address" aria-label={t('settings.webhooks.secret')}>{secret.secret}</code>
        </div>
      )}
      <LoadState state={list} />
      <InlineError code={error} />
      {list.phase === 'ready' && list.data.length === 0 && <p className="muted">{t('settings.webhooks.empty')}</p>}
      {list.data && list.data.length > 0 && (
        <div className="settings-scroll">
          <table className="settings-table">
            <thead>
              <tr>
                <th scope="col">{t('settings.webhooks.url')}</th>
                <th scope="col">{t('settings.webhooks.events')}</th>
                <th scope="col">{t('settings.webhooks.active')}</th>
                <th scope="col"><span className="sr-only">{t('settings.edit')}</span></th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((hook) => (
                <tr key={hook.id}>
                  <td className="settings-address">
                    <Link to={`${base}/${hook.id}`}>{hook.url}</Link>
                    {hook.description && <div className="muted">{hook.description}</div>}
                  </td>
                  <td>{hook.events.join(', ')}</td>
                  <td>
                    <input type="checkbox" checked={hook.active} onChange={() => toggle(hook)} aria-label={t('settings.webhooks.activeFor', { url: hook.url })} />
                  </td>
                  <td className="settings-actions">
                    <button type="button" className="button button-small button-quiet" aria-label={t('settings.editNamed', { name: hook.url })} onClick={() => setEditing(hook.id)}>{t('settings.edit')}</button>
                    <button type="button" className="button button-small button-quiet" aria-label={t('settings.deleteNamed', { name: hook.url })} onClick={() => remove(hook)}>{t('settings.delete')}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {current ? (
        <WebhookEditor key={current.id} hook={current} onDone={() => { setEditing(null); list.reload(); }} onCancel={() => setEditing(null)} />
      ) : (
        <form className="settings-form" onSubmit={add} aria-labelledby="add-webhook-title" noValidate>
          <h3 id="add-webhook-title" className="section-title">{t('settings.webhooks.add')}</h3>
          <FormError failure={failure} />
          <WebhookFields prefix="webhook" form={form} failure={failure} onChange={(v) => setForm({ ...form, ...v })} />
          <div><button type="submit" className="button button-primary button-small">{t('settings.webhooks.addButton')}</button></div>
        </form>
      )}
    </div>
  );
}

function WebhookFields({ prefix, form, failure, onChange }: {
  prefix: string; form: { url: string; description: string; events: string[] }; failure: FormFailure | null;
  onChange: (v: Partial<{ url: string; description: string; events: string[] }>) => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      <div className="settings-fields">
        <div className="field">
          <label htmlFor={`${prefix}-url`}>{t('settings.webhooks.url')}</label>
          <input id={`${prefix}-url`} type="url" maxLength={2048} value={form.url} placeholder="https://" onChange={(e) => onChange({ url: e.target.value })} {...fieldAria(failure, 'url', `${prefix}-url`)} />
          <FieldError failure={failure} field="url" id={`${prefix}-url`} rule="url" />
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-description`}>{t('settings.webhooks.description')}</label>
          <input id={`${prefix}-description`} maxLength={200} value={form.description} onChange={(e) => onChange({ description: e.target.value })} />
        </div>
      </div>
      <fieldset className="settings-checks">
        <legend>{t('settings.webhooks.events')}</legend>
        {WEBHOOK_EVENTS.map((name) => (
          <label key={name} className="settings-check">
            <input type="checkbox" checked={form.events.includes(name)}
              onChange={(e) => onChange({ events: e.target.checked ? [...form.events, name] : form.events.filter((x) => x !== name) })} />
            <span className="settings-address">{name === '*' ? t('settings.webhooks.everything') : name}</span>
          </label>
        ))}
        <FieldError failure={failure} field="events" id={`${prefix}-events`} rule="events" />
      </fieldset>
    </>
  );
}

function WebhookEditor({ hook, onDone, onCancel }: { hook: Webhook; onDone: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({ url: hook.url, description: hook.description, events: hook.events });
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(await submitForm(() => updateWebhook(hook.id, form), onDone, { WEBHOOK_TARGET_FORBIDDEN: 'url' }));
  };
  return (
    <form className="settings-form" onSubmit={save} aria-labelledby="edit-webhook-title" noValidate>
      <h3 id="edit-webhook-title" className="section-title">{t('settings.webhooks.editTitle')}</h3>
      <FormError failure={failure} />
      <WebhookFields prefix="edit-webhook" form={form} failure={failure} onChange={(v) => setForm({ ...form, ...v })} />
      <EditorActions onCancel={onCancel} />
    </form>
  );
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/** One webhook's delivery log, newest first, with "send again" for a finished delivery. */
export function DeliveriesView({ id, back }: { id: string; back: string }) {
  const { t } = useTranslation();
  const data = useResource(() => Promise.all([webhooks(), webhookDeliveries(id)]), [id]);
  const [error, setError] = useState<string | null>(null);
  const [hooks, deliveries] = data.data ?? [[], []];
  const hook = hooks.find((h) => h.id === id);
  return (
    <div className="settings-panel">
      <p><Link to={back}>{t('settings.webhooks.back')}</Link></p>
      <h3 className="section-title">{t('settings.webhooks.deliveries', { url: hook?.url ?? '' })}</h3>
      <LoadState state={data} />
      <InlineError code={error} />
      {data.phase === 'ready' && deliveries.length === 0 && <p className="muted">{t('settings.webhooks.noDeliveries')}</p>}
      {deliveries.length > 0 && (
        <div className="settings-scroll">
          <table className="settings-table">
            <thead>
              <tr>
                <th scope="col">{t('settings.webhooks.when')}</th>
                <th scope="col">{t('settings.webhooks.event')}</th>
                <th scope="col">{t('settings.webhooks.status')}</th>
                <th scope="col" className="num">{t('settings.webhooks.attempts')}</th>
                <th scope="col">{t('settings.webhooks.response')}</th>
                <th scope="col"><span className="sr-only">{t('settings.webhooks.redeliver')}</span></th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr key={d.id}>
                  <td><When at={d.createdAt} /></td>
                  <td className="settings-address">{d.eventType}{d.redeliveryOf ? ` (${t('settings.webhooks.again')})` : ''}</td>
                  <td>{t(`settings.webhooks.statuses.${(['pending', 'retrying', 'succeeded', 'failed', 'cancelled'] as const).find((s) => s === d.status) ?? 'pending'}`)}</td>
                  <td className="num">{d.attempts}</td>
                  <td className="settings-response">{d.responseStatus ?? d.error ?? '—'}</td>
                  <td>
                    {FINISHED.has(d.status) && (
                      <button type="button" className="button button-small button-quiet"
                        onClick={async () => setError(await attempt(() => redeliver(id, d.id), data.reload))}>{t('settings.webhooks.redeliver')}</button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
