// kube-controller-manager's command-line flags that kubelite's controller manager honours, as
// data: each flag's name, the option it sets (options.ts) and how its text is read — Go
// durations (`15s`, `1m30s`, `500ms`) for periods, integers for worker counts, floats for
// rates, a comma-separated list for --controllers. `kubelite` and `kubelite controllers`
// accept them all.

import type { ControllerManagerOptions } from './options.ts';

type FlagKind = 'duration' | 'int' | 'float' | 'list';

export const controllerManagerFlags: Record<string, [option: keyof ControllerManagerOptions, kind: FlagKind]> = {
  'controllers': ['controllers', 'list'],
  'node-monitor-period': ['nodeMonitorPeriodSeconds', 'duration'],
  'node-monitor-grace-period': ['nodeMonitorGracePeriodSeconds', 'duration'],
  'node-startup-grace-period': ['nodeStartupGracePeriodSeconds', 'duration'],
  'node-eviction-rate': ['nodeEvictionRate', 'float'],
  'secondary-node-eviction-rate': ['secondaryNodeEvictionRate', 'float'],
  'large-cluster-size-threshold': ['largeClusterSizeThreshold', 'int'],
  'unhealthy-zone-threshold': ['unhealthyZoneThreshold', 'float'],
  'concurrent-namespace-syncs': ['concurrentNamespaceSyncs', 'int'],
  'concurrent-horizontal-pod-autoscaler-syncs': ['concurrentHorizontalPodAutoscalerSyncs', 'int'],
  'horizontal-pod-autoscaler-sync-period': ['horizontalPodAutoscalerSyncPeriodSeconds', 'duration'],
  'horizontal-pod-autoscaler-downscale-stabilization': ['horizontalPodAutoscalerDownscaleStabilizationSeconds', 'duration'],
  'horizontal-pod-autoscaler-tolerance': ['horizontalPodAutoscalerTolerance', 'float'],
  'horizontal-pod-autoscaler-cpu-initialization-period': ['horizontalPodAutoscalerCpuInitializationPeriodSeconds', 'duration'],
  'horizontal-pod-autoscaler-initial-readiness-delay': ['horizontalPodAutoscalerInitialReadinessDelaySeconds', 'duration'],
  'concurrent-gc-syncs': ['concurrentGcSyncs', 'int'],
  'concurrent-job-syncs': ['concurrentJobSyncs', 'int'],
  'concurrent-cron-job-syncs': ['concurrentCronJobSyncs', 'int'],
  'concurrent-ttl-after-finished-syncs': ['concurrentTTLSyncs', 'int'],
  'concurrent-endpoint-syncs': ['concurrentEndpointSyncs', 'int'],
  'endpoint-updates-batch-period': ['endpointUpdatesBatchPeriodSeconds', 'duration'],
  'concurrent-service-endpoint-syncs': ['concurrentServiceEndpointSyncs', 'int'],
  'max-endpoints-per-slice': ['maxEndpointsPerSlice', 'int'],
  'endpointslice-updates-batch-period': ['endpointSliceUpdatesBatchPeriodSeconds', 'duration'],
};

const unitSeconds: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Go's time.ParseDuration, in seconds: `1h2m3.5s`, `500ms`, `0`; a number without a unit is refused, as Go refuses it. */
export function parseGoDuration(text: string): number {
  const s = text.trim();
  if (s === '0' || s === '+0' || s === '-0') return 0;
  const sign = s.startsWith('-') ? -1 : 1;
  const body = s.replace(/^[+-]/, '');
  if (/^(\d+(\.\d*)?|\.\d+)$/.test(body)) throw new Error(`time: missing unit in duration ${JSON.stringify(text)}`);
  if (!/^(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))*$/.test(body)) {
    throw new Error(`time: invalid duration ${JSON.stringify(text)}`);
  }
  let total = 0;
  for (const [, n, unit] of body.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(n) * unitSeconds[unit];
  return sign * total;
}

/** The controller manager's options from the flags given (unset ones are left out); a bad value names its flag. */
export function controllerOptionsFromFlags(values: Record<string, unknown>): Partial<ControllerManagerOptions> {
  const out: Record<string, unknown> = {};
  for (const [flag, [option, kind]] of Object.entries(controllerManagerFlags)) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const texts = Array.isArray(raw) ? raw.map(String) : [String(raw)];
    const text = texts[texts.length - 1];
    const fail = (why: string) => new Error(`invalid argument ${JSON.stringify(text)} for "--${flag}" flag: ${why}`);
    if (kind === 'list') {
      out[option] = texts.flatMap((t) => t.split(',')).map((n) => n.trim()).filter(Boolean);
    } else if (kind === 'duration') {
      try {
        out[option] = parseGoDuration(text);
      } catch (err) {
        throw fail((err as Error).message);
      }
    } else {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) throw fail(`parsing ${JSON.stringify(text)}: invalid syntax`);
      out[option] = n;
    }
  }
  return out as Partial<ControllerManagerOptions>;
}
