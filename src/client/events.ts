// core/v1 Events as client-go's legacy event recorder writes them (tools/record): source
// names the component (and, for a kubelet, the host), the name is `<object>.<hex unix
// nanoseconds>`, an event about a cluster-scoped object lives in `default`, and — unless
// `correlate` is off — a repeat of the same type, reason and message about the same object
// bumps count and lastTimestamp of the first event instead of writing a new one (the
// recorder's EventCorrelator), so a pod that stays Pending shows "(x5 over 2m)".
// `event()` writes in the background, a few at a time, and logs failures; `write()` is the
// same write awaited, for callers that post in order and handle errors themselves.
import type { KubeObject } from '../api/types.ts';
import type { ApiClient } from './rest.ts';
import { resources } from './resource.ts';

export type EventType = 'Normal' | 'Warning';

/** What an event is about (core/v1 ObjectReference). */
export interface ObjectReference {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface EventLog {
  warn(obj: object, msg?: string): void;
}

export interface EventRecorderOptions {
  /** source.component and reportingComponent. */
  component: string;
  /** source.host (the kubelet's node); left out when unset. */
  host?: string;
  reportingInstance?: string;
  /** Writes in flight at once for `event()`. */
  concurrency?: number;
  /** Bump count on repeats (the EventCorrelator); on unless false. */
  correlate?: boolean;
  /** Send `eventTime: null`, as the kubelet's recorder serializes a zero MicroTime. */
  nullEventTime?: boolean;
  log?: EventLog;
}

export interface EventDetails {
  action?: string;
  /** firstTimestamp/lastTimestamp and the name's time; now unless given. */
  now?: Date;
}

const maxRemembered = 4096;

export function referenceTo(obj: KubeObject, kind = obj.kind ?? '', apiVersion = obj.apiVersion ?? 'v1'): ObjectReference {
  const { namespace, name = '', uid, resourceVersion } = obj.metadata;
  return { apiVersion, kind, namespace, name, uid, resourceVersion };
}

let lastNanos = 0n;

/** Strictly increasing unix nanoseconds, so that event names never collide and sort by time. */
function uniqueNanos(now: Date): bigint {
  let nanos = BigInt(now.getTime()) * 1_000_000n;
  if (nanos <= lastNanos) nanos = lastNanos + 1n;
  lastNanos = nanos;
  return nanos;
}

function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

export class EventRecorder {
  readonly component: string;
  private readonly seen = new Map<string, { name: string; namespace: string; count: number }>();
  private readonly waiting: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private readonly concurrency: number;
  private inFlight = 0;

  constructor(private readonly client: ApiClient, private readonly opts: EventRecorderOptions) {
    this.component = opts.component;
    this.concurrency = opts.concurrency ?? 8;
  }

  /** Records an event in the background; a failure is logged, never thrown. */
  event(ref: ObjectReference, type: EventType, reason: string, message: string, details: EventDetails = {}): void {
    this.waiting.push(() => void this.write(ref, type, reason, message, details).catch((err) => {
      this.opts.log?.warn({ err: String(err), object: `${ref.namespace ?? ''}/${ref.name}`, reason }, `${this.component}: writing an event failed`);
    }).finally(() => this.done()));
    this.pump();
  }

  /** Drops what is remembered of an object's events (it is gone, or its story is over). */
  forget(uid: string | undefined): void {
    if (!uid) return;
    for (const key of this.seen.keys()) if (key.startsWith(`${uid}\u0000`)) this.seen.delete(key);
  }

  /** Resolves once every event recorded with `event()` has been written (or has failed). */
  idle(): Promise<void> {
    if (this.inFlight === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolveIdle) => this.idleWaiters.push(resolveIdle));
  }

  /** Writes (or bumps) one event now; errors are the caller's. */
  async write(ref: ObjectReference, type: EventType, reason: string, message: string, details: EventDetails = {}): Promise<void> {
    const now = details.now ?? new Date();
    const time = rfc3339(now);
    const correlate = this.opts.correlate !== false;
    // The involved object's fieldPath is part of it, as in client-go's getEventKey (two containers' events differ).
    const key = [ref.uid ?? '', ref.kind, ref.namespace ?? '', ref.name, ref.fieldPath ?? '', type, reason, message].join('\u0000');
    const prior = correlate ? this.seen.get(key) : undefined;
    if (prior) {
      prior.count++;
      try {
        await this.client.patch(resources.events, prior.name, 'merge', { count: prior.count, lastTimestamp: time }, { namespace: prior.namespace });
        return;
      } catch {
        this.seen.delete(key); // the event expired or was deleted: write a new one
      }
    }
    const namespace = ref.namespace || 'default';
    const name = `${ref.name}.${uniqueNanos(now).toString(16)}`;
    const { host, reportingInstance = '', nullEventTime } = this.opts;
    await this.client.create(resources.events, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: ref,
      reason,
      message,
      type,
      ...(details.action !== undefined && { action: details.action }),
      source: host === undefined ? { component: this.component } : { component: this.component, host },
      reportingComponent: this.component,
      reportingInstance,
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
      ...(nullEventTime && { eventTime: null }),
    }, { namespace });
    if (!correlate) return;
    if (this.seen.size >= maxRemembered) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { name, namespace, count: 1 });
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.waiting.length) {
      this.inFlight++;
      this.waiting.shift()!();
    }
  }

  private done(): void {
    this.inFlight--;
    this.pump();
    if (this.inFlight === 0 && this.waiting.length === 0) for (const resolveIdle of this.idleWaiters.splice(0)) resolveIdle();
  }
}
