import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  color: string;
  values: (number | null)[];
}

/** A line chart over time (uPlot): x in unix seconds, one line per series; redrawn when data changes. */
export function Chart(props: {
  title: string;
  x: number[];
  series: Series[];
  unit: string;
  /** The x range shown (unix seconds), whatever the data covers: the window of the page. */
  range: [number, number];
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const rangeRef = useRef(props.range);
  rangeRef.current = props.range;
  const shape = props.series.map((s) => s.label).join('|');
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: props.height ?? 180,
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          value: (_u: uPlot, v: number | null) =>
            v == null ? '—' : `${Math.round(v * 10) / 10} ${props.unit}`,
        })),
      ],
      axes: [{}, { size: 70, values: (_u, ticks) => ticks.map((t) => tick(t, props.unit)) }],
      legend: { live: false },
      scales: { x: { time: true, range: () => rangeRef.current } },
    };
    plot.current = new uPlot(opts, [props.x, ...props.series.map((s) => s.values)], el);
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(280, el.clientWidth), height: props.height ?? 180 }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [shape]);
  useEffect(() => {
    plot.current?.setData([props.x, ...props.series.map((s) => s.values)]);
  }, [props.x, props.series]);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={box} role="img" aria-label={props.title} />
    </figure>
  );
}

/** A bar of parts (tasks by status, slots of a batch): widths by share, a label each. */
export function Bar(props: { parts: { label: string; value: number; color: string }[]; label: string }) {
  const total = props.parts.reduce((a, p) => a + p.value, 0);
  return (
    <div class="bar" role="img" aria-label={props.label}>
      {props.parts
        .filter((p) => p.value > 0)
        .map((p) => (
          <span
            key={p.label}
            style={{ flexGrow: p.value, background: p.color }}
            title={`${p.label}: ${p.value}`}
          >
            {p.value / Math.max(total, 1) > 0.08 ? `${p.label} ${p.value}` : ''}
          </span>
        ))}
    </div>
  );
}

/** An axis label: milliseconds from a second up read as seconds. */
function tick(value: number, unit: string): string {
  if (unit === 'ms' && Math.abs(value) >= 1000) return `${(value / 1000).toFixed(1)} s`;
  return `${Math.round(value * 10) / 10} ${unit}`.trim();
}
