import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useResource } from '../../api/use-resource.js';
import { agents as agentList, type AgentSummary } from '../inbox/tickets-api.js';
import { configureTeam, createDepartment, STRATEGIES, teamName, teams, updateDepartment, type Strategy, type Team } from './admin-api.js';
import { EditorActions, FieldError, FormError, LoadState, SettingsTable, fieldAria, submitForm, type FormFailure } from './settings-bits.js';

const NEW = { key: '', en: '', zh: '', customerSelectable: true };

/**
 * Departments and their teams: names in both languages, whether customers may pick one on the
 * portal's contact form, and each team's members and assignment strategy.
 */
export function TeamsTab() {
  const { t, i18n } = useTranslation();
  const data = useResource(() => Promise.all([teams(), agentList()]), []);
  const [form, setForm] = useState(NEW);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [departments, agents] = data.data ?? [[], []];
  const nameOf = (team: Team) => teamName(team, i18n.language);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(await submitForm(
      () => createDepartment({ key: form.key, name: { en: form.en, 'zh-CN': form.zh }, customerSelectable: form.customerSelectable }),
      () => { setForm(NEW); data.reload(); },
      { DEPARTMENT_KEY_TAKEN: 'key' },
    ));
  };

  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.teams.intro')}</p>
      <LoadState state={data} />
      {departments.length > 0 && (
        <SettingsTable columns={[t('settings.teams.name'), t('settings.teams.key'), t('settings.teams.portal'), t('settings.teams.strategy'), t('settings.teams.members')]}>
          {departments.map((team) => (
            <tr key={team.id}>
              <td>{nameOf(team)}</td>
              <td className="settings-address">{team.key}</td>
              <td>{team.customerSelectable ? t('settings.yes') : t('settings.no')}</td>
              <td>{t(`settings.teams.strategies.${team.strategy}`)}{team.autoAssign ? ` · ${t('settings.teams.auto')}` : ''}</td>
              <td>{team.memberIds.map((id) => agents.find((a) => a.id === id)?.name ?? '—').join(', ') || '—'}</td>
              <td>
                <button type="button" className="button button-small button-quiet" aria-expanded={editing === team.id}
                  aria-label={t('settings.editNamed', { name: nameOf(team) })} onClick={() => setEditing(editing === team.id ? null : team.id)}>
                  {t('settings.edit')}
                </button>
              </td>
            </tr>
          ))}
        </SettingsTable>
      )}
      {editing && departments.some((d) => d.id === editing) && (
        <TeamEditor key={editing} team={departments.find((d) => d.id === editing)!} agents={agents}
          onDone={() => { setEditing(null); data.reload(); }} onCancel={() => setEditing(null)} />
      )}

      <form className="settings-form" onSubmit={add} aria-labelledby="add-team-title" noValidate>
        <h3 id="add-team-title" className="section-title">{t('settings.teams.add')}</h3>
        <FormError failure={failure} />
        <div className="settings-fields">
          <div className="field">
            <label htmlFor="team-key">{t('settings.teams.key')}</label>
            <input id="team-key" maxLength={40} value={form.key} onChange={(e) => setForm({ ...form, key: e.target.value })} {...fieldAria(failure, 'key', 'team-key')} />
            <FieldError failure={failure} field="key" id="team-key" rule={failure?.code === 'DEPARTMENT_KEY_TAKEN' ? 'taken' : 'key'} />
          </div>
          <NameFields prefix="team" values={form} failure={failure} onChange={(v) => setForm({ ...form, ...v })} />
          <label className="settings-check">
            <input type="checkbox" checked={form.customerSelectable} onChange={(e) => setForm({ ...form, customerSelectable: e.target.checked })} />
            <span>{t('settings.teams.portalChoice')}</span>
          </label>
        </div>
        <div><button type="submit" className="button button-primary button-small">{t('settings.teams.addButton')}</button></div>
      </form>
    </div>
  );
}

function NameFields({ prefix, values, failure, onChange }: { prefix: string; values: { en: string; zh: string }; failure: FormFailure | null; onChange: (v: { en?: string; zh?: string }) => void }) {
  const { t } = useTranslation();
  return (
    <>
      <div className="field">
        <label htmlFor={`${prefix}-name-zh`}>{t('settings.teams.nameZh')}</label>
        <input id={`${prefix}-name-zh`} lang="zh-CN" maxLength={80} value={values.zh} onChange={(e) => onChange({ zh: e.target.value })} {...fieldAria(failure, 'name.zh-CN', `${prefix}-name-zh`)} />
        <FieldError failure={failure} field="name.zh-CN" id={`${prefix}-name-zh`} rule="required" />
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-name-en`}>{t('settings.teams.nameEn')}</label>
        <input id={`${prefix}-name-en`} lang="en" maxLength={80} value={values.en} onChange={(e) => onChange({ en: e.target.value })} {...fieldAria(failure, 'name.en', `${prefix}-name-en`)} />
        <FieldError failure={failure} field="name.en" id={`${prefix}-name-en`} rule="required" />
      </div>
    </>
  );
}

function TeamEditor({ team, agents, onDone, onCancel }: { team: Team; agents: AgentSummary[]; onDone: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({
    en: team.name.en, zh: team.name['zh-CN'], customerSelectable: team.customerSelectable,
    strategy: team.strategy, autoAssign: team.autoAssign, memberIds: team.memberIds,
  });
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(await submitForm(async () => {
      await updateDepartment(team.id, { name: { en: form.en, 'zh-CN': form.zh }, customerSelectable: form.customerSelectable });
      await configureTeam(team.id, { strategy: form.strategy, autoAssign: form.strategy !== 'manual' && form.autoAssign, memberIds: form.memberIds });
    }, onDone));
  };
  const toggle = (id: string, on: boolean) => setForm({ ...form, memberIds: on ? [...form.memberIds, id] : form.memberIds.filter((m) => m !== id) });
  return (
    <form className="settings-form settings-editor" onSubmit={save} aria-labelledby="edit-team-title" noValidate>
      <h3 id="edit-team-title" className="section-title">{t('settings.teams.editTitle', { key: team.key })}</h3>
      <FormError failure={failure} />
      <div className="settings-fields">
        <NameFields prefix="edit-team" values={form} failure={failure} onChange={(v) => setForm({ ...form, ...v })} />
        <div className="field">
          <label htmlFor="edit-team-strategy">{t('settings.teams.strategy')}</label>
          <select id="edit-team-strategy" value={form.strategy} onChange={(e) => setForm({ ...form, strategy: e.target.value as Strategy })}>
            {STRATEGIES.map((s) => <option key={s} value={s}>{t(`settings.teams.strategies.${s}`)}</option>)}
          </select>
        </div>
        <label className="settings-check">
          <input type="checkbox" checked={form.strategy !== 'manual' && form.autoAssign} disabled={form.strategy === 'manual'} onChange={(e) => setForm({ ...form, autoAssign: e.target.checked })} />
          <span>{t('settings.teams.autoAssign')}</span>
        </label>
        <label className="settings-check">
          <input type="checkbox" checked={form.customerSelectable} onChange={(e) => setForm({ ...form, customerSelectable: e.target.checked })} />
          <span>{t('settings.teams.portalChoice')}</span>
        </label>
      </div>
      <fieldset className="settings-checks">
        <legend>{t('settings.teams.members')}</legend>
        {agents.filter((a) => !a.disabled || form.memberIds.includes(a.id)).map((a) => (
          <label key={a.id} className="settings-check">
            <input type="checkbox" checked={form.memberIds.includes(a.id)} onChange={(e) => toggle(a.id, e.target.checked)} />
            <span>{a.name}</span>
          </label>
        ))}
      </fieldset>
      <EditorActions onCancel={onCancel} />
    </form>
  );
}
