// core/v1 Events as the kubelet's EventRecorder writes them: source {component: kubelet,
// host: node}, names `<pod>.<hex unix nanos>` (so that listing by name is listing by time),
// involvedObject with the container's fieldPath, every event new (count 1, no correlation).
// Posted in order, one at a time per pod, so that `kubectl describe` lists Pulling, Pulled,
// Created, Started as they happened.
import type { KubeObject } from '../api/types.ts';
import { EventRecorder, isAlreadyExists, type ApiClient } from '../client/index.ts';
import type { PlannedEvent } from './stage-engine.ts';

export async function recordEvents(client: ApiClient, pod: KubeObject, nodeName: string, events: PlannedEvent[], now = new Date()): Promise<void> {
  const recorder = new EventRecorder(client, { component: 'kubelet', host: nodeName, reportingInstance: nodeName, correlate: false, nullEventTime: true });
  const { namespace, name, uid, resourceVersion } = pod.metadata;
  for (const e of events) {
    const ref = { kind: 'Pod', apiVersion: 'v1', namespace, name: name!, uid, resourceVersion, fieldPath: e.fieldPath || undefined };
    try {
      await recorder.write(ref, e.type, e.reason, e.message, { now });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
}
