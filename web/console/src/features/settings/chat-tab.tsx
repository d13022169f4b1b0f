import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useResource } from '../../api/use-resource.js';
import { Link } from '../../router/router.js';
import {
  CHAT_STRATEGIES, chatSettings, configureChatQueue, saveChatSettings, teamName, teams, type ChatSettings, type ChatStrategy, type Team,
} from './admin-api.js';
import { EditorActions, FieldError, FormError, LoadState, SettingsTable, fieldAria, submitForm, type FieldRule, type FormFailure } from './settings-bits.js';

/** A number box as typed: an empty one goes as null (JSON has no NaN), so the API names the field instead of taking 0. */
const numberOf = (value: string): number => (value.trim() === '' ? Number.NaN : Number(value));

const SECONDS_FIELDS = [
  ['offerTimeoutSeconds', 'offerTimeout'],
  ['acwSeconds', 'acw'],
  ['serviceLevelSeconds', 'serviceLevel'],
  ['costPerAgentHour', 'cost'],
] as const satisfies readonly (readonly [keyof ChatSettings, FieldRule])[];
type NumberField = (typeof SECONDS_FIELDS)[number][0];

/**
 * The workspace's chat: whether chats wait for business hours (the SLA calendar's), the team new
 * chats go to, how long an offer waits, after-contact work, the service-level threshold and the
 * cost figures. Concurrent chats per agent are the Agents screen's.
 */
export function ChatSettingsTab() {
  const { t } = useTranslation();
  const data = useResource(() => Promise.all([chatSettings(), teams()]), []);
  const [saved, setSaved] = useState(false);
  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.chat.intro')}</p>
      <LoadState state={data} />
      {saved && <p className="notice" role="status">{t('settings.chat.saved')}</p>}
      {data.data && (
        <ChatSettingsForm key={JSON.stringify(data.data[0])} settings={data.data[0]} departments={data.data[1]}
          onSaved={(stored) => { setSaved(true); data.adopt(([, departments]) => [stored, departments]); }} onFailed={() => setSaved(false)} />
      )}
    </div>
  );
}

function ChatSettingsForm({ settings, departments, onSaved, onFailed }: { settings: ChatSettings; departments: Team[]; onSaved: (stored: ChatSettings) => void; onFailed: () => void }) {
  const { t, i18n } = useTranslation();
  const [numbers, setNumbers] = useState(() => Object.fromEntries(SECONDS_FIELDS.map(([field]) => [field, String(settings[field])])) as Record<NumberField, string>);
  const [respectBusinessHours, setRespectBusinessHours] = useState(settings.respectBusinessHours);
  const [defaultDepartmentId, setDefaultDepartmentId] = useState(settings.defaultDepartmentId ?? '');
  const [failure, setFailure] = useState<FormFailure | null>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const failed = await submitForm(() => saveChatSettings({
      ...(Object.fromEntries(SECONDS_FIELDS.map(([field]) => [field, numberOf(numbers[field])])) as Record<NumberField, number>),
      respectBusinessHours, defaultDepartmentId: defaultDepartmentId || null,
    }), onSaved, { DEPARTMENT_UNKNOWN: 'defaultDepartmentId' });
    setFailure(failed);
    if (failed) onFailed();
  };

  return (
    <form className="settings-form" onSubmit={save} aria-label={t('settings.chat.title')} noValidate>
      <FormError failure={failure} />
      <div className="settings-fields">
        <label className="settings-check">
          <input type="checkbox" checked={respectBusinessHours} onChange={(e) => setRespectBusinessHours(e.target.checked)} />
          <span>{t('settings.chat.respectBusinessHours')}</span>
        </label>
        <p className="muted field-hint">
          {t('settings.chat.hoursHint')} <Link to="/settings/sla/calendar">{t('settings.chat.hoursLink')}</Link>
        </p>
        <div className="field">
          <label htmlFor="chat-department">{t('settings.chat.defaultDepartment')}</label>
          <select id="chat-department" value={defaultDepartmentId} onChange={(e) => setDefaultDepartmentId(e.target.value)} {...fieldAria(failure, 'defaultDepartmentId', 'chat-department')}>
            <option value="">{t('settings.chat.automaticDepartment')}</option>
            {departments.map((d) => <option key={d.id} value={d.id}>{teamName(d, i18n.language)}</option>)}
          </select>
          <FieldError failure={failure} field="defaultDepartmentId" id="chat-department" rule="invalid" />
        </div>
        {SECONDS_FIELDS.map(([field, rule]) => (
          <div className="field" key={field}>
            <label htmlFor={`chat-${field}`}>{t(`settings.chat.${field}`)}</label>
            <input id={`chat-${field}`} type="number" inputMode="numeric" value={numbers[field]} onChange={(e) => setNumbers({ ...numbers, [field]: e.target.value })}
              {...fieldAria(failure, field, `chat-${field}`)} />
            <FieldError failure={failure} field={field} id={`chat-${field}`} rule={rule} />
          </div>
        ))}
      </div>
      <p className="muted field-hint">
        {t('settings.chat.capacityHint')} <Link to="/settings/agents">{t('settings.sections.agents')}</Link>
      </p>
      <div><button type="submit" className="button button-primary button-small">{t('settings.save')}</button></div>
    </form>
  );
}

/** Each team's chat queue: how it picks an agent, and which team takes its waiting chats after how long. */
export function ChatQueuesTab() {
  const { t, i18n } = useTranslation();
  const data = useResource(teams, []);
  const [editing, setEditing] = useState<string | null>(null);
  const departments = data.data ?? [];
  const current = departments.find((d) => d.id === editing);
  const overflowOf = (team: Team) => {
    const to = departments.find((d) => d.id === team.overflowDepartmentId);
    return to ? t('settings.chat.overflowTo', { team: teamName(to, i18n.language), seconds: team.overflowAfterSeconds }) : t('settings.chat.noOverflow');
  };
  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.chat.queuesIntro')}</p>
      <LoadState state={data} />
      {departments.length > 0 && (
        <SettingsTable columns={[t('settings.teams.name'), t('settings.chat.strategy'), t('settings.chat.overflow')]}>
          {departments.map((team) => (
            <tr key={team.id}>
              <td>{teamName(team, i18n.language)}</td>
              <td>{t(`settings.chat.strategies.${team.chatStrategy}`)}</td>
              <td>{overflowOf(team)}</td>
              <td>
                <button type="button" className="button button-small button-quiet" aria-expanded={editing === team.id}
                  aria-label={t('settings.editNamed', { name: teamName(team, i18n.language) })} onClick={() => setEditing(editing === team.id ? null : team.id)}>
                  {t('settings.edit')}
                </button>
              </td>
            </tr>
          ))}
        </SettingsTable>
      )}
      {current && (
        <QueueEditor key={current.id} team={current} others={departments.filter((d) => d.id !== current.id)}
          onDone={() => { setEditing(null); data.reload(); }} onCancel={() => setEditing(null)} />
      )}
    </div>
  );
}

function QueueEditor({ team, others, onDone, onCancel }: { team: Team; others: Team[]; onDone: () => void; onCancel: () => void }) {
  const { t, i18n } = useTranslation();
  const [form, setForm] = useState({
    chatStrategy: team.chatStrategy, overflowDepartmentId: team.overflowDepartmentId ?? '', overflowAfterSeconds: team.overflowAfterSeconds?.toString() ?? '',
  });
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const overflow = form.overflowDepartmentId !== '';
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(await submitForm(() => configureChatQueue(team.id, {
      chatStrategy: form.chatStrategy,
      overflowDepartmentId: form.overflowDepartmentId || null,
      // No overflow team: no seconds either, whatever the box still holds.
      overflowAfterSeconds: overflow ? numberOf(form.overflowAfterSeconds) : null,
    }), onDone, { DEPARTMENT_UNKNOWN: 'overflowDepartmentId' }));
  };
  const name = teamName(team, i18n.language);
  return (
    <form className="settings-form settings-editor" onSubmit={save} aria-labelledby="edit-queue-title" noValidate>
      <h3 id="edit-queue-title" className="section-title">{t('settings.chat.editQueue', { team: name })}</h3>
      <FormError failure={failure} />
      <div className="settings-fields">
        <div className="field">
          <label htmlFor="queue-strategy">{t('settings.chat.strategy')}</label>
          <select id="queue-strategy" value={form.chatStrategy} onChange={(e) => setForm({ ...form, chatStrategy: e.target.value as ChatStrategy })}>
            {CHAT_STRATEGIES.map((s) => <option key={s} value={s}>{t(`settings.chat.strategies.${s}`)}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="queue-overflow">{t('settings.chat.overflowTeam')}</label>
          <select id="queue-overflow" value={form.overflowDepartmentId} onChange={(e) => setForm({ ...form, overflowDepartmentId: e.target.value })}
            {...fieldAria(failure, 'overflowDepartmentId', 'queue-overflow')}>
            <option value="">{t('settings.chat.noOverflow')}</option>
            {others.map((d) => <option key={d.id} value={d.id}>{teamName(d, i18n.language)}</option>)}
          </select>
          <FieldError failure={failure} field="overflowDepartmentId" id="queue-overflow" rule="overflowTeam" />
        </div>
        <div className="field">
          <label htmlFor="queue-after">{t('settings.chat.overflowAfterSeconds')}</label>
          <input id="queue-after" type="number" inputMode="numeric" disabled={!overflow} value={form.overflowAfterSeconds}
            onChange={(e) => setForm({ ...form, overflowAfterSeconds: e.target.value })} {...fieldAria(failure, 'overflowAfterSeconds', 'queue-after')} />
          <FieldError failure={failure} field="overflowAfterSeconds" id="queue-after" rule="overflowAfter" />
        </div>
      </div>
      <EditorActions onCancel={onCancel} />
    </form>
  );
}
