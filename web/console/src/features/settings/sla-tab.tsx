import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { attempt, useResource } from '../../api/use-resource.js';
import { urgencyNames } from '../inbox/tickets-api.js';
import {
  WEEKDAYS, createSlaPolicy, deleteSlaPolicy, saveSlaCalendar, slaCalendar, slaPolicies, teams, updateSlaPolicy,
  type Calendar, type DatedDay, type Interval, type PolicyInput, type SlaPolicy, type Team, type Weekday,
} from './admin-api.js';
import { FieldError, FormError, InlineError, LoadState, fieldAria, submitForm, type FormFailure } from './settings-bits.js';

const MINUTE_FIELDS = ['firstResponseMinutes', 'nextResponseMinutes', 'resolutionMinutes', 'warningMinutes'] as const;
type MinuteField = (typeof MINUTE_FIELDS)[number];
type PolicyForm = { name: string; urgency: string; departmentId: string } & Record<MinuteField, string>;

const EMPTY: PolicyForm = { name: '', urgency: '1', departmentId: '', firstResponseMinutes: '', nextResponseMinutes: '', resolutionMinutes: '', warningMinutes: '0' };

const formOf = (p: SlaPolicy): PolicyForm => ({
  name: p.name, urgency: String(p.urgency), departmentId: p.departmentId ?? '',
  firstResponseMinutes: p.firstResponseMinutes?.toString() ?? '', nextResponseMinutes: p.nextResponseMinutes?.toString() ?? '',
  resolutionMinutes: p.resolutionMinutes?.toString() ?? '', warningMinutes: String(p.warningMinutes),
});

// An empty box is "no target"; anything else goes to the API as typed, so a bad number is refused there, by field.
const minutes = (value: string): number | null => (value.trim() === '' ? null : Number(value));
const inputOf = (f: PolicyForm): PolicyInput => ({
  // The urgency select offers the five levels only.
  name: f.name, urgency: Number(f.urgency) as PolicyInput['urgency'], departmentId: f.departmentId || null,
  firstResponseMinutes: minutes(f.firstResponseMinutes), nextResponseMinutes: minutes(f.nextResponseMinutes),
  resolutionMinutes: minutes(f.resolutionMinutes), warningMinutes: minutes(f.warningMinutes) ?? 0,
});

/** SLA policies: response and resolution targets per urgency (and department), in business minutes. */
export function SlaPoliciesTab() {
  const { t, i18n } = useTranslation();
  const data = useResource(() => Promise.all([slaPolicies(), teams(), urgencyNames()]), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [policies, departments, urgencies] = data.data ?? [[], [], undefined];
  const urgencyName = (u: number) => urgencies?.[i18n.language === 'zh-CN' ? 'zh-CN' : 'en'][u] ?? String(u);
  const departmentName = (id: string | null) => {
    const d = departments.find((x) => x.id === id);
    return d ? (i18n.language === 'zh-CN' ? d.name['zh-CN'] : d.name.en) : t('settings.sla.anyDepartment');
  };
  const remove = async (p: SlaPolicy) => {
    if (!window.confirm(t('settings.sla.confirmDelete', { name: p.name }))) return;
    setError(await attempt(() => deleteSlaPolicy(p.id), data.reload));
  };
  const target = (m: number | null) => (m === null ? '—' : t('settings.sla.minutesValue', { count: m }));

  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.sla.intro')}</p>
      <LoadState state={data} />
      <InlineError code={error} />
      {data.phase === 'ready' && policies.length === 0 && <p className="muted">{t('settings.sla.empty')}</p>}
      {policies.length > 0 && (
        <div className="settings-scroll">
          <table className="settings-table">
            <thead>
              <tr>
                <th scope="col">{t('settings.sla.name')}</th>
                <th scope="col">{t('settings.sla.urgency')}</th>
                <th scope="col">{t('settings.sla.department')}</th>
                <th scope="col">{t('settings.sla.firstResponseMinutes')}</th>
                <th scope="col">{t('settings.sla.resolutionMinutes')}</th>
                <th scope="col"><span className="sr-only">{t('settings.edit')}</span></th>
              </tr>
            </thead>
            <tbody>
              {policies.map((p) => (
                <tr key={p.id}>
                  <td>{p.name}</td>
                  <td>{urgencyName(p.urgency)}</td>
                  <td>{departmentName(p.departmentId)}</td>
                  <td className="num">{target(p.firstResponseMinutes)}</td>
                  <td className="num">{target(p.resolutionMinutes)}</td>
                  <td className="settings-actions">
                    <button type="button" className="button button-small button-quiet" aria-label={t('settings.editNamed', { name: p.name })} onClick={() => setEditing(p.id)}>{t('settings.edit')}</button>
                    <button type="button" className="button button-small button-quiet" aria-label={t('settings.deleteNamed', { name: p.name })} onClick={() => remove(p)}>{t('settings.delete')}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && policies.some((p) => p.id === editing) ? (
        <PolicyEditor key={editing} policy={policies.find((p) => p.id === editing)!} departments={departments} urgencyName={urgencyName}
          onDone={() => { setEditing(null); data.reload(); }} onCancel={() => setEditing(null)} />
      ) : (
        <PolicyEditor key="new" departments={departments} urgencyName={urgencyName} onDone={data.reload} />
      )}
    </div>
  );
}

function PolicyEditor({ policy, departments, urgencyName, onDone, onCancel }: {
  policy?: SlaPolicy; departments: Team[]; urgencyName: (u: number) => string; onDone: () => void; onCancel?: () => void;
}) {
  const { t, i18n } = useTranslation();
  const [form, setForm] = useState<PolicyForm>(policy ? formOf(policy) : EMPTY);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const prefix = policy ? 'edit-policy' : 'policy';
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(await submitForm(
      () => (policy ? updateSlaPolicy(policy.id, inputOf(form)) : createSlaPolicy(inputOf(form))),
      () => { if (!policy) setForm(EMPTY); onDone(); },
      { SLA_POLICY_CONFLICT: 'urgency' },
    ));
  };
  const title = policy ? t('settings.sla.editTitle', { name: policy.name }) : t('settings.sla.add');
  return (
    <form className="settings-form" onSubmit={save} aria-labelledby={`${prefix}-title`} noValidate>
      <h3 id={`${prefix}-title`} className="section-title">{title}</h3>
      <FormError failure={failure} />
      <div className="settings-fields">
        <div className="field">
          <label htmlFor={`${prefix}-name`}>{t('settings.sla.name')}</label>
          <input id={`${prefix}-name`} maxLength={80} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} {...fieldAria(failure, 'name', `${prefix}-name`)} />
          <FieldError failure={failure} field="name" id={`${prefix}-name`} rule="required" />
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-urgency`}>{t('settings.sla.urgency')}</label>
          <select id={`${prefix}-urgency`} value={form.urgency} onChange={(e) => setForm({ ...form, urgency: e.target.value })} {...fieldAria(failure, 'urgency', `${prefix}-urgency`)}>
            {[0, 1, 2, 3, 4].map((u) => <option key={u} value={u}>{urgencyName(u)}</option>)}
          </select>
          <FieldError failure={failure} field="urgency" id={`${prefix}-urgency`} rule="conflict" />
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-department`}>{t('settings.sla.department')}</label>
          <select id={`${prefix}-department`} value={form.departmentId} onChange={(e) => setForm({ ...form, departmentId: e.target.value })}>
            <option value="">{t('settings.sla.anyDepartment')}</option>
            {departments.map((d) => <option key={d.id} value={d.id}>{i18n.language === 'zh-CN' ? d.name['zh-CN'] : d.name.en}</option>)}
          </select>
        </div>
        {MINUTE_FIELDS.map((field) => (
          <div className="field" key={field}>
            <label htmlFor={`${prefix}-${field}`}>{t(`settings.sla.${field}`)}</label>
            <input id={`${prefix}-${field}`} type="number" inputMode="numeric" value={form[field]} onChange={(e) => setForm({ ...form, [field]: e.target.value })} {...fieldAria(failure, field, `${prefix}-${field}`)} />
            <FieldError failure={failure} field={field} id={`${prefix}-${field}`} rule={field === 'warningMinutes' ? 'minutesOrZero' : 'minutes'} />
          </div>
        ))}
      </div>
      <p className="muted field-hint">{t('settings.sla.minutesHint')}</p>
      <div className="settings-actions">
        <button type="submit" className="button button-primary button-small">{policy ? t('settings.save') : t('settings.sla.addButton')}</button>
        {onCancel && <button type="button" className="button button-small button-quiet" onClick={onCancel}>{t('settings.cancel')}</button>}
      </div>
    </form>
  );
}

// ---- business calendar -----------------------------------------------------------------------

const hoursText = (intervals: Interval[]) => intervals.map((i) => `${i.start}-${i.end}`).join(', ');
/** "09:00-12:00, 13:00-18:00" → intervals; what does not read as a range goes to the API as typed, which names the day. */
const parseHours = (text: string): Interval[] => text.split(/[,，;]/).map((part) => part.trim()).filter(Boolean).map((part) => {
  const [start = '', end = ''] = part.split(/\s*[-–—~]\s*/);
  return { start, end };
});

/** Business hours per weekday, holidays and make-up working days (调休), in the calendar's time zone. */
export function CalendarTab() {
  const { t } = useTranslation();
  const data = useResource(slaCalendar, []);
  // Kept here: a save hands the form the calendar as stored, which gives it a fresh start.
  const [saved, setSaved] = useState(false);
  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.calendar.intro')}</p>
      <LoadState state={data} />
      {saved && <p className="notice" role="status">{t('settings.calendar.saved')}</p>}
      {data.data && (
        <CalendarForm key={JSON.stringify(data.data)} calendar={data.data}
          onSaved={(stored) => { setSaved(true); data.adopt(() => stored); }} onFailed={() => setSaved(false)} />
      )}
    </div>
  );
}

function CalendarForm({ calendar, onSaved, onFailed }: { calendar: Calendar; onSaved: (stored: Calendar) => void; onFailed: () => void }) {
  const { t } = useTranslation();
  const [timeZone, setTimeZone] = useState(calendar.timeZone);
  const [hours, setHours] = useState<Record<Weekday, string>>(() => Object.fromEntries(WEEKDAYS.map((d) => [d, hoursText(calendar.weeklyHours[d])])) as Record<Weekday, string>);
  const [holidays, setHolidays] = useState<DatedDay[]>(calendar.holidays);
  const [workdays, setWorkdays] = useState<DatedDay[]>(calendar.workdays.map(({ date, name }) => ({ date, ...(name ? { name } : {}) })));
  const [pauseOnHold, setPauseOnHold] = useState(calendar.pauseOnHold);
  const [failure, setFailure] = useState<FormFailure | null>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const hoursOfWorkday = new Map(calendar.workdays.map((w) => [w.date, w.hours]));
    const body: Calendar = {
      timeZone, pauseOnHold, holidays: holidays.map(clean),
      weeklyHours: Object.fromEntries(WEEKDAYS.map((d) => [d, parseHours(hours[d])])) as Record<Weekday, Interval[]>,
      workdays: workdays.map((w) => ({ ...clean(w), ...(hoursOfWorkday.get(w.date) ? { hours: hoursOfWorkday.get(w.date) } : {}) })),
    };
    const failed = await submitForm(() => saveSlaCalendar(body), onSaved);
    setFailure(failed);
    if (failed) onFailed();
  };

  return (
    <form className="settings-form settings-calendar" onSubmit={save} aria-label={t('settings.calendar.title')} noValidate>
      <FormError failure={failure} />
      <div className="settings-fields">
        <div className="field">
          <label htmlFor="calendar-zone">{t('settings.calendar.timeZone')}</label>
          <input id="calendar-zone" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} {...fieldAria(failure, 'timeZone', 'calendar-zone')} />
          <FieldError failure={failure} field="timeZone" id="calendar-zone" rule="timeZone" />
        </div>
        <label className="settings-check">
          <input type="checkbox" checked={pauseOnHold} onChange={(e) => setPauseOnHold(e.target.checked)} />
          <span>{t('settings.calendar.pauseOnHold')}</span>
        </label>
      </div>
      <fieldset className="settings-week">
        <legend>{t('settings.calendar.weeklyHours')}</legend>
        <p className="muted field-hint">{t('settings.calendar.hoursHint')}</p>
        <FieldError failure={failure} field="weeklyHours" id="calendar-week" rule="oneWorkday" exact />
        {WEEKDAYS.map((d) => (
          <div className="field settings-day" key={d}>
            <label htmlFor={`calendar-${d}`}>{t(`settings.calendar.days.${d}`)}</label>
            <input id={`calendar-${d}`} value={hours[d]} placeholder={t('settings.calendar.closed')} onChange={(e) => setHours({ ...hours, [d]: e.target.value })} {...fieldAria(failure, `weeklyHours.${d}`, `calendar-${d}`)} />
            <FieldError failure={failure} field={`weeklyHours.${d}`} id={`calendar-${d}`} rule="time" />
          </div>
        ))}
      </fieldset>
      <DateList kind="holidays" days={holidays} onChange={setHolidays} failure={failure} />
      <DateList kind="workdays" days={workdays} onChange={setWorkdays} failure={failure} />
      <div><button type="submit" className="button button-primary button-small">{t('settings.calendar.save')}</button></div>
    </form>
  );
}

const clean = (d: DatedDay): DatedDay => ({ date: d.date, ...(d.name?.trim() ? { name: d.name.trim() } : {}) });

function DateList({ kind, days, onChange, failure }: { kind: 'holidays' | 'workdays'; days: DatedDay[]; onChange: (days: DatedDay[]) => void; failure: FormFailure | null }) {
  const { t } = useTranslation();
  const set = (i: number, patch: Partial<DatedDay>) => onChange(days.map((d, j) => (j === i ? { ...d, ...patch } : d)));
  return (
    <fieldset className="settings-dates">
      <legend>{t(`settings.calendar.${kind}`)}</legend>
      <p className="muted field-hint">{t(`settings.calendar.${kind}Hint`)}</p>
      {days.length === 0 && <p className="muted">{t('settings.calendar.none')}</p>}
      {days.map((day, i) => (
        <div className="settings-date-row" key={i}>
          <div className="field">
            <label htmlFor={`${kind}-${i}-date`}>{t('settings.calendar.date')}</label>
            <input id={`${kind}-${i}-date`} type="date" value={day.date} onChange={(e) => set(i, { date: e.target.value })} {...fieldAria(failure, `${kind}[${i}]`, `${kind}-${i}-date`)} />
            <FieldError failure={failure} field={`${kind}[${i}]`} id={`${kind}-${i}-date`} rule="date" />
          </div>
          <div className="field">
            <label htmlFor={`${kind}-${i}-name`}>{t('settings.calendar.dayName')}</label>
            <input id={`${kind}-${i}-name`} maxLength={80} value={day.name ?? ''} onChange={(e) => set(i, { name: e.target.value })} />
          </div>
          <button type="button" className="button button-small button-quiet" onClick={() => onChange(days.filter((_, j) => j !== i))}
            aria-label={t('settings.calendar.removeDay', { date: day.date || '—' })}>{t('settings.remove')}</button>
        </div>
      ))}
      <div><button type="button" className="button button-small" onClick={() => onChange([...days, { date: '' }])}>{t(`settings.calendar.add.${kind}`)}</button></div>
    </fieldset>
  );
}
