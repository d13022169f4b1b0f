import { useState, type FormEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useResource } from '../../api/use-resource.js';
import { Link } from '../../router/router.js';
import { addNote, customerRecord, customerTimeline, duplicates, listCompanies, setConsent, updateCustomer, updateRegistration, type CustomerRecord, type TimelineEntry } from './customers-api.js';
import { EmailOrNone, FieldProblem, LoadProblem, ProblemNotice, fieldAria, tryWrite, type FieldRule, type Problem } from './customer-bits.js';
import { MergeDialog } from './merge-dialog.js';
import { DataRights } from './data-rights.js';
import { useSignedIn } from '../../session/session.js';

/** The 360° record: who the customer is, how to reach them, what they own and bought, consents, notes, timeline and duplicates. */
export function CustomerView({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const { agent } = useSignedIn();
  const record = useResource(() => customerRecord(id), [id]);
  const timeline = useResource(() => customerTimeline(id), [id]);
  const lookalikes = useResource(() => duplicates(id), [id]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const reload = () => { record.reload(); timeline.reload(); lookalikes.reload(); };
  const write = async (work: () => Promise<unknown>) => {
    const failed = await tryWrite(work);
    setProblem(failed);
    if (!failed) reload();
  };
  const lang = i18n.language === 'zh-CN' ? 'zh-CN' : 'en';
  const day = (at: string) => new Date(at).toLocaleDateString(i18n.language);

  return (
    <div className="crm-section">
      <p><Link to="/customers">← {t('customers.record.back')}</Link></p>
      <LoadProblem state={record} />
      <ProblemNotice problem={problem} />
      {record.data && (
        <div className="crm-record">
          <div className="crm-main">
            <Profile record={record.data} onSave={(patch) => write(() => updateCustomer(id, patch))} />
            <section aria-labelledby="crm-identities">
              <h3 id="crm-identities">{t('customers.record.identities')}</h3>
              <ul className="crm-list">
                {record.data.identities.map((i) => (
                  <li key={i.id}>
                    <span className="muted">{t(`customers.kinds.${i.kind}`)}</span> {i.kind === 'email' ? <EmailOrNone email={i.value} /> : i.value}
                    {i.primary && <span className="chip chip-new">{t('customers.record.primary')}</span>}
                    {i.verified && <span className="chip chip-quiet">{t('customers.record.verified')}</span>}
                  </li>
                ))}
              </ul>
              <CompanyMembership company={record.data.company} onChange={(companyId) => write(() => updateCustomer(id, { companyId }))} />
            </section>
            <section aria-labelledby="crm-products">
              <h3 id="crm-products">{t('customers.record.products')}</h3>
              {record.data.products.length === 0 ? <p className="muted">{t('customers.record.noProducts')}</p> : (
                <ul className="crm-list">
                  {record.data.products.map((p) => (
                    <li key={p.id}>
                      <strong>{p.names[lang] ?? p.names.en}</strong> ({p.model}) · {t('customers.record.serial', { serial: p.serial })}
                      {p.warrantyUntil && <> · {t('customers.record.warranty', { date: p.warrantyUntil })}</>}
                      <RegistrationEdit customerId={id} registration={p} onSaved={reload} />
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section aria-labelledby="crm-orders">
              <h3 id="crm-orders">{t('customers.record.orders')}</h3>
              {record.data.orders.length === 0 ? <p className="muted">{t('customers.record.noOrders')}</p> : (
                <ul className="crm-list">
                  {record.data.orders.map((o) => <li key={o.id}>{day(o.orderedAt)} · {o.reference ?? '—'} · {o.amount} {o.currency}</li>)}
                </ul>
              )}
            </section>
            <section aria-labelledby="crm-consents">
              <h3 id="crm-consents">{t('customers.record.consents')}</h3>
              <ul className="crm-list">
                {record.data.consents.map((c) => (
                  <li key={c.purpose.id}>
                    <label>
                      <input type="checkbox" checked={c.granted} onChange={(e) => write(() => setConsent(id, c.purpose.id, e.target.checked))} />
                      {' '}{c.purpose.names[lang] ?? c.purpose.names.en}
                    </label>
                    <span className="muted small"> · {c.granted ? t('customers.record.granted') : t('customers.record.notGranted')}{c.since && ` · ${day(c.since)}`}</span>
                  </li>
                ))}
              </ul>
            </section>
            <Notes notes={record.data.notes} onAdd={(body) => write(() => addNote(id, body))} day={day} />
          </div>
          <aside className="crm-side">
            {agent.role === 'admin' && <DataRights customer={record.data.customer} phone={record.data.identities.find((i) => i.kind === 'phone' && i.primary)?.value} onErased={reload} />}
            <Duplicates id={id} state={lookalikes} onMerged={reload} />
            <section aria-labelledby="crm-timeline">
              <h3 id="crm-timeline">{t('customers.record.timeline')}</h3>
              <LoadProblem state={timeline} />
              {timeline.data?.length === 0 && <p className="muted">{t('customers.timeline.empty')}</p>}
              <ol className="crm-timeline">
                {timeline.data?.map((entry, index) => <li key={`${entry.kind}-${index}`}><time dateTime={entry.at}>{day(entry.at)}</time> <TimelineText entry={entry} /></li>)}
              </ol>
            </section>
          </aside>
        </div>
      )}
    </div>
  );
}

/** Corrects a registered product's serial, dates and where it was bought; refused fields show their message. */
function RegistrationEdit({ customerId, registration, onSaved }: { customerId: string; registration: CustomerRecord['products'][number]; onSaved: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  if (!open) return <> <button type="button" className="button button-small button-quiet" onClick={() => setOpen(true)}>{t('customers.record.editProduct')}</button></>;
  const prefix = `registration-${registration.id}`;
  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const day = (name: string) => String(form.get(name)) || null;
    const failed = await tryWrite(() => updateRegistration(customerId, registration.id, {
      serial: String(form.get('serial')), purchasedOn: day('purchasedOn'), warrantyUntil: day('warrantyUntil'), boughtFrom: String(form.get('boughtFrom')),
    }));
    setProblem(failed);
    if (!failed) { setOpen(false); onSaved(); }
  };
  const field = (name: 'serial' | 'purchasedOn' | 'warrantyUntil' | 'boughtFrom', input: ReactElement, rule: FieldRule) => (
    <>
      <label className="field" htmlFor={`${prefix}-${name}`}>{t(`customers.record.registration.${name}`)}</label>
      {input}
      <FieldProblem problem={problem} field={name} id={`${prefix}-${name}`} rule={rule} />
    </>
  );
  return (
    <form className="crm-edit crm-registration-form" onSubmit={save} noValidate>
      <ProblemNotice problem={problem} fieldsShown />
      {field('serial', <input id={`${prefix}-serial`} name="serial" defaultValue={registration.serial} maxLength={80} {...fieldAria(problem, 'serial', `${prefix}-serial`)} />, problem?.code === 'SERIAL_TAKEN' ? 'serialTaken' : 'required')}
      {field('purchasedOn', <input id={`${prefix}-purchasedOn`} name="purchasedOn" type="date" defaultValue={registration.purchasedOn ?? ''} {...fieldAria(problem, 'purchasedOn', `${prefix}-purchasedOn`)} />, 'date')}
      {field('warrantyUntil', <input id={`${prefix}-warrantyUntil`} name="warrantyUntil" type="date" defaultValue={registration.warrantyUntil ?? ''} {...fieldAria(problem, 'warrantyUntil', `${prefix}-warrantyUntil`)} />, problem?.code === 'WARRANTY_BEFORE_PURCHASE' ? 'warrantyBeforePurchase' : 'date')}
      {field('boughtFrom', <input id={`${prefix}-boughtFrom`} name="boughtFrom" defaultValue={registration.boughtFrom} maxLength={200} />, 'tooLong')}
      <div className="crm-actions">
        <button type="submit" className="button button-primary button-small">{t('customers.record.save')}</button>
        <button type="button" className="button button-quiet button-small" onClick={() => setOpen(false)}>{t('customers.record.cancel')}</button>
      </div>
    </form>
  );
}

/** The customer's company (to its page), and a choice to put them in another one or in none. */
function CompanyMembership({ company, onChange }: { company: CustomerRecord['company']; onChange: (companyId: string | null) => Promise<void> }) {
  const { t } = useTranslation();
  const [choosing, setChoosing] = useState(false);
  const companies = useResource(() => (choosing ? listCompanies() : Promise.resolve([])), [choosing]);
  const choose = async (value: string) => {
    await onChange(value || null);
    setChoosing(false);
  };
  return (
    <div className="crm-company-membership">
      <span className="muted">{t('customers.record.company')}</span>{' '}
      {company ? <Link to={`/customers/companies/${company.id}`}>{company.name}</Link> : <span className="muted">{t('customers.record.noCompany')}</span>}{' '}
      {choosing ? (
        <label className="field">{t('customers.record.chooseCompany')}
          <select name="companyId" defaultValue={company?.id ?? ''} disabled={companies.phase !== 'ready'} onChange={(e) => choose(e.target.value)}>
            <option value="">{t('customers.record.noCompany')}</option>
            {companies.data?.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </select>
        </label>
      ) : (
        <button type="button" className="button button-small button-quiet" onClick={() => setChoosing(true)}>{t('customers.record.changeCompany')}</button>
      )}
    </div>
  );
}

function Profile({ record, onSave }: { record: CustomerRecord; onSave: (patch: { name: string; locale: 'en' | 'zh-CN' | null; timeZone: string | null; tags: string[] }) => Promise<void> }) {
  const { t } = useTranslation();
  const { customer } = record;
  const [editing, setEditing] = useState(false);
  const save = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const locale = String(form.get('locale'));
    await onSave({
      name: String(form.get('name')).trim(),
      locale: locale === 'en' || locale === 'zh-CN' ? locale : null,
      timeZone: String(form.get('timeZone')).trim() || null,
      tags: String(form.get('tags')).split(/[,，]/).map((tag) => tag.trim()).filter(Boolean),
    });
    setEditing(false);
  };
  if (editing) {
    return (
      <form className="crm-profile crm-edit" onSubmit={save}>
        <label className="field">{t('customers.record.name')}<input name="name" defaultValue={customer.name} required maxLength={200} /></label>
        <label className="field">{t('customers.record.locale')}
          <select name="locale" defaultValue={customer.locale ?? ''}>
            <option value="">—</option><option value="zh-CN">简体中文</option><option value="en">English</option>
          </select>
        </label>
        <label className="field">{t('customers.record.timeZone')}<input name="timeZone" defaultValue={customer.timeZone ?? ''} maxLength={64} placeholder="Asia/Shanghai" /></label>
        <label className="field">{t('customers.record.tags')}<input name="tags" defaultValue={customer.tags.join(', ')} /></label>
        <div className="crm-actions">
          <button type="submit" className="button button-primary">{t('customers.record.save')}</button>
          <button type="button" className="button button-quiet" onClick={() => setEditing(false)}>{t('customers.record.cancel')}</button>
        </div>
      </form>
    );
  }
  return (
    <div className="crm-profile">
      <h2>{customer.name}</h2>
      <p className="crm-email"><EmailOrNone email={customer.email} /></p>
      <p>
        {customer.tags.map((tag) => <span key={tag} className="chip chip-quiet">{tag}</span>)}
        {Object.entries(customer.attributes).map(([key, value]) => <span key={key} className="chip chip-note">{key}: {value}</span>)}
      </p>
      <button type="button" className="button button-small" onClick={() => setEditing(true)}>{t('customers.record.edit')}</button>
    </div>
  );
}

function Notes({ notes, onAdd, day }: { notes: CustomerRecord['notes']; onAdd: (body: string) => Promise<void>; day: (at: string) => string }) {
  const { t } = useTranslation();
  const [body, setBody] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!body.trim()) return;
    await onAdd(body.trim());
    setBody('');
  };
  return (
    <section aria-labelledby="crm-notes">
      <h3 id="crm-notes">{t('customers.record.notes')}</h3>
      <ul className="crm-list">{notes.map((n) => <li key={n.id}><span className="muted small">{day(n.createdAt)}</span> {n.body}</li>)}</ul>
      <form onSubmit={submit} className="crm-note-form">
        <textarea name="note" value={body} maxLength={10_000} rows={2} placeholder={t('customers.record.notePlaceholder')} aria-label={t('customers.record.addNote')} onChange={(e) => setBody(e.target.value)} />
        <button type="submit" className="button button-small" disabled={!body.trim()}>{t('customers.record.addNote')}</button>
      </form>
    </section>
  );
}

function Duplicates({ id, state, onMerged }: { id: string; state: ReturnType<typeof useResource<Awaited<ReturnType<typeof duplicates>>>>; onMerged: () => void }) {
  const { t } = useTranslation();
  const [merging, setMerging] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const suggestion = state.data?.suggestions.find((s) => s.customer.id === merging);
  return (
    <section aria-labelledby="crm-duplicates" className="crm-duplicates">
      <h3 id="crm-duplicates">{t('customers.duplicates.title')}</h3>
      {done && <p className="notice" role="status">{t('customers.duplicates.merged', { name: done })}</p>}
      {state.data?.suggestions.length === 0 && <p className="muted">{t('customers.duplicates.none')}</p>}
      <ul className="crm-list">
        {state.data?.suggestions.map((s) => (
          <li key={s.customer.id}>
            <Link to={`/customers/${s.customer.id}`}>{s.customer.name}</Link> <span className="muted small"><EmailOrNone email={s.customer.email} /></span>
            <span className="muted small"> · {s.reasons.map((r) => t(`customers.duplicates.reasons.${r}`)).join('、')}</span>
            <button type="button" className="button button-small" onClick={() => setMerging(s.customer.id)}>{t('customers.duplicates.merge')}</button>
          </li>
        ))}
      </ul>
      {state.data && state.data.merges.length > 0 && (
        <p className="muted small">{t('customers.duplicates.history')}: {state.data.merges.map((m) => `${m.mergedName} <${m.mergedEmail}>`).join(', ')}</p>
      )}
      {suggestion && (
        <MergeDialog
          survivorId={id}
          duplicate={suggestion.customer}
          onClose={(merged) => {
            setMerging(null);
            if (merged) {
              setDone(suggestion.customer.name);
              onMerged();
            }
          }}
        />
      )}
    </section>
  );
}

/** One timeline entry in words; tickets link to the inbox. */
export function TimelineText({ entry }: { entry: TimelineEntry }) {
  const { t } = useTranslation();
  switch (entry.kind) {
    case 'created': return <>{t('customers.timeline.created')}</>;
    case 'ticket': return entry.ticket ? <Link to={`/inbox/${entry.ticket.number}`}>{t('customers.timeline.ticket', entry.ticket)}</Link> : null;
    case 'note': return <>{t('customers.timeline.note', { body: entry.note?.body ?? '' })}</>;
    case 'product': return <>{t('customers.timeline.product', entry.registration ?? { model: '', serial: '' })}</>;
    case 'order': return <>{t('customers.timeline.order', { ...entry.order, reference: entry.order?.reference ?? '' })}</>;
    case 'consent': return <>{t(entry.consent?.granted ? 'customers.timeline.consentGranted' : 'customers.timeline.consentWithdrawn', { channel: entry.consent?.channel ?? '' })}</>;
    case 'merge': return <>{t('customers.timeline.merge', { name: entry.merge?.mergedName ?? '', email: entry.merge?.mergedEmail ?? '' })}</>;
  }
}
