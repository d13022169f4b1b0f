import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isRecord, request } from '../../api/http.js';
import { useResource } from '../../api/use-resource.js';
import { auditLog, type AuditEntry } from './admin-api.js';
import { LoadState, When } from './settings-bits.js';

async function agentNames(): Promise<Map<string, string>> {
  const body = await request('GET', '/api/v1/agents');
  const agents = isRecord(body) && Array.isArray(body.agents) ? body.agents.filter(isRecord) : [];
  return new Map(agents.map((a) => [String(a.id), String(a.name)]));
}

/**
 * The admin actions of the workspace, newest first, read-only. The API pages by id; the filters
 * (who, what) apply to the entries loaded so far, and "show more" loads older ones.
 */
export function AuditTab() {
  const { t } = useTranslation();
  const [pages, setPages] = useState<number[]>([]);
  const data = useResource(async () => {
    const [names, first] = await Promise.all([agentNames(), auditLog()]);
    const entries = [...first];
    for (const before of pages) entries.push(...(await auditLog(before)));
    return { names, entries };
  }, [pages]);
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const entries = data.data?.entries ?? [];
  const names = data.data?.names ?? new Map<string, string>();
  const who = (e: AuditEntry) => (e.actorType === 'agent' && e.actorId ? names.get(e.actorId) ?? e.actorId : t(`settings.audit.actorTypes.${e.actorType === 'agent' ? 'agent' : e.actorType === 'customer' ? 'customer' : 'system'}`));
  const actions = [...new Set(entries.map((e) => e.action))].sort();
  const actors = [...new Set(entries.map(who))].sort();
  const shown = entries.filter((e) => (!action || e.action === action) && (!actor || who(e) === actor));
  const oldest = entries.at(-1)?.id;

  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.audit.intro')}</p>
      <div className="settings-fields">
        <div className="field">
          <label htmlFor="audit-actor">{t('settings.audit.actor')}</label>
          <select id="audit-actor" value={actor} onChange={(e) => setActor(e.target.value)}>
            <option value="">{t('settings.audit.anyone')}</option>
            {actors.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-action">{t('settings.audit.action')}</label>
          <select id="audit-action" value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">{t('settings.audit.anything')}</option>
            {actions.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </div>
      </div>
      <LoadState state={data} />
      {data.phase === 'ready' && shown.length === 0 && <p className="muted">{t('settings.audit.empty')}</p>}
      {shown.length > 0 && (
        <div className="settings-scroll">
          <table className="settings-table">
            <thead>
              <tr>
                <th scope="col">{t('settings.audit.when')}</th>
                <th scope="col">{t('settings.audit.actor')}</th>
                <th scope="col">{t('settings.audit.action')}</th>
                <th scope="col">{t('settings.audit.target')}</th>
                <th scope="col">{t('settings.audit.details')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((e) => (
                <tr key={e.id}>
                  <td><When at={e.createdAt} /></td>
                  <td>{who(e)}</td>
                  <td className="settings-address">{e.action}</td>
                  <td className="settings-address">{e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : '—'}</td>
                  <td className="settings-response">{Object.keys(e.details).length ? JSON.stringify(e.details) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data.phase === 'ready' && oldest !== undefined && entries.length >= 100 * (pages.length + 1) && (
        <div><button type="button" className="button button-small" onClick={() => setPages([...pages, oldest])}>{t('settings.loadMore')}</button></div>
      )}
    </div>
  );
}
