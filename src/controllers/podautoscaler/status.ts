// The HPA's status as kube's horizontal.go writes it: conditions set in place (the
// transition time moves only when the status flips), the current metrics, and quantities
// in resource.Quantity's canonical decimal form.

export interface HpaCondition {
  type: 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface HpaStatus {
  observedGeneration?: number;
  lastScaleTime?: string;
  currentReplicas?: number;
  desiredReplicas: number;
  currentMetrics?: unknown[] | null;
  conditions?: HpaCondition[];
}

export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** setCondition: updates the condition of this type, or appends it. */
export function setCondition(status: HpaStatus, type: HpaCondition['type'], value: HpaCondition['status'], reason: string, message: string, now: number): void {
  const conditions = (status.conditions ??= []);
  let condition = conditions.find((c) => c.type === type);
  if (!condition) {
    condition = { type, status: value };
    conditions.push(condition);
    condition.lastTransitionTime = rfc3339(now);
  } else if (condition.status !== value) {
    condition.lastTransitionTime = rfc3339(now);
  }
  condition.status = value;
  condition.reason = reason;
  condition.message = message;
}

/** resource.NewMilliQuantity(n, DecimalSI).String(): `250m`, `1`, `128M`, `67108864`. */
export function formatMilliQuantity(milli: number): string {
  let n = Math.round(milli);
  if (n === 0) return '0';
  const suffixes = ['m', '', 'k', 'M', 'G', 'T', 'P', 'E'];
  let i = 0;
  while (i < suffixes.length - 1 && n % 1000 === 0) {
    n /= 1000;
    i++;
  }
  return `${n}${suffixes[i]}`;
}
