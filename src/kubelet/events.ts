// core/v1 Events as the kubelet's EventRecorder writes them: source {component: kubelet,
// host: node}, names `<pod>.<hex unix nanos>` (so that listing by name is listing by time),
// involvedObject with the container's fieldPath. As in kube, recording never blocks the pod
// worker: the recorder hands events to its broadcaster, whose goroutine posts them later, so
// a pod's status write does not wait for its Pulling/Pulled/Created/Started. And as kube's
// EventCorrelator does, a repeat (same object, fieldPath, type, reason and message) bumps the
// first event's count instead of writing a new one: a crash-looping container shows
// `Started (x5 over 3m)`. One recorder per node (each kubelet has its own correlator); one
// bounded queue per process, dropping when full as client-go's broadcaster does
// (DropIfChannelFull), so a burst of a thousand pods cannot grow memory without bound.
import type { Logger } from 'pino';
import type { KubeObject } from '../api/types.ts';
import { EventRecorder, isAlreadyExists, type ApiClient } from '../client/index.ts';
import type { PlannedEvent } from './stage-engine.ts';

export interface KubeletEventsOptions {
  client: ApiClient;
  log: Pick<Logger, 'warn'>;
  /**
   * Event writes in flight at once (default 4). client-go's broadcaster writes a recorder's events
   * one at a time; the nodes of one process share a few writers, so that under load the pods'
   * own writes (creates, bindings, status) get most of the server.
   */
  concurrency?: number;
  /** Events waiting to be written; more are dropped (client-go's broadcaster queue holds 1,000 per recorder). */
  maxQueued?: number;
}

interface Queued {
  recorder: EventRecorder;
  ref: Parameters<EventRecorder['write']>[0];
  event: PlannedEvent;
  now: Date;
}

export class KubeletEvents {
  private readonly recorders = new Map<string, EventRecorder>();
  private readonly queue: Queued[] = [];
  private head = 0;
  private inFlight = 0;
  private dropped = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: KubeletEventsOptions) {}

  /** Queues the events of one stage about `pod`, in order; they are written in the background. */
  record(pod: KubeObject, nodeName: string, events: PlannedEvent[], now = new Date()): void {
    if (!events.length) return;
    const recorder = this.recorderFor(nodeName);
    const { namespace, name, uid, resourceVersion } = pod.metadata;
    for (const event of events) {
      if (this.queue.length - this.head >= (this.opts.maxQueued ?? 10_000)) {
        if (this.dropped++ % 1000 === 0) this.opts.log.warn({ dropped: this.dropped, pod: `${namespace}/${name}` }, 'kubelet: event queue full, dropping events');
        continue;
      }
      const ref = { kind: 'Pod', apiVersion: 'v1', namespace, name: name!, uid, resourceVersion, fieldPath: event.fieldPath || undefined };
      this.queue.push({ recorder, ref, event, now });
    }
    this.pump();
  }

  /** The pod is gone: its repeats are not counted any more. */
  forget(uid: string | undefined): void {
    for (const recorder of this.recorders.values()) recorder.forget(uid);
  }

  /** Stops: what is still queued is dropped (as a stopping broadcaster drops it); resolves once the writes in flight are done. */
  close(): Promise<void> {
    this.queue.length = 0;
    this.head = 0;
    return this.idle();
  }

  /** Resolves once every queued event has been written (or has failed). */
  idle(): Promise<void> {
    if (this.inFlight === 0 && this.head === this.queue.length) return Promise.resolve();
    return new Promise((resolveIdle) => this.idleWaiters.push(resolveIdle));
  }

  private recorderFor(nodeName: string): EventRecorder {
    let recorder = this.recorders.get(nodeName);
    if (!recorder) {
      recorder = new EventRecorder(this.opts.client, { component: 'kubelet', host: nodeName, reportingInstance: nodeName, nullEventTime: true });
      this.recorders.set(nodeName, recorder);
    }
    return recorder;
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 4;
    while (this.inFlight < limit && this.head < this.queue.length) {
      const item = this.queue[this.head++];
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.inFlight++;
      void this.write(item).finally(() => {
        this.inFlight--;
        this.pump();
        if (this.inFlight === 0 && this.head === this.queue.length) for (const resolveIdle of this.idleWaiters.splice(0)) resolveIdle();
      });
    }
  }

  private async write({ recorder, ref, event, now }: Queued): Promise<void> {
    try {
      await recorder.write(ref, event.type, event.reason, event.message, { now });
    } catch (err) {
      if (!isAlreadyExists(err)) this.opts.log.warn({ err: String(err), pod: `${ref.namespace}/${ref.name}`, reason: event.reason }, 'kubelet: writing an event failed');
    }
  }
}
