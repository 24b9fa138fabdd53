// The `endpoints.kubernetes.io/last-change-trigger-time` annotation, as kube's
// TriggerTimeTracker computes it: for a service seen the first time, its creation time;
// afterwards the earliest pod Ready transition (or service creation) that changed since the
// previous sync; nothing when nothing changed.
import type { Pod, Service } from './util.ts';

export const lastChangeTriggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';

interface ServiceState {
  serviceTriggerTime: number;
  podTriggerTimes: Map<string, number>;
}

const podTriggerTime = (pod: Pod) => Date.parse(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '') || 0;
const serviceTriggerTime = (svc: Service) => Date.parse(svc.metadata.creationTimestamp ?? '') || 0;

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /** ComputeEndpointLastChangeTriggerTime: an RFC 3339 time, or undefined for "no trigger" (the annotation is removed). */
  compute(key: string, svc: Service, pods: Pod[]): string | undefined {
    const previous = this.states.get(key);
    let min = 0;
    const earliest = (t: number) => (min = min === 0 || t < min ? t : min);
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = podTriggerTime(pod);
      if (!t) continue;
      podTimes.set(pod.metadata.name!, t);
      if (t > (previous?.podTriggerTimes.get(pod.metadata.name!) ?? 0)) earliest(t);
    }
    const svcTime = serviceTriggerTime(svc);
    if (svcTime > (previous?.serviceTriggerTime ?? 0)) earliest(svcTime);
    this.states.set(key, { serviceTriggerTime: svcTime, podTriggerTimes: podTimes });
    const result = previous ? min : svcTime;
    return result ? new Date(result).toISOString().replace('.000Z', 'Z') : undefined;
  }

  deleteService(key: string): void {
    this.states.delete(key);
  }
}
