// A small Prometheus client: counters, gauges and histograms with labels, kept in a registry
// and rendered in the text exposition format 0.0.4 (exposition.ts). Just what kubelite's
// metrics need, shaped like component-base/metrics: a vector per metric, a child per label
// set, created once and then updated with no allocation.
import { renderFamilies, type FamilySnapshot } from './exposition.ts';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

/** Anything that can describe itself as families at scrape time. */
export interface Collector {
  collect(): FamilySnapshot[] | Promise<FamilySnapshot[]>;
}

/** `{a="x",b="y"}` for the label values given, in label-name order; '' with no labels. */
export function labelString(names: readonly string[], values: readonly string[], extra = ''): string {
  const parts = names.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? '')}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function escapeLabelValue(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

/** A number as the exposition format spells it. */
export function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return Number.isNaN(v) ? 'NaN' : String(v);
}

abstract class Vec<C> implements Collector {
  protected readonly children = new Map<string, { labels: readonly string[]; child: C }>();
  readonly labelNames: readonly string[];

  constructor(readonly opts: MetricOptions, readonly type: MetricType) {
    this.labelNames = opts.labelNames ?? [];
  }

  /** The child for these label values (in labelNames order), created on first use. */
  with(...values: string[]): C {
    const key = values.length === 1 ? values[0] : values.join('\u0000');
    let entry = this.children.get(key);
    if (!entry) this.children.set(key, (entry = { labels: values, child: this.create() }));
    return entry.child;
  }

  /** Forgets a label set (a queue or resource that went away). */
  remove(...values: string[]): void {
    this.children.delete(values.join('\u0000'));
  }

  collect(): FamilySnapshot[] {
    const lines: string[] = [];
    for (const { labels, child } of this.children.values()) this.render(child, labels, lines);
    return [{ name: this.opts.name, help: this.opts.help, type: this.type, lines }];
  }

  protected abstract create(): C;
  protected abstract render(child: C, labels: readonly string[], lines: string[]): void;
}

export class Counter {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
}

export class Gauge {
  value = 0;
  set(v: number): void {
    this.value = v;
  }
  inc(by = 1): void {
    this.value += by;
  }
  dec(by = 1): void {
    this.value -= by;
  }
}

export class CounterVec extends Vec<Counter> {
  constructor(opts: MetricOptions) {
    super(opts, 'counter');
  }
  protected create(): Counter {
    return new Counter();
  }
  protected render(c: Counter, labels: readonly string[], lines: string[]): void {
    lines.push(`${this.opts.name}${labelString(this.labelNames, labels)} ${formatValue(c.value)}`);
  }
}

export class GaugeVec extends Vec<Gauge> {
  constructor(opts: MetricOptions) {
    super(opts, 'gauge');
  }
  protected create(): Gauge {
    return new Gauge();
  }
  protected render(g: Gauge, labels: readonly string[], lines: string[]): void {
    lines.push(`${this.opts.name}${labelString(this.labelNames, labels)} ${formatValue(g.value)}`);
  }
}

export class Histogram {
  /** Observations per bucket (not cumulative; the last one is +Inf). */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly buckets: readonly number[]) {
    this.counts = new Float64Array(buckets.length + 1);
  }

  observe(v: number): void {
    let i = 0;
    while (i < this.buckets.length && v > this.buckets[i]) i++;
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }
}

export class HistogramVec extends Vec<Histogram> {
  constructor(opts: MetricOptions & { buckets: readonly number[] }) {
    super(opts, 'histogram');
    this.buckets = opts.buckets;
  }
  private readonly buckets: readonly number[];
  protected create(): Histogram {
    return new Histogram(this.buckets);
  }
  protected render(h: Histogram, labels: readonly string[], lines: string[]): void {
    const name = this.opts.name;
    let cumulative = 0;
    for (let i = 0; i <= this.buckets.length; i++) {
      cumulative += h.counts[i];
      const le = i < this.buckets.length ? formatValue(this.buckets[i]) : '+Inf';
      lines.push(`${name}_bucket${labelString(this.labelNames, labels, `le="${le}"`)} ${cumulative}`);
    }
    const plain = labelString(this.labelNames, labels);
    lines.push(`${name}_sum${plain} ${formatValue(h.sum)}`, `${name}_count${plain} ${h.count}`);
  }
}

/** `count` buckets from `start`, each `factor` times the last (prometheus.ExponentialBuckets). */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Number((start * factor ** i).toPrecision(12)));
}

/** A set of collectors scraped together. */
export class MetricsRegistry {
  private readonly collectors = new Set<Collector>();

  register<T extends Collector>(collector: T): T {
    this.collectors.add(collector);
    return collector;
  }

  unregister(collector: Collector): void {
    this.collectors.delete(collector);
  }

  async collect(): Promise<FamilySnapshot[]> {
    const families: FamilySnapshot[] = [];
    for (const c of this.collectors) families.push(...await c.collect());
    return families;
  }

  async render(): Promise<string> {
    return renderFamilies(await this.collect());
  }
}

/**
 * The registry of this thread's process-wide metrics (work queues, storage latency), as
 * component-base's legacyregistry: every API server in the process adds its own on top.
 */
export const defaultRegistry = new MetricsRegistry();
