// The controller manager's options, as kube-controller-manager's flags in camelCase with
// durations in seconds (fractions allowed, so tests can run on short periods). They arrive
// as plain JSON (they cross a thread boundary), so each is checked and defaulted here.

export interface ControllerManagerOptions {
  /** As --controllers: names to run, `*` for all, `-name` to leave one out. Default all. */
  controllers: string[];
  /** --node-monitor-period: how often every node's health is checked. */
  nodeMonitorPeriodSeconds: number;
  /** --node-monitor-grace-period: a node silent this long turns Ready=Unknown. */
  nodeMonitorGracePeriodSeconds: number;
  /** --node-startup-grace-period: the same for a node that never posted status. */
  nodeStartupGracePeriodSeconds: number;
  /** --node-eviction-rate: nodes per second tainted NoExecute in a healthy zone. */
  nodeEvictionRate: number;
  /** --secondary-node-eviction-rate: the same in a partially disrupted zone. */
  secondaryNodeEvictionRate: number;
  /** --large-cluster-size-threshold: at or below it, a partially disrupted zone gets no NoExecute taints. */
  largeClusterSizeThreshold: number;
  /** --unhealthy-zone-threshold: the fraction of not-ready nodes (at least 3) that makes a zone partially disrupted. */
  unhealthyZoneThreshold: number;
  /** Pods evicted at once by the taint eviction controller (kube's taint manager runs 8 workers). */
  concurrentTaintEvictionSyncs: number;
  /** --concurrent-namespace-syncs. */
  concurrentNamespaceSyncs: number;
}

export const defaultOptions: ControllerManagerOptions = {
  controllers: ['*'],
  nodeMonitorPeriodSeconds: 5,
  nodeMonitorGracePeriodSeconds: 40,
  nodeStartupGracePeriodSeconds: 60,
  nodeEvictionRate: 0.1,
  secondaryNodeEvictionRate: 0.01,
  largeClusterSizeThreshold: 50,
  unhealthyZoneThreshold: 0.55,
  concurrentTaintEvictionSyncs: 8,
  concurrentNamespaceSyncs: 10,
};

/** Defaults filled in; a value of the wrong type or out of range is an error naming the option. */
export function parseOptions(raw: Record<string, unknown> = {}): ControllerManagerOptions {
  const out: ControllerManagerOptions = { ...defaultOptions };
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || value === null) continue;
    if (!(name in defaultOptions)) continue; // options of the runtime (qps, burst) or of later controllers
    const key = name as keyof ControllerManagerOptions;
    if (key === 'controllers') {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new Error('controllers: must be a list of controller names');
      out.controllers = value as string[];
    } else {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${name}: must be a number ≥ 0`);
      out[key] = value;
    }
  }
  return out;
}
