// core/v1 Events as the kubelet's EventRecorder writes them: source {component: kubelet,
// host: node}, names `<pod>.<hex unix nanos>` (so that listing by name is listing by time),
// involvedObject with the container's fieldPath. Posted in order, one at a time per pod, so
// that `kubectl describe` lists Pulling, Pulled, Created, Started as they happened.
import type { KubeObject } from '../api/types.ts';
import { isAlreadyExists, resources, type ApiClient } from '../client/index.ts';
import { rfc3339 } from './pod-functions.ts';
import type { PlannedEvent } from './stage-engine.ts';

let lastNanos = 0n;

/** Strictly increasing unix nanoseconds, so that event names never collide. */
function uniqueNanos(now: Date): bigint {
  let nanos = BigInt(now.getTime()) * 1_000_000n;
  if (nanos <= lastNanos) nanos = lastNanos + 1n;
  lastNanos = nanos;
  return nanos;
}

export function podEvent(pod: KubeObject, nodeName: string, e: PlannedEvent, now: Date): KubeObject {
  const time = rfc3339(now);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${pod.metadata.name}.${uniqueNanos(now).toString(16)}`, namespace: pod.metadata.namespace },
    involvedObject: {
      kind: 'Pod', apiVersion: 'v1', namespace: pod.metadata.namespace, name: pod.metadata.name,
      uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion, fieldPath: e.fieldPath || undefined,
    },
    reason: e.reason,
    message: e.message,
    type: e.type,
    source: { component: 'kubelet', host: nodeName },
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
    eventTime: null,
    reportingComponent: 'kubelet',
    reportingInstance: nodeName,
  };
}

export async function recordEvents(client: ApiClient, pod: KubeObject, nodeName: string, events: PlannedEvent[], now = new Date()): Promise<void> {
  for (const e of events) {
    try {
      await client.create(resources.events, podEvent(pod, nodeName, e, now));
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
}
