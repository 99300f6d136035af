import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

// A uPlot time-series chart that follows its container's width. Series differ in dash pattern as
// well as colour, and the legend names them in words.

export interface ChartSeries {
  label: string;
  /** The axis/scale this series uses; series sharing a unit share one. */
  scale: string;
  color: string;
  dash?: number[];
  values: (number | null)[];
  /** The legend's value (full precision). */
  format: (v: number) => string;
  /** Axis tick labels (short); default `format`. */
  tick?: (v: number) => string;
}

export interface TimeChartProps {
  /** Unix seconds, ascending. */
  times: number[];
  /** The x range in unix seconds (e.g. the last 24 hours), so a few points do not stretch the axis. */
  range: [number, number];
  series: ChartSeries[];
  height?: number;
  label: string;
}

export function TimeChart({ times, range, series, height = 220, label }: TimeChartProps) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return undefined;
    const scales = [...new Set(series.map((s) => s.scale))];
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 280),
      height,
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          scale: s.scale,
          stroke: s.color,
          width: 2,
          dash: s.dash,
          value: (_u: uPlot, v: number | null) => (v == null ? '—' : s.format(v)),
        })),
      ],
      axes: [
        { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' } },
        ...scales.map((scale, i) => {
          const first = series.find((s) => s.scale === scale) as ChartSeries;
          return {
            scale,
            side: i === 0 ? 3 : 1,
            stroke: 'currentColor',
            grid: { show: i === 0, stroke: 'rgba(128,128,128,0.2)' },
            size: 84,
            values: (_u: uPlot, ticks: number[]) => ticks.map((t) => (first.tick ?? first.format)(t)),
          };
        }),
      ],
      scales: { x: { time: true, range: () => range }, ...Object.fromEntries(scales.map((s) => [s, { auto: true }])) },
      cursor: { drag: { x: false, y: false } },
    };
    const plot = new uPlot(opts, [times, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 280), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, range, series, height]);
  return <div class="chart" ref={host} role="img" aria-label={label} />;
}
