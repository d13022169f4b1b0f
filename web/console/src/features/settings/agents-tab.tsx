import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { AGENT_ROLES } from '@contracts/enums.js';
import { useResource } from '../../api/use-resource.js';
import { routingAgents, setAgentCapacity, teamName, teams, updateAgent, type AgentRow } from './admin-api.js';
import { InvitationsPanel } from './invitations-panel.js';
import { EditorActions, FieldError, FormError, LoadState, SettingsTable, fieldAria, submitForm, type FormFailure } from './settings-bits.js';

/** The routing list names roles as plain strings; anything unknown reads as a plain agent. */
const roleOf = (value: string) => AGENT_ROLES.find((r) => r === value) ?? 'agent';

/** The workspace's agents: role, capacity, teams, and switching an account off; below them, the invitations. */
export function AgentsTab() {
  const { t, i18n } = useTranslation();
  const data = useResource(() => Promise.all([routingAgents(), teams()]), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [agents, departments] = data.data ?? [[], []];
  const teamNames = (a: AgentRow) => a.departmentIds
    .map((id) => departments.find((d) => d.id === id))
    .map((d) => (d ? teamName(d, i18n.language) : '')).filter(Boolean).join(', ') || '—';
  const current = agents.find((a) => a.agentId === editing);
  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.agents.intro')}</p>
      <LoadState state={data} />
      {agents.length > 0 && (
        <SettingsTable columns={[
          t('settings.agents.name'), t('settings.agents.role'), { label: t('settings.agents.ticketCapacity'), className: 'num' },
          { label: t('settings.agents.chatCapacity'), className: 'num' }, t('settings.agents.teams'),
        ]}>
          {agents.map((a) => (
            <tr key={a.agentId} className={a.disabled ? 'muted' : undefined}>
              <td>{a.name}<div className="settings-address muted">{a.email}</div>{a.disabled && <span className="badge">{t('settings.agents.disabled')}</span>}</td>
              <td>{t(`settings.agents.roles.${roleOf(a.role)}`)}</td>
              <td className="num">{a.capacity.ticket}</td>
              <td className="num">{a.capacity.chat}</td>
              <td>{teamNames(a)}</td>
              <td><button type="button" className="button button-small button-quiet" aria-label={t('settings.editNamed', { name: a.name })} onClick={() => setEditing(a.agentId)}>{t('settings.edit')}</button></td>
            </tr>
          ))}
        </SettingsTable>
      )}
      {current && <AgentEditor key={current.agentId} agent={current} onDone={() => { setEditing(null); data.reload(); }} onCancel={() => setEditing(null)} />}
      <InvitationsPanel />
    </div>
  );
}

function AgentEditor({ agent, onDone, onCancel }: { agent: AgentRow; onDone: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({ role: roleOf(agent.role), disabled: agent.disabled, ticket: String(agent.capacity.ticket), chat: String(agent.capacity.chat) });
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
          <select id="agent-role" value={form.role} onChange={(e) => setForm({ ...form, role: roleOf(e.target.value) })} {...fieldAria(failure, 'role', 'agent-role')}>
            {AGENT_ROLES.map((r) => <option key={r} value={r}>{t(`settings.agents.roles.${r}`)}</option>)}
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
      <EditorActions onCancel={onCancel} />
    </form>
  );
}
