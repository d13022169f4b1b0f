import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChatMetrics, MissedChat, Presence, Wallboard } from '@contracts/chat.js';
import { useChart } from '../../components/use-chart.js';
import { Link } from '../../router/router.js';
import { percent, useDuration } from './chat-bits.js';
import { fetchMetrics, fetchWallboard, type DeskSnapshot } from './chat-desk.js';

// Only the charts, components and renderer used here: the whole of ECharts would triple the bundle.
echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

const STATES: readonly (Presence | 'acw')[] = ['online', 'acw', 'away', 'on_break', 'offline'];
const STATE_COLOURS: Record<Presence | 'acw', string> = { online: '#16a34a', acw: '#7c3aed', away: '#d97706', on_break: '#0891b2', offline: '#94a3b8' };

/**
 * The live wallboard: waiting now and the longest wait, agents by state, and today's service
 * level, abandon rate and average handle time. Pushed on every queue or agent change; the figures
 * pushes don't carry (handle time) are re-read from the metrics API on each push.
 */
export function WallboardView({ snapshot }: { snapshot: DeskSnapshot }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? i18n.language;
  const duration = useDuration();
  const [fetched, setFetched] = useState<Wallboard | null>(null);
  const [metrics, setMetrics] = useState<ChatMetrics | null>(null);
  const board = snapshot.wallboard ?? fetched;

  useEffect(() => {
    let cancelled = false;
    fetchWallboard().then((b) => !cancelled && setFetched(b), () => undefined);
    return () => {
      cancelled = true;
    };
  }, []);

  // Today by the server's clock (the board's timestamp), so handle time covers the same day as its counts.
  const at = board?.at;
  useEffect(() => {
    if (!at) return;
    let cancelled = false;
    const now = new Date(Date.parse(at) + 1);
    const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    fetchMetrics(midnight, now).then((m) => !cancelled && setMetrics(m), () => undefined);
    return () => {
      cancelled = true;
    };
  }, [at]);

  if (!board) return <p className="muted">{t('app.loading')}</p>;
  const abandonRate = board.offeredToday > 0 ? board.abandonedToday / board.offeredToday : null;
  const figures = [
    { key: 'waiting', value: String(board.waiting) },
    { key: 'longestWait', value: duration(board.longestWaitSeconds) },
    { key: 'serviceLevel', value: percent(board.serviceLevelToday, locale) },
    { key: 'abandonRate', value: percent(abandonRate, locale) },
    { key: 'aht', value: duration(metrics?.averageHandleSeconds ?? null) },
    { key: 'offered', value: String(board.offeredToday) },
    { key: 'answered', value: String(board.answeredToday) },
    { key: 'abandoned', value: String(board.abandonedToday) },
    { key: 'offline', value: String(board.offlineToday) },
    { key: 'rating', value: board.averageRatingToday === null ? t('chat.wallboard.none') : t('chat.wallboard.ratingValue', { average: new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(board.averageRatingToday), count: board.ratedToday }) },
  ] as const;

  return (
    <div className="chat-wallboard">
      <h2 className="sr-only">{t('chat.wallboard.title')}</h2>
      <dl className="chat-figures">
        {figures.map((f) => (
          <div key={f.key} className="panel chat-figure" data-figure={f.key}>
            <dt>{t(`chat.wallboard.${f.key}`)}</dt>
            <dd>{f.value}</dd>
          </div>
        ))}
      </dl>
      <div className="chat-charts">
        <section className="panel chat-chart" aria-labelledby="chat-agents-title">
          <h3 id="chat-agents-title" className="section-title">
            {t('chat.wallboard.agentsByState')}
          </h3>
          <AgentsChart board={board} />
          <ul className="chat-legend">
            {STATES.map((s) => (
              <li key={s} data-state={s}>
                <span className="chat-swatch" style={{ background: STATE_COLOURS[s] }} aria-hidden="true" />
                {s === 'acw' ? t('chat.wallboard.acw') : t(`chat.presence.${s}`)}: <strong>{board.agents[s]}</strong>
              </li>
            ))}
          </ul>
        </section>
        <section className="panel chat-chart" aria-labelledby="chat-waiting-title">
          <h3 id="chat-waiting-title" className="section-title">
            {t('chat.wallboard.waitingOverTime')}
          </h3>
          <WaitingChart points={snapshot.waitingHistory} locale={locale} />
        </section>
      </div>
      <MissedChats missed={board.missedToday} locale={locale} />
    </div>
  );
}

/** Today's chats that never reached an agent, each a ticket someone should look at. */
function MissedChats({ missed, locale }: { missed: readonly MissedChat[]; locale: string }) {
  const { t } = useTranslation();
  const duration = useDuration();
  const clock = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
  return (
    <section className="panel chat-missed" aria-labelledby="chat-missed-title">
      <h3 id="chat-missed-title" className="section-title">
        {t('chat.wallboard.missed.title')}
      </h3>
      {missed.length === 0 ? (
        <p className="muted">{t('chat.wallboard.missed.none')}</p>
      ) : (
        <table className="chat-table" data-testid="missed-chats">
          <thead>
            <tr>
              <th scope="col">{t('chat.wallboard.missed.at')}</th>
              <th scope="col">{t('chat.queue.visitor')}</th>
              <th scope="col">{t('chat.wallboard.missed.reason')}</th>
              <th scope="col">{t('chat.queue.waiting')}</th>
              <th scope="col">{t('chat.wallboard.missed.ticket')}</th>
            </tr>
          </thead>
          <tbody>
            {missed.map((m) => (
              <tr key={m.conversationId} data-reason={m.reason}>
                <td>{clock.format(new Date(m.queuedAt))}</td>
                <td>{m.visitorName}</td>
                <td>{t(`chat.wallboard.missed.${m.reason}`)}</td>
                <td>{duration(m.waitedSeconds)}</td>
                <td>
                  <Link to={`/inbox/${m.ticketNumber}`} className="mini-link">
                    #{m.ticketNumber}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function AgentsChart({ board }: { board: Wallboard }) {
  const { t } = useTranslation();
  const box = useChart({
    animation: false,
    grid: { left: 40, right: 16, top: 16, bottom: 32 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', axisLabel: { interval: 0 }, data: STATES.map((s) => (s === 'acw' ? t('chat.wallboard.acwShort') : t(`chat.presence.${s}`))) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: STATES.map((s) => ({ value: board.agents[s], itemStyle: { color: STATE_COLOURS[s] } })) }],
  });
  return <div ref={box} className="chat-chart-box" role="img" aria-label={t('chat.wallboard.agentsByState')} />;
}

function WaitingChart({ points, locale }: { points: DeskSnapshot['waitingHistory']; locale: string }) {
  const { t } = useTranslation();
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const box = useChart({
    animation: false,
    grid: { left: 40, right: 16, top: 16, bottom: 32 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: points.map((p) => time.format(new Date(p.at))) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'line', step: 'end', data: points.map((p) => p.waiting), areaStyle: { opacity: 0.15 } }],
  });
  return <div ref={box} className="chat-chart-box" role="img" aria-label={t('chat.wallboard.waitingOverTime')} />;
}
