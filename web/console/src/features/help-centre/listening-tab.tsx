import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from '../../router/router.js';
import { useSignedIn } from '../../session/session.js';
import { HorizontalBarChart } from './bar-chart.js';
import { FeedbackComments } from './feedback-comments.js';
import { SEARCH_REPORTS, lowHelpfulness, searchReport, staleArticles, type ReportArticle, type SearchReport } from './help-centre-api.js';
import { LoadProblem } from './load-problem.js';
import { useResource } from '../../api/use-resource.js';

const PERIODS = [7, 30, 90] as const;

/** What customers look for and do not find: the content gaps and tired articles, each one click from the editor. */
export function ListeningTab() {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const [days, setDays] = useState<(typeof PERIODS)[number]>(30);
  return (
    <div className="hc-section">
      <div className="hc-toolbar">
        <label className="field hc-inline">{t('helpCentre.listening.period')}
          <select value={days} onChange={(e) => setDays(Number(e.target.value) as (typeof PERIODS)[number])}>
            {PERIODS.map((d) => <option key={d} value={d}>{t('helpCentre.listening.days', { count: d })}</option>)}
          </select>
        </label>
      </div>
      <div className="hc-columns">
        {SEARCH_REPORTS.map((report) => <SearchReportPanel key={report} report={report} days={days} />)}
        <ArticleReportPanel kind="lowHelpfulness" days={days} />
        <ArticleReportPanel kind="stale" days={days} />
        {/* Customers' own words: the API gives them to editors and admins only. */}
        {(agent.role === 'editor' || agent.role === 'admin') && <FeedbackComments />}
      </div>
    </div>
  );
}

function CreateLink({ query }: { query: string }) {
  const { t } = useTranslation();
  return <Link className="button button-small" to={`/help-centre/articles/new?title=${encodeURIComponent(query)}`}>{t('helpCentre.listening.createArticle')}</Link>;
}

function SearchReportPanel({ report, days }: { report: SearchReport; days: number }) {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const canEdit = agent.role === 'editor' || agent.role === 'admin';
  const rows = useResource(() => searchReport(report, days), [report, days]);
  const title = t(`helpCentre.listening.reports.${report}`);
  const top = rows.data?.slice(0, 10) ?? [];
  return (
    <section className="panel hc-report" aria-labelledby={`report-${report}`}>
      <h3 id={`report-${report}`} className="section-title">{title}</h3>
      <LoadProblem state={rows} />
      {rows.data?.length === 0 && <p className="muted">{t('helpCentre.listening.empty')}</p>}
      {top.length > 0 && (
        <>
          <HorizontalBarChart
            label={title}
            categories={top.map((r) => r.query)}
            series={[
              { name: t('helpCentre.listening.searches'), values: top.map((r) => r.searches), color: '#2f5bea' },
              ...(report === 'top' ? [{ name: t('helpCentre.listening.withClicks'), values: top.map((r) => r.searchesWithClicks), color: '#067647' }] : []),
            ]}
          />
          <table className="hc-table">
            <thead><tr><th>{t('helpCentre.listening.query')}</th><th className="num">{t('helpCentre.listening.searches')}</th><th className="num">{t('helpCentre.listening.results')}</th>{canEdit && <th />}</tr></thead>
            <tbody>
              {rows.data!.map((r) => (
                <tr key={r.query}>
                  <td>{r.query}</td>
                  <td className="num">{r.searches}</td>
                  <td className="num">{Math.round(r.averageResults * 10) / 10}</td>
                  {canEdit && <td>{report !== 'top' && <CreateLink query={r.query} />}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function ArticleReportPanel({ kind, days }: { kind: 'lowHelpfulness' | 'stale'; days: number }) {
  const { t } = useTranslation();
  const { agent } = useSignedIn();
  const canEdit = agent.role === 'editor' || agent.role === 'admin';
  const rows = useResource<ReportArticle[]>(() => (kind === 'stale' ? staleArticles(days) : lowHelpfulness()), [kind, days]);
  const title = t(`helpCentre.listening.reports.${kind}`);
  const top = rows.data?.slice(0, 10) ?? [];
  return (
    <section className="panel hc-report" aria-labelledby={`report-${kind}`}>
      <h3 id={`report-${kind}`} className="section-title">{title}</h3>
      <LoadProblem state={rows} />
      {rows.data?.length === 0 && <p className="muted">{t('helpCentre.listening.empty')}</p>}
      {kind === 'lowHelpfulness' && top.length > 0 && (
        <HorizontalBarChart
          label={title}
          categories={top.map((a) => a.title)}
          series={[
            { name: t('helpCentre.listening.helpful'), values: top.map((a) => a.helpful), color: '#067647' },
            { name: t('helpCentre.listening.unhelpful'), values: top.map((a) => a.unhelpful), color: '#c01b1b' },
          ]}
        />
      )}
      {top.length > 0 && (
        <ul className="hc-report-list">
          {rows.data!.map((a) => (
            <li key={a.id}>
              <span>{a.title} <span className="muted small">({a.locale}{a.reason ? ` · ${t(`helpCentre.listening.reasons.${a.reason}`)}` : ` · ${a.helpful}/${a.unhelpful}`})</span></span>
              {canEdit && <Link className="button button-small" to={`/help-centre/articles/${a.id}`}>{t('helpCentre.listening.reviseArticle')}</Link>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
