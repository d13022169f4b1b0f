/**
 * A horizontal bar chart for numbers people compare (searches per query, visits per step).
 * Only the pieces used are imported from ECharts (core + bar + grid/tooltip/legend + canvas), so
 * the help centre's chunk stays small and the rest of the console never loads it.
 */
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useChart } from '../../components/use-chart.js';

use([BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export interface BarSeries {
  name: string;
  values: number[];
  color?: string;
}

export interface BarChartProps {
  /** Read by screen readers; the numbers are also in the table beside every chart. */
  label: string;
  categories: string[];
  series: BarSeries[];
}

export function HorizontalBarChart({ label, categories, series }: BarChartProps) {
  const element = useChart({
    animation: false,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: series.length > 1 ? { top: 0 } : undefined,
    grid: { left: 8, right: 24, top: series.length > 1 ? 28 : 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    // Longest first at the top: ECharts draws category axes bottom-up.
    yAxis: { type: 'category', data: [...categories].reverse(), axisLabel: { width: 180, overflow: 'truncate' } },
    series: series.map((s) => ({ type: 'bar', name: s.name, data: [...s.values].reverse(), itemStyle: s.color ? { color: s.color } : undefined })),
  });

  const height = Math.max(120, categories.length * (series.length > 1 ? 34 : 26) + 48);
  return <div ref={element} className="hc-chart" role="img" aria-label={label} style={{ height }} />;
}
