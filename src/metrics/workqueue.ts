// client-go's work queue metrics (k8s.io/component-base/metrics/prometheus/workqueue), per
// named queue: depth, adds, retries, time spent waiting in the queue and being processed, and
// work still in progress. Unnamed queues report nothing, as client-go's do. The families live
// in this thread's default registry; a worker thread hands them to the API server's /metrics
// through its message port (see workers/thread-entry.ts).
import { CounterVec, defaultRegistry, exponentialBuckets, GaugeVec, HistogramVec, type Counter, type Gauge, type Histogram } from './registry.ts';
import type { FamilySnapshot } from './exposition.ts';

/** 10 ns to 10 s: client-go's buckets for both durations. */
const durationBuckets = exponentialBuckets(10e-9, 10, 10);
const name = ['name'];

const depth = new GaugeVec({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: name });
const adds = new CounterVec({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: name });
const retries = new CounterVec({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: name });
const queueDuration = new HistogramVec({
  name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested.',
  labelNames: name, buckets: durationBuckets,
});
const workDuration = new HistogramVec({
  name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes.',
  labelNames: name, buckets: durationBuckets,
});
const unfinished = new GaugeVec({
  name: 'workqueue_unfinished_work_seconds',
  help: 'How many seconds of work has done that is in progress and hasn\'t been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
  labelNames: name,
});
const longestRunning = new GaugeVec({
  name: 'workqueue_longest_running_processor_seconds',
  help: 'How many seconds has the longest running processor for workqueue been running.',
  labelNames: name,
});

const live = new Set<QueueMetrics>();

defaultRegistry.register({
  collect(): FamilySnapshot[] {
    const now = performance.now();
    for (const q of live) q.updateInProgress(now);
    return [depth, adds, retries, queueDuration, workDuration, unfinished, longestRunning].flatMap((v) => v.collect());
  },
});

/** The metrics of one queue; the queue calls these as items move through it. */
export class QueueMetrics {
  private readonly depth: Gauge;
  private readonly adds: Counter;
  private readonly retries: Counter;
  private readonly queueDuration: Histogram;
  private readonly workDuration: Histogram;
  private readonly addedAt = new Map<unknown, number>();
  private readonly processingSince = new Map<unknown, number>();

  constructor(readonly name: string) {
    this.depth = depth.with(name);
    this.adds = adds.with(name);
    this.retries = retries.with(name);
    this.queueDuration = queueDuration.with(name);
    this.workDuration = workDuration.with(name);
    live.add(this);
  }

  /** An item entered the queue (not one merged into a waiting duplicate). */
  added(item: unknown): void {
    this.adds.inc();
    this.depth.inc();
    if (!this.addedAt.has(item)) this.addedAt.set(item, performance.now());
  }

  /** An item left the queue for a worker. */
  started(item: unknown): void {
    const now = performance.now();
    this.depth.dec();
    const added = this.addedAt.get(item);
    if (added !== undefined) {
      this.queueDuration.observe((now - added) / 1000);
      this.addedAt.delete(item);
    }
    this.processingSince.set(item, now);
  }

  /** A worker finished an item. */
  finished(item: unknown): void {
    const since = this.processingSince.get(item);
    if (since === undefined) return;
    this.workDuration.observe((performance.now() - since) / 1000);
    this.processingSince.delete(item);
  }

  retried(): void {
    this.retries.inc();
  }

  /** The queue dropped everything waiting (shutdown). */
  cleared(): void {
    this.depth.set(0);
    this.addedAt.clear();
  }

  updateInProgress(now: number): void {
    let total = 0;
    let longest = 0;
    for (const since of this.processingSince.values()) {
      total += now - since;
      longest = Math.max(longest, now - since);
    }
    unfinished.with(this.name).set(total / 1000);
    longestRunning.with(this.name).set(longest / 1000);
  }
}

/** The metrics of the queue named `name`, or undefined for an unnamed queue. */
export function workqueueMetrics(queueName: string | undefined): QueueMetrics | undefined {
  return queueName ? new QueueMetrics(queueName) : undefined;
}
