// A small live chart drawn as SVG: the last values of one series, its latest value beside it.
export function Sparkline({ values, label, unit, format = (n) => n.toFixed(1) }: { values: number[]; label: string; unit: string; format?: (n: number) => string }) {
  const w = 220;
  const h = 48;
  const max = Math.max(1e-9, ...values);
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(h - (v / max) * (h - 4) - 2).toFixed(1)}`).join(' ');
  const last = values[values.length - 1];
  return (
    <figure class="spark" aria-label={label}>
      <figcaption><span>{label}</span><b>{last === undefined ? '–' : `${format(last)} ${unit}`}</b></figcaption>
      <svg width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img">
        {values.length > 1 && <polygon points={`0,${h} ${points} ${w},${h}`} class="spark-area" />}
        {values.length > 1 && <polyline points={points} class="spark-line" />}
      </svg>
    </figure>
  );
}
