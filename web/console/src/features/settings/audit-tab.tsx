import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AUDIT_ACTOR_TYPES } from '@contracts/enums.js';
import { ApiError } from '../../api/http.js';
import { useResource } from '../../api/use-resource.js';
import { agents } from '../inbox/tickets-api.js';
import { auditLog, type AuditEntry, type AuditFilter } from './admin-api.js';
import { FieldError, LoadState, When, failureOf, fieldAria, type FormFailure } from './settings-bits.js';

/** The filters as the screen holds them: `actor` is an actor type, or `agent:<id>` for one agent; dates are local days. */
type Filters = { actor: string; action: string; from: string; to: string };
const NO_FILTERS: Filters = { actor: '', action: '', from: '', to: '' };

/** The start of a local day as an ISO time; a day the browser cannot read goes as typed, for the API to name. */
const dayStart = (date: string, addDays = 0) => {
  const day = new Date(`${date}T00:00:00`);
  day.setDate(day.getDate() + addDays);
  return Number.isNaN(day.getTime()) ? date : day.toISOString();
};

/** The API's query: the days are whole, so "to" runs to the end of its day. */
function queryOf(filters: Filters): AuditFilter {
  const agentId = filters.actor.startsWith('agent:') ? filters.actor.slice('agent:'.length) : undefined;
  return {
    actorType: AUDIT_ACTOR_TYPES.find((type) => type === (agentId ? 'agent' : filters.actor)),
    actorId: agentId,
    action: filters.action || undefined,
    from: filters.from ? dayStart(filters.from) : undefined,
    to: filters.to ? dayStart(filters.to, 1) : undefined,
  };
}

/**
 * The admin actions of the workspace, newest first, read-only, narrowed by who acted, the action
 * and a range of days (the API filters, so older matches come with "show more"). A range the API
 * refuses is named under its field.
 */
export function AuditTab() {
  const { t } = useTranslation();
  const people = useResource(agents, []);
  const [filters, setFilters] = useState(NO_FILTERS);
  const [pages, setPages] = useState<number[]>([]);
  const data = useResource(async (): Promise<{ entries: AuditEntry[]; failure: FormFailure | null }> => {
    const query = queryOf(filters);
    try {
      const entries = await auditLog(query);
      for (const before of pages) entries.push(...(await auditLog(query, before)));
      return { entries, failure: null };
    } catch (error) {
      if (error instanceof ApiError && error.code === 'VALIDATION_FAILED') return { entries: [], failure: failureOf(error) };
      throw error;
    }
  }, [filters, pages]);
  // The actions seen so far, whatever the filter: narrowing to one keeps the others to pick.
  const [actions, setActions] = useState<string[]>([]);
  useEffect(() => {
    if (data.data) setActions((known) => [...new Set([...known, ...data.data!.entries.map((e) => e.action)])].sort());
  }, [data.data]);

  const entries = data.data?.entries ?? [];
  const failure = data.data?.failure ?? null;
  const names = new Map((people.data ?? []).map((a) => [a.id, a.name]));
  const who = (e: AuditEntry) => (e.actorType === 'agent' && e.actorId
    ? names.get(e.actorId) ?? e.actorId
    : t(`settings.audit.actorTypes.${AUDIT_ACTOR_TYPES.find((type) => type === e.actorType) ?? 'system'}`));
  const change = (patch: Partial<Filters>) => {
    setFilters({ ...filters, ...patch });
    setPages([]);
  };
  const oldest = entries.at(-1)?.id;

  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.audit.intro')}</p>
      <div className="settings-fields" role="search" aria-label={t('settings.audit.filters')}>
        <div className="field">
          <label htmlFor="audit-actor">{t('settings.audit.actor')}</label>
          <select id="audit-actor" value={filters.actor} onChange={(e) => change({ actor: e.target.value })}>
            <option value="">{t('settings.audit.anyone')}</option>
            {(people.data ?? []).map((a) => <option key={a.id} value={`agent:${a.id}`}>{a.name}</option>)}
            <option value="system">{t('settings.audit.actorTypes.system')}</option>
            <option value="api">{t('settings.audit.actorTypes.api')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-action">{t('settings.audit.action')}</label>
          <select id="audit-action" value={filters.action} onChange={(e) => change({ action: e.target.value })}>
            <option value="">{t('settings.audit.anything')}</option>
            {actions.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-from">{t('settings.audit.from')}</label>
          <input id="audit-from" type="date" value={filters.from} onChange={(e) => change({ from: e.target.value })} {...fieldAria(failure, 'from', 'audit-from')} />
          <FieldError failure={failure} field="from" id="audit-from" rule="invalid" />
        </div>
        <div className="field">
          <label htmlFor="audit-to">{t('settings.audit.to')}</label>
          <input id="audit-to" type="date" value={filters.to} onChange={(e) => change({ to: e.target.value })} {...fieldAria(failure, 'to', 'audit-to')} />
          <FieldError failure={failure} field="to" id="audit-to" rule="dateRange" />
        </div>
      </div>
      {Object.values(filters).some(Boolean) && (
        <div><button type="button" className="button button-small button-quiet" onClick={() => change(NO_FILTERS)}>{t('settings.audit.clear')}</button></div>
      )}
      <LoadState state={data} />
      {data.phase === 'ready' && !failure && entries.length === 0 && <p className="muted">{t('settings.audit.empty')}</p>}
      {entries.length > 0 && (
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
              {entries.map((e) => (
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
