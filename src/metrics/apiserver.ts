// kube-apiserver's request metrics (k8s.io/apiserver/pkg/endpoints/metrics), with its names,
// labels, help texts and buckets: requests by verb, dry run, group, version, resource,
// subresource, scope, component and code; their latency; the long-running requests (watches,
// exec, logs) open now; and the watchers registered per kind.
import { CounterVec, GaugeVec, HistogramVec, MetricsRegistry, type Counter, type Gauge, type Histogram } from './registry.ts';

/** What kube reports about one request (its RequestInfo, cleaned as its metrics clean it). */
export interface RequestLabels {
  verb: string;
  dryRun: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: string;
  component: string;
}

const requestLabelNames = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'];

export class ApiServerMetrics {
  readonly registry = new MetricsRegistry();
  private readonly requests = this.registry.register(new CounterVec({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
    labelNames: [...requestLabelNames, 'code'],
  }));
  private readonly latencies = this.registry.register(new HistogramVec({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
    labelNames: requestLabelNames,
    buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
  }));
  private readonly longRunning = this.registry.register(new GaugeVec({
    name: 'apiserver_longrunning_requests',
    help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.',
    labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'],
  }));
  private readonly watchers = this.registry.register(new GaugeVec({
    name: 'apiserver_registered_watchers',
    help: 'Number of currently registered watchers for a given resources',
    labelNames: ['group', 'version', 'kind'],
  }));
  /** The children of each label set seen, so that a request allocates no label strings. */
  private readonly byLabels = new Map<string, { latency: Histogram; byCode: Map<number, Counter> }>();

  observe(l: RequestLabels, code: number, seconds: number): void {
    const key = `${l.verb} ${l.dryRun} ${l.group} ${l.version} ${l.resource} ${l.subresource} ${l.scope} ${l.component}`;
    let entry = this.byLabels.get(key);
    if (!entry) {
      entry = { latency: this.latencies.with(...values(l)), byCode: new Map() };
      this.byLabels.set(key, entry);
    }
    let counter = entry.byCode.get(code);
    if (!counter) entry.byCode.set(code, (counter = this.requests.with(...values(l), String(code))));
    counter.inc();
    entry.latency.observe(seconds);
  }

  /** The gauge of open long-running requests with these labels (inc when one starts, dec when it ends). */
  longRunningGauge(l: RequestLabels): Gauge {
    return this.longRunning.with(l.verb, l.group, l.version, l.resource, l.subresource, l.scope, l.component);
  }

  watchersGauge(group: string, version: string, kind: string): Gauge {
    return this.watchers.with(group, version, kind);
  }
}

function values(l: RequestLabels): string[] {
  return [l.verb, l.dryRun, l.group, l.version, l.resource, l.subresource, l.scope, l.component];
}
