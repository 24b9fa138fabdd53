// kube-scheduler's event recorder: the client's shared core/v1 Event recorder (legacy
// client-go recorder semantics, repeats bumped) with the scheduler's call shape — events
// about a pod, each with the action (Scheduling, Binding, Preempting) that produced it.
import { EventRecorder as ClientEventRecorder, type ApiClient, type EventLog, type EventType } from '../client/index.ts';
import type { Pod } from '../api/core-v1.ts';

export type { EventLog } from '../client/index.ts';

export class EventRecorder extends ClientEventRecorder {
  /** `concurrency` is kept below the binder's so that under load bindings get most of the server. */
  constructor(client: ApiClient, component: string, log?: EventLog, concurrency = 4) {
    super(client, { component, log, concurrency });
  }

  /** Writes (or bumps) an event in the background; failures are logged, never thrown. */
  record(pod: Pod, type: EventType, reason: string, action: string, message: string): void {
    const { namespace = 'default', name, uid, resourceVersion } = pod.metadata;
    this.event({ apiVersion: 'v1', kind: 'Pod', namespace, name: name!, uid, resourceVersion }, type, reason, message, { action });
  }
}
