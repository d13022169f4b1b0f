import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useResource } from '../../api/use-resource.js';
import { routingAgents, setAgentCapacity, teams, updateAgent, type AgentRow } from './admin-api.js';
import { FieldError, FormError, LoadState, fieldAria, submitForm, type FormFailure } from './settings-bits.js';

const ROLES = ['admin', 'agent', 'editor'] as const;

/** The workspace's agents: role, capacity, teams, and switching an account off. (Invitations are another screen's.) */
export function AgentsTab() {
  const { t, i18n } = useTranslation();
  const data = useResource(() => Promise.all([routingAgents(), teams()]), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [agents, departments] = data.data ?? [[], []];
  const teamNames = (a: AgentRow) => a.departmentIds
    .map((id) => departments.find((d) => d.id === id))
    .map((d) => (d ? (i18n.language === 'zh-CN' ? d.name['zh-CN'] : d.name.en) : '')).filter(Boolean).join(', ') || '—';
  const current = agents.find((a) => a.agentId === editing);
  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.agents.intro')}</p>
      <LoadState state={data} />
      {agents.length > 0 && (
        <div className="settings-scroll">
          <table className="settings-table">
            <thead>
              <tr>
                <th scope="col">{t('settings.agents.name')}</th>
                <th scope="col">{t('settings.agents.role')}</th>
                <th scope="col" className="num">{t('settings.agents.ticketCapacity')}</th>
                <th scope="col" className="num">{t('settings.agents.chatCapacity')}</th>
                <th scope="col">{t('settings.agents.teams')}</th>
                <th scope="col"><span className="sr-only">{t('settings.edit')}</span></th>
              </tr>
            </thead>
            <tbody>
              {agents.map((a) => (
                <tr key={a.agentId} className={a.disabled ? 'muted' : undefined}>
                  <td>{a.name}<div className="settings-address muted">{a.email}</div>{a.disabled && <span className="badge">{t('settings.agents.disabled')}</span>}</td>
                  <td>{t(`settings.agents.roles.${ROLES.find((r) => r === a.role) ?? 'agent'}`)}</td>
                  <td className="num">{a.capacity.ticket}</td>
                  <td className="num">{a.capacity.chat}</td>
                  <td>{teamNames(a)}</td>
                  <td><button type="button" className="button button-small button-quiet" aria-label={t('settings.editNamed', { name: a.name })} onClick={() => setEditing(a.agentId)}>{t('settings.edit')}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {current && <AgentEditor key={current.agentId} agent={current} onDone={() => { setEditing(null); data.reload(); }} onCancel={() => setEditing(null)} />}
    </div>
  );
}

function AgentEditor({ agent, onDone, onCancel }: { agent: AgentRow; onDone: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({ role: agent.role, disabled: agent.disabled, ticket: String(agent.capacity.ticket), chat: String(agent.capacity.chat) });
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(await submitForm(async () => {
      await setAgentCapacity(agent.agentId, { ticketCapacity: Number(form.ticket), chatCapacity: Number(form.chat) });
      if (form.role !== agent.role || form.disabled !== agent.disabled) await updateAgent(agent.agentId, { role: form.role, disabled: form.disabled });
    }, onDone, { LAST_ADMIN: 'role' }));
  };
  return (
    <form className="settings-form" onSubmit={save} aria-labelledby="edit-agent-title" noValidate>
      <h3 id="edit-agent-title" className="section-title">{t('settings.agents.editTitle', { name: agent.name })}</h3>
      <FormError failure={failure} />
      <div className="settings-fields">
        <div className="field">
          <label htmlFor="agent-role">{t('settings.agents.role')}</label>
          <select id="agent-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })} {...fieldAria(failure, 'role', 'agent-role')}>
            {ROLES.map((r) => <option key={r} value={r}>{t(`settings.agents.roles.${r}`)}</option>)}
          </select>
          <FieldError failure={failure} field="role" id="agent-role" rule="lastAdmin" />
        </div>
        <div className="field">
          <label htmlFor="agent-ticket">{t('settings.agents.ticketCapacity')}</label>
          <input id="agent-ticket" type="number" inputMode="numeric" value={form.ticket} onChange={(e) => setForm({ ...form, ticket: e.target.value })} {...fieldAria(failure, 'ticketCapacity', 'agent-ticket')} />
          <FieldError failure={failure} field="ticketCapacity" id="agent-ticket" rule="ticketCapacity" />
        </div>
        <div className="field">
          <label htmlFor="agent-chat">{t('settings.agents.chatCapacity')}</label>
          <input id="agent-chat" type="number" inputMode="numeric" value={form.chat} onChange={(e) => setForm({ ...form, chat: e.target.value })} {...fieldAria(failure, 'chatCapacity', 'agent-chat')} />
          <FieldError failure={failure} field="chatCapacity" id="agent-chat" rule="chatCapacity" />
        </div>
        <label className="settings-check">
          <input type="checkbox" checked={form.disabled} onChange={(e) => setForm({ ...form, disabled: e.target.checked })} />
          <span>{t('settings.agents.disable')}</span>
        </label>
      </div>
      <div className="settings-actions">
        <button type="submit" className="button button-primary button-small">{t('settings.save')}</button>
        <button type="button" className="button button-small button-quiet" onClick={onCancel}>{t('settings.cancel')}</button>
      </div>
    </form>
  );
}
