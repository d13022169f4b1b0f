import { init, type EChartsCoreOption, type EChartsType } from 'echarts/core';
import { useEffect, useRef, type RefObject } from 'react';

/**
 * One ECharts instance per mounted chart: resized with its box, disposed when it goes, and drawn
 * from `option` on every render (the charts here are small; each render is a data change). Each
 * chart's file registers (`use([...])`) only the pieces it draws, so its chunk stays small.
 */
export function useChart(option: EChartsCoreOption): RefObject<HTMLDivElement | null> {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  useEffect(() => {
    if (!box.current) return undefined;
    const instance = init(box.current, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(box.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  });
  return box;
}
