import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useResource } from '../../api/use-resource.js';
import { Link } from '../../router/router.js';
import { importStatus, recentImports, startImport, type ImportStatus } from './customers-api.js';
import { ProblemNotice, tryWrite, type Problem } from './customer-bits.js';

const POLL_MS = 1_000;

/** CSV import: choose a file, watch the rows go in, read why any row was refused. */
export function CustomerImport() {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [current, setCurrent] = useState<ImportStatus | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const recent = useResource(recentImports, [current?.status === 'done']);

  // Polls the import until the worker has written every row.
  useEffect(() => {
    if (!current || current.status === 'done') return;
    const timer = setTimeout(() => { void importStatus(current.id).then(setCurrent, () => undefined); }, POLL_MS);
    return () => clearTimeout(timer);
  }, [current]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setProblem(await tryWrite(async () => setCurrent(await startImport(file))));
  };

  return (
    <div className="crm-section crm-import">
      <p><Link to="/customers">← {t('customers.import.back')}</Link></p>
      <h2>{t('customers.import.title')}</h2>
      <p className="muted">{t('customers.import.intro')}</p>
      <form onSubmit={submit} className="crm-import-form">
        <label className="field">{t('customers.import.file')}
          <input type="file" name="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </label>
        <button type="submit" className="button button-primary" disabled={!file || (current !== null && current.status !== 'done')}>{t('customers.import.start')}</button>
      </form>
      {problem && isFileProblem(problem) ? <FileProblem problem={problem} /> : <ProblemNotice problem={problem} />}
      {current && <ImportProgress status={current} />}
      {recent.data && recent.data.length > 0 && (
        <>
          <h3>{t('customers.import.recent')}</h3>
          <ul className="crm-list">
            {recent.data.map((i) => (
              <li key={i.id}>
                <button type="button" className="link-button" onClick={() => setCurrent(i)}>{i.fileName}</button>
                {' · '}{t(`customers.import.status.${i.status}`)}{' · '}
                {t('customers.import.done', { created: i.created, updated: i.updated, refused: i.refused.length })}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function ImportProgress({ status }: { status: ImportStatus }) {
  const { t } = useTranslation();
  return (
    <section className="crm-progress" aria-live="polite">
      <h3>{status.fileName} · {t(`customers.import.status.${status.status}`)}</h3>
      <progress max={Math.max(status.total, 1)} value={status.status === 'done' ? Math.max(status.total, 1) : status.processed} />
      <p>{t('customers.import.progress', { processed: status.processed, total: status.total })}</p>
      {status.status === 'done' && <p className="notice">{t('customers.import.done', { created: status.created, updated: status.updated, refused: status.refused.length })}</p>}
      {status.refused.length > 0 && (
        <>
          <h4>{t('customers.import.refusedTitle')}</h4>
          <table className="crm-table crm-refused">
            <thead><tr><th scope="col">{t('customers.import.line')}</th><th scope="col">{t('customers.columns.email')}</th><th scope="col">{t('customers.import.reason')}</th></tr></thead>
            <tbody>
              {status.refused.map((r) => (
                <tr key={r.line}>
                  <td>{r.line}</td><td>{r.email ?? '—'}</td>
                  {/* Imports from before refusals had codes keep their English reason. */}
                  <td>{r.code ? t(`customers.import.refusals.${r.code}`, r.params ?? {}) : r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

type FileProblemDetails = { unknown?: string[]; missing?: string[]; duplicate?: string[]; rows?: number; max?: number };
const FILE_PROBLEMS = ['CSV_COLUMNS_INVALID', 'CSV_TOO_MANY_ROWS', 'CSV_UNREADABLE'];
const isFileProblem = (problem: Problem) => FILE_PROBLEMS.includes(problem.code);

/** Why the whole file was refused, in the console's language, from the refusal's details (the columns, the row count). */
function FileProblem({ problem }: { problem: Problem }) {
  const { t } = useTranslation();
  const d = (problem.details ?? {}) as FileProblemDetails;
  const f = 'customers.import.fileProblems';
  const lines = problem.code === 'CSV_TOO_MANY_ROWS'
    ? [t(`${f}.tooManyRows`, { rows: d.rows ?? 0, max: d.max ?? 0 })]
    : problem.code === 'CSV_UNREADABLE'
      ? [t(`${f}.unreadable`)]
      : [
        ...(d.duplicate?.length ? [t(`${f}.duplicateColumns`, { columns: d.duplicate.join(', ') })] : []),
        ...(d.unknown?.length ? [t(`${f}.unknownColumns`, { columns: d.unknown.join(', ') })] : []),
        ...(d.missing?.length ? [t(`${f}.missingContact`)] : []),
        t(`${f}.allowedColumns`),
      ];
  return <div className="notice notice-error" role="alert">{lines.map((line) => <p key={line}>{line}</p>)}</div>;
}
