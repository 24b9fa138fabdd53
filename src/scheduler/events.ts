// core/v1 Events about pods, as client-go's legacy event recorder writes them for
// kube-scheduler: source.component and reportingComponent name the scheduler, the name is
// `<pod>.<hex nanoseconds>`, and a repeat of the same reason and message on the same pod
// bumps count and lastTimestamp of the first event instead of writing a new one (the
// recorder's EventCorrelator), so a pod that stays Pending shows "(x5 over 2m)".
import type { ApiClient } from '../client/index.ts';
import { resources } from '../client/index.ts';
import type { KubeObject } from '../api/types.ts';
import { ConcurrencyLimiter } from './limiter.ts';
import type { Pod } from './types.ts';

export interface EventLog {
  warn(obj: object, msg?: string): void;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
}

const maxRemembered = 4096;

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly limiter: ConcurrencyLimiter;
  private seq = 0;

  /** `concurrency` is kept below the binder's so that under load bindings get most of the server. */
  constructor(private readonly client: ApiClient, private readonly component: string, private readonly log?: EventLog, concurrency = 4) {
    this.limiter = new ConcurrencyLimiter(concurrency);
  }

  /** Writes (or bumps) an event in the background; failures are logged, never thrown. */
  record(pod: Pod, type: 'Normal' | 'Warning', reason: string, action: string, message: string): void {
    void this.limiter.run(() => this.write(pod, type, reason, action, message)).catch((err) => {
      this.log?.warn({ err: String(err), pod: pod.metadata.name, reason }, 'scheduler: writing an event failed');
    });
  }

  /** Drops what is remembered of a pod's events (the pod is gone or scheduled). */
  forget(uid: string | undefined): void {
    if (!uid) return;
    for (const key of this.seen.keys()) if (key.startsWith(`${uid}\u0000`)) this.seen.delete(key);
  }

  idle(): Promise<void> {
    return this.limiter.idle();
  }

  private async write(pod: Pod, type: string, reason: string, action: string, message: string): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const key = `${pod.metadata.uid}\u0000${reason}\u0000${message}`;
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
    const namespace = pod.metadata.namespace ?? 'default';
    const name = `${pod.metadata.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`;
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: 'v1', kind: 'Pod', namespace, name: pod.metadata.name, uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      action,
      source: { component: this.component },
      reportingComponent: this.component,
      reportingInstance: '',
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    await this.client.create(resources.events, event, { namespace });
    if (this.seen.size >= maxRemembered) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { name, namespace, count: 1 });
  }
}
