// A small live chart drawn as SVG: the recent values of one series, scaled from zero with some
// headroom, its latest value beside the label.
export function Sparkline({ values, label, unit, format = (n) => n.toFixed(1) }: { values: number[]; label: string; unit: string; format?: (n: number) => string }) {
  const w = 240;
  const h = 48;
  const max = Math.max(1e-9, ...values) * 1.15;
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(h - (v / max) * (h - 2)).toFixed(1)}`).join(' ');
  const last = values[values.length - 1];
  return (
    <figure class="spark" aria-label={label}>
      <figcaption><span>{label}</span><b>{last === undefined ? '–' : `${format(last)}${unit ? ` ${unit}` : ''}`}</b></figcaption>
      <svg width="100%" height={h} viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" role="img">
        <line x1="0" y1={h - 0.5} x2={w} y2={h - 0.5} class="spark-base" />
        {values.length > 1 && <polygon points={`0,${h} ${points} ${w},${h}`} class="spark-area" />}
        {values.length > 1 && <polyline points={points} class="spark-line" vector-effect="non-scaling-stroke" />}
        {values.length < 2 && <text x={w / 2} y={h / 2 + 4} text-anchor="middle" class="spark-wait">collecting…</text>}
      </svg>
    </figure>
  );
}
