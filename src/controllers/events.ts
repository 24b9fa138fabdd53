// core/v1 Events as client-go's legacy event recorder writes them for kube-controller-manager:
// source.component names the controller, the name is `<object>.<hex nanoseconds>`, an event
// about a cluster-scoped object lives in `default`, and a repeat of the same reason and
// message about the same object bumps count and lastTimestamp of the first event instead of
// writing a new one (the recorder's EventCorrelator). Writes run in the background, a few at
// a time; a failed write is logged, never thrown at the controller.
import type { KubeObject } from '../api/types.ts';
import { resources, type ApiClient } from '../client/index.ts';
import type { ControllerLog } from './types.ts';

export type EventType = 'Normal' | 'Warning';

/** What an event is about (core/v1 ObjectReference). */
export interface ObjectReference {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
}

const maxRemembered = 4096;
const maxInFlight = 8;

export function referenceTo(obj: KubeObject, kind = obj.kind ?? '', apiVersion = obj.apiVersion ?? 'v1'): ObjectReference {
  const { namespace, name = '', uid, resourceVersion } = obj.metadata;
  return { apiVersion, kind, namespace, name, uid, resourceVersion };
}

export class EventRecorder {
  private readonly seen = new Map<string, { name: string; namespace: string; count: number }>();
  private readonly waiting: (() => Promise<void>)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private inFlight = 0;
  private seq = 0;

  constructor(private readonly client: ApiClient, readonly component: string, private readonly log?: ControllerLog) {}

  /** Records an event (in the background). */
  event(ref: ObjectReference, type: EventType, reason: string, message: string): void {
    this.waiting.push(() => this.write(ref, type, reason, message).catch((err) => {
      this.log?.warn({ err: String(err), object: `${ref.namespace ?? ''}/${ref.name}`, reason }, `${this.component}: writing an event failed`);
    }));
    this.pump();
  }

  /** Resolves once every recorded event has been written (or has failed). */
  idle(): Promise<void> {
    if (this.inFlight === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolveIdle) => this.idleWaiters.push(resolveIdle));
  }

  private pump(): void {
    while (this.inFlight < maxInFlight && this.waiting.length) {
      const job = this.waiting.shift()!;
      this.inFlight++;
      void job().finally(() => {
        this.inFlight--;
        this.pump();
        if (this.inFlight === 0 && this.waiting.length === 0) for (const resolveIdle of this.idleWaiters.splice(0)) resolveIdle();
      });
    }
  }

  private async write(ref: ObjectReference, type: EventType, reason: string, message: string): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const key = [ref.kind, ref.namespace ?? '', ref.name, ref.uid ?? '', type, reason, message].join('\u0000');
    const prior = this.seen.get(key);
    if (prior) {
      prior.count++;
      try {
        await this.client.patch(resources.events, prior.name, 'merge', { count: prior.count, lastTimestamp: now }, { namespace: prior.namespace });
        return;
      } catch {
        this.seen.delete(key); // the event expired or was deleted: write a new one
      }
    }
    const namespace = ref.namespace || 'default';
    const name = `${ref.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`;
    await this.client.create(resources.events, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      source: { component: this.component },
      reportingComponent: this.component,
      reportingInstance: '',
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    }, { namespace });
    if (this.seen.size >= maxRemembered) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { name, namespace, count: 1 });
  }
}
