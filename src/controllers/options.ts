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
  /** --concurrent-horizontal-pod-autoscaler-syncs. */
  concurrentHorizontalPodAutoscalerSyncs: number;
  /** --horizontal-pod-autoscaler-sync-period: how often every HPA is reconciled. */
  horizontalPodAutoscalerSyncPeriodSeconds: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization: the window whose highest recommendation a scale-down may not go below. */
  horizontalPodAutoscalerDownscaleStabilizationSeconds: number;
  /** --horizontal-pod-autoscaler-tolerance: no rescale while usage/target is within this of 1. */
  horizontalPodAutoscalerTolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period: how long after start a pod's cpu samples are distrusted. */
  horizontalPodAutoscalerCpuInitializationPeriodSeconds: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay. */
  horizontalPodAutoscalerInitialReadinessDelaySeconds: number;
  /** --concurrent-gc-syncs: garbage collector workers. */
  concurrentGcSyncs: number;
  /** How often the garbage collector re-reads discovery for new or removed resources (kube: 30 s). */
  gcDiscoveryPeriodSeconds: number;
  /** --concurrent-serviceaccount-token-syncs is the token controller's; this is the ServiceAccounts controller's workers (kube: 1). */
  concurrentServiceAccountSyncs: number;
  /** --concurrent-job-syncs. */
  concurrentJobSyncs: number;
  /** The Job controller's pod failure backoff: the delay before recreating after the first failure, doubled per failure (kube: 10 s). */
  jobPodFailureBackoffSeconds: number;
  /** ... and its cap (kube: 6 min). */
  jobPodFailureBackoffMaxSeconds: number;
  /** How long the Job controller batches pod events before a sync (kube's syncJobBatchPeriod, 1 s). */
  jobSyncBatchPeriodSeconds: number;
  /** --concurrent-cron-job-syncs. */
  concurrentCronJobSyncs: number;
  /** --concurrent-ttl-after-finished-syncs. */
  concurrentTTLSyncs: number;
  /** --concurrent-endpoint-syncs: Endpoints controller workers. */
  concurrentEndpointSyncs: number;
  /** --endpoint-updates-batch-period: how long pod changes are batched before an Endpoints sync (kube: 0). */
  endpointUpdatesBatchPeriodSeconds: number;
  /** --concurrent-service-endpoint-syncs: EndpointSlice controller workers. */
  concurrentServiceEndpointSyncs: number;
  /** --max-endpoints-per-slice (kube: 100, at most 1000). */
  maxEndpointsPerSlice: number;
  /** --endpointslice-updates-batch-period (kube: 0). */
  endpointSliceUpdatesBatchPeriodSeconds: number;
  /** --terminated-pod-gc-threshold: terminated pods kept before the oldest are collected; 0 turns that off (kube: 12500). */
  terminatedPodGCThreshold: number;
  /** The pod garbage collector's period (kube's gcCheckPeriod, 20 s). */
  podGCPeriodSeconds: number;
  /** How long a pod's node must stay unseen before its pods are collected (kube's quarantineTime, 40 s). */
  podGCOrphanQuarantineSeconds: number;
  /** --cluster-signing-cert-file / --cluster-signing-key-file: the CA the CSR signers issue from ('' = no signing). */
  clusterSigningCertFile: string;
  clusterSigningKeyFile: string;
  /** --cluster-signing-duration: the longest certificate the signers issue (kube: 8760h). */
  clusterSigningDurationSeconds: number;
  /** How often the CSR cleaner looks (kube's pollingInterval, 1 h). */
  csrCleanerPeriodSeconds: number;
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
  concurrentHorizontalPodAutoscalerSyncs: 5,
  horizontalPodAutoscalerSyncPeriodSeconds: 15,
  horizontalPodAutoscalerDownscaleStabilizationSeconds: 300,
  horizontalPodAutoscalerTolerance: 0.1,
  horizontalPodAutoscalerCpuInitializationPeriodSeconds: 300,
  horizontalPodAutoscalerInitialReadinessDelaySeconds: 30,
  concurrentGcSyncs: 20,
  gcDiscoveryPeriodSeconds: 30,
  concurrentServiceAccountSyncs: 1,
  concurrentJobSyncs: 5,
  jobPodFailureBackoffSeconds: 10,
  jobPodFailureBackoffMaxSeconds: 360,
  jobSyncBatchPeriodSeconds: 1,
  concurrentCronJobSyncs: 5,
  concurrentTTLSyncs: 5,
  concurrentEndpointSyncs: 5,
  endpointUpdatesBatchPeriodSeconds: 0,
  concurrentServiceEndpointSyncs: 5,
  maxEndpointsPerSlice: 100,
  endpointSliceUpdatesBatchPeriodSeconds: 0,
  terminatedPodGCThreshold: 12500,
  podGCPeriodSeconds: 20,
  podGCOrphanQuarantineSeconds: 40,
  clusterSigningCertFile: '',
  clusterSigningKeyFile: '',
  clusterSigningDurationSeconds: 365 * 24 * 3600,
  csrCleanerPeriodSeconds: 3600,
};

const stringOptions = new Set<keyof ControllerManagerOptions>(['clusterSigningCertFile', 'clusterSigningKeyFile']);

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
    } else if (stringOptions.has(key)) {
      if (typeof value !== 'string') throw new Error(`${name}: must be a file path`);
      (out as unknown as Record<string, string>)[key] = value;
    } else {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${name}: must be a number ≥ 0`);
      (out as unknown as Record<string, number>)[key] = value;
    }
  }
  return out;
}
