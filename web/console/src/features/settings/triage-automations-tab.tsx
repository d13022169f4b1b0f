import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useResource } from '../../api/use-resource.js';
import { urgencyNames } from '../inbox/tickets-api.js';
import { teamName, teams } from './admin-api.js';
import { FieldError, FormError, LoadState, fieldAria, submitForm, type FormFailure } from './settings-bits.js';
import { AUTOMATION_LIMITS } from '@contracts/enums.js';
import { saveTriageAutomations, triageAutomations, type TriageAutomations } from './triage-api.js';

/** Numbers are typed as text and sent as numbers: the API checks the ranges and names the field it refuses. */
type Draft = {
  [S in keyof TriageAutomations]: { [F in keyof TriageAutomations[S]]: TriageAutomations[S][F] extends number ? string : TriageAutomations[S][F] extends number | null ? string : TriageAutomations[S][F] }
};

const draftOf = (a: TriageAutomations): Draft => ({
  remind: { ...a.remind, afterHours: String(a.remind.afterHours) },
  escalate: { ...a.escalate, afterHours: String(a.escalate.afterHours), raiseUrgencyTo: a.escalate.raiseUrgencyTo === null ? '' : String(a.escalate.raiseUrgencyTo) },
  autoClose: { ...a.autoClose, afterDays: String(a.autoClose.afterDays) },
  duplicates: { ...a.duplicates, windowMinutes: String(a.duplicates.windowMinutes) },
  spam: { ...a.spam, threshold: String(a.spam.threshold) },
});

const HOURS: [number, number] = [AUTOMATION_LIMITS.hours.min, AUTOMATION_LIMITS.hours.max];

// An empty or non-numeric box is sent as NaN → null in JSON, which the API refuses with the field's path.
const num = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

const bodyOf = (d: Draft, blocklist: string): TriageAutomations => ({
  remind: { enabled: d.remind.enabled, afterHours: num(d.remind.afterHours) },
  escalate: {
    ...d.escalate, afterHours: num(d.escalate.afterHours), raiseUrgencyTo: d.escalate.raiseUrgencyTo === '' ? null : Number(d.escalate.raiseUrgencyTo),
    departmentId: d.escalate.departmentId || null,
  },
  autoClose: { enabled: d.autoClose.enabled, afterDays: num(d.autoClose.afterDays) },
  duplicates: { enabled: d.duplicates.enabled, windowMinutes: num(d.duplicates.windowMinutes) },
  spam: { enabled: d.spam.enabled, threshold: num(d.spam.threshold), blocklist: blocklist.split(/[\s,，;]+/).map((s) => s.trim()).filter(Boolean) },
});

/**
 * Settings → Triage → Automations: reminders, escalation, auto-closing pending tickets, duplicate
 * merging and spam scoring, saved together. Reopening on the customer's reply is how tickets
 * always work, so it is stated here, not offered as a switch.
 */
export function TriageAutomationsTab() {
  const { t } = useTranslation();
  const settings = useResource(triageAutomations, []);
  // Held here: the form is made anew from the settings the save answered with, and the notice must outlive it.
  const [saved, setSaved] = useState(false);
  return (
    <div className="settings-panel">
      <p className="muted">{t('settings.triage.automations.intro')}</p>
      <LoadState state={settings} />
      {settings.data && (
        <AutomationsForm key={JSON.stringify(settings.data)} initial={settings.data} saved={saved} onEdit={() => setSaved(false)} onDone={(stored) => { setSaved(true); settings.adopt(() => stored); }} />
      )}
    </div>
  );
}

function AutomationsForm({ initial, saved, onEdit, onDone }: { initial: TriageAutomations; saved: boolean; onEdit: () => void; onDone: (stored: TriageAutomations) => void }) {
  const { t, i18n } = useTranslation();
  const [draft, setDraft] = useState(() => draftOf(initial));
  const [blocklist, setBlocklist] = useState(initial.spam.blocklist.join('\n'));
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const names = useResource(async () => {
    const [all, urgencies] = await Promise.all([teams(), urgencyNames()]);
    return { teams: all, urgencies: i18n.language === 'zh-CN' ? urgencies['zh-CN'] : urgencies.en };
  }, [i18n.language]);
  const set = <S extends keyof Draft>(section: S, patch: Partial<Draft[S]>) => { setDraft({ ...draft, [section]: { ...draft[section], ...patch } }); onEdit(); };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    onEdit();
    setFailure(await submitForm(() => saveTriageAutomations(bodyOf(draft, blocklist)), onDone));
  };
  const enabled = (section: keyof Draft, id: string, label: string) => (
    <label><input id={id} type="checkbox" checked={draft[section].enabled} onChange={(e) => set(section, { enabled: e.target.checked })} /> {label}</label>
  );
  const count = (section: keyof Draft, field: string, id: string, range: [number, number], label: string) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="number" inputMode="numeric" min={range[0]} max={range[1]} value={(draft[section] as Record<string, unknown>)[field] as string}
        onChange={(e) => set(section, { [field]: e.target.value } as Partial<Draft[typeof section]>)} {...fieldAria(failure, `${section}.${field}`, id)} />
      <p className="muted field-hint">{t('settings.triage.automations.range', { min: range[0], max: range[1] })}</p>
      <FieldError failure={failure} field={`${section}.${field}`} id={id} rule="number" />
    </div>
  );
  return (
    <form className="settings-form" onSubmit={submit} aria-label={t('settings.triage.tabs.automations')} noValidate>
      <FormError failure={failure} />
      <fieldset>
        <legend>{t('settings.triage.automations.remind.title')}</legend>
        {enabled('remind', 'auto-remind', t('settings.triage.automations.remind.enabled'))}
        {count('remind', 'afterHours', 'auto-remind-hours', HOURS, t('settings.triage.automations.remind.afterHours'))}
      </fieldset>
      <fieldset>
        <legend>{t('settings.triage.automations.escalate.title')}</legend>
        {enabled('escalate', 'auto-escalate', t('settings.triage.automations.escalate.enabled'))}
        {count('escalate', 'afterHours', 'auto-escalate-hours', HOURS, t('settings.triage.automations.escalate.afterHours'))}
        <label><input type="checkbox" checked={draft.escalate.onSlaWarning} onChange={(e) => set('escalate', { onSlaWarning: e.target.checked })} /> {t('settings.triage.automations.escalate.onSlaWarning')}</label>
        <div className="settings-fields">
          <div className="field">
            <label htmlFor="auto-escalate-urgency">{t('settings.triage.automations.escalate.raiseUrgencyTo')}</label>
            <select id="auto-escalate-urgency" value={draft.escalate.raiseUrgencyTo} onChange={(e) => set('escalate', { raiseUrgencyTo: e.target.value })}>
              <option value="">{t('settings.triage.keep')}</option>
              {(names.data?.urgencies ?? []).map((name, level) => <option key={level} value={level}>{name}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor="auto-escalate-team">{t('settings.triage.automations.escalate.departmentId')}</label>
            <select id="auto-escalate-team" value={draft.escalate.departmentId ?? ''} onChange={(e) => set('escalate', { departmentId: e.target.value || null })}
              {...fieldAria(failure, 'escalate.departmentId', 'auto-escalate-team')}>
              <option value="">{t('settings.triage.keep')}</option>
              {names.data?.teams.map((d) => <option key={d.id} value={d.id}>{teamName(d, i18n.language)}</option>)}
            </select>
            <FieldError failure={failure} field="escalate.departmentId" id="auto-escalate-team" rule="invalid" exact />
          </div>
        </div>
        <label><input type="checkbox" checked={draft.escalate.notify} onChange={(e) => set('escalate', { notify: e.target.checked })} /> {t('settings.triage.automations.escalate.notify')}</label>
        {failure?.code === 'TRIAGE_AUTOMATIONS_INVALID' && failure.fields.has('escalate') && (
          <p id="auto-escalate-error" className="field-error" role="alert">{t('settings.triage.automations.escalate.nothingToDo')}</p>
        )}
      </fieldset>
      <fieldset>
        <legend>{t('settings.triage.automations.autoClose.title')}</legend>
        {enabled('autoClose', 'auto-close', t('settings.triage.automations.autoClose.enabled'))}
        {count('autoClose', 'afterDays', 'auto-close-days', [AUTOMATION_LIMITS.days.min, AUTOMATION_LIMITS.days.max], t('settings.triage.automations.autoClose.afterDays'))}
        <p className="muted field-hint">{t('settings.triage.automations.reopen')}</p>
      </fieldset>
      <fieldset>
        <legend>{t('settings.triage.automations.duplicates.title')}</legend>
        {enabled('duplicates', 'auto-duplicates', t('settings.triage.automations.duplicates.enabled'))}
        {count('duplicates', 'windowMinutes', 'auto-duplicates-minutes', [AUTOMATION_LIMITS.duplicateMinutes.min, AUTOMATION_LIMITS.duplicateMinutes.max], t('settings.triage.automations.duplicates.windowMinutes'))}
      </fieldset>
      <fieldset>
        <legend>{t('settings.triage.automations.spam.title')}</legend>
        {enabled('spam', 'auto-spam', t('settings.triage.automations.spam.enabled'))}
        {count('spam', 'threshold', 'auto-spam-threshold', [AUTOMATION_LIMITS.spamThreshold.min, AUTOMATION_LIMITS.spamThreshold.max], t('settings.triage.automations.spam.threshold'))}
        <div className="field">
          <label htmlFor="auto-spam-blocklist">{t('settings.triage.automations.spam.blocklist')}</label>
          <textarea id="auto-spam-blocklist" rows={4} value={blocklist} placeholder="spam.example" onChange={(e) => { setBlocklist(e.target.value); onEdit(); }}
            {...fieldAria(failure, 'spam.blocklist', 'auto-spam-blocklist')} />
          <FieldError failure={failure} field="spam.blocklist" id="auto-spam-blocklist" rule="email" />
        </div>
      </fieldset>
      {saved && <p className="notice" role="status">{t('settings.triage.automations.saved')}</p>}
      <div className="settings-actions">
        <button type="submit" className="button button-primary button-small">{t('settings.save')}</button>
      </div>
    </form>
  );
}
