// The Stage resource: kwok's Stage (kwok.x-k8s.io/v1alpha1) in kubelite's dialect. A bundle
// is a YAML file of Stage documents; for each object the first stage (in file order) whose
// selector matches is scheduled after its delay and then applies its `next`.

export const stageApiVersion = 'kubelite.dev/v1alpha1';

export interface StageRequirement {
  /** A path (`.status.phase`) or an expression (`{{ exitCode }}`) evaluated on the pod. */
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface StageSelector {
  matchLabels?: Record<string, string>;
  matchAnnotations?: Record<string, string>;
  matchExpressions?: StageRequirement[];
}

/** An expression whose value is a time (RFC 3339: wait until then), a duration ("1.5s") or milliseconds. */
export interface ExpressionFrom {
  expressionFrom: string;
}

export interface StageDelay {
  durationMilliseconds?: number;
  /** kwok's jitter: the delay is uniform in [duration, jitterDuration] when jitter is the larger. */
  jitterDurationMilliseconds?: number;
  /** Overrides durationMilliseconds when the expression has a value. */
  durationFrom?: ExpressionFrom;
  /** Never wait past this time (e.g. `.metadata.deletionTimestamp`, the end of the grace period). */
  notAfterFrom?: ExpressionFrom;
}

export interface StageEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** `spec.containers{name}` for container events, as the kubelet's ObjectReference.fieldPath. */
  fieldPath?: string;
}

/** Events (or log lines) may be one entry or a `$forEach` over a list, rendered per item. */
export type Repeated<T> = T | { $forEach: string; template: T; $if?: string };

export interface StageLog {
  container: string;
  /** One line, or a list of lines (an expression may yield a list). */
  lines: string | string[];
}

export interface StageFinalizers {
  add?: { value: string }[];
  remove?: { value: string }[];
  empty?: boolean;
}

export interface StageNext {
  /** Merged into .status with JSON merge-patch rules (RFC 7386): objects merge, arrays and scalars replace, null deletes. */
  statusTemplate?: Record<string, unknown>;
  event?: StageEvent;
  events?: Repeated<StageEvent>[];
  logs?: Repeated<StageLog>[];
  finalizers?: StageFinalizers;
  /** Delete the object (for pods: with gracePeriodSeconds=0, as the kubelet finishes a graceful delete). */
  delete?: boolean;
}

export interface Stage {
  apiVersion: typeof stageApiVersion;
  kind: 'Stage';
  metadata: { name: string };
  spec: {
    resourceRef: { apiGroup?: string; kind: 'Pod' };
    selector?: StageSelector;
    delay?: StageDelay;
    next: StageNext;
  };
}
