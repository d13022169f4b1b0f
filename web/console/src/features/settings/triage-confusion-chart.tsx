/**
 * The classifier's confusion matrix on its held-back tickets as a heat map: rows the label people
 * settled, columns what the model said; the diagonal is what it got right. ECharts as in the help
 * centre's and the wallboard's charts, only the pieces used (heatmap + grid/tooltip/visual map +
 * canvas), loaded with this file alone (the classifier tab imports it lazily).
 */
import { HeatmapChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useChart } from '../../components/use-chart.js';

use([HeatmapChart, GridComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export interface ConfusionChartProps {
  /** Read by screen readers; the numbers are also in the table beside the chart. */
  label: string;
  /** The labels' names, in the matrix's order. */
  names: string[];
  /** `counts[actual][predicted]`. */
  counts: number[][];
  axisNames: { actual: string; predicted: string };
}

export default function ConfusionChart({ label, names, counts, axisNames }: ConfusionChartProps) {
  const max = Math.max(1, ...counts.flat());
  // Rows from the top in the labels' order: ECharts draws a category y axis bottom-up.
  const rows = [...names].reverse();
  const element = useChart({
    animation: false,
    tooltip: { formatter: (p: { value: [number, number, number] }) => `${axisNames.actual}: ${rows[p.value[1]]}<br>${axisNames.predicted}: ${names[p.value[0]]}<br>${p.value[2]}` },
    grid: { left: 8, right: 8, top: 8, bottom: 40, containLabel: true },
    xAxis: { type: 'category', data: names, name: axisNames.predicted, nameLocation: 'middle', nameGap: 28, axisLabel: { width: 90, overflow: 'truncate', interval: 0 } },
    yAxis: { type: 'category', data: rows, name: axisNames.actual, axisLabel: { width: 120, overflow: 'truncate' } },
    visualMap: { show: false, min: 0, max, inRange: { color: ['#f4f7fb', '#2f6fed'] } },
    series: [{
      type: 'heatmap', label: { show: true },
      data: counts.flatMap((row, actual) => row.map((n, predicted) => [predicted, names.length - 1 - actual, n])),
    }],
  });

  const height = Math.max(160, names.length * 36 + 64);
  return <div ref={element} className="settings-chart" role="img" aria-label={label} style={{ height }} />;
}
