// The scheduling queue, as kube-scheduler's PriorityQueue: activeQ (a heap ordered by
// priority, then by when the pod was queued — the PrioritySort plugin), backoffQ (pods
// waiting out podInitialBackoff 1 s doubling to podMaxBackoff 10 s after a failed attempt)
// and unschedulablePods (waiting for a cluster event that may help them; flushed to the
// active queue after 5 minutes regardless). Keys are `namespace/name`.
import type { Pod } from '../api/core-v1.ts';

export interface QueuedPod {
  key: string;
  pod: Pod;
  priority: number;
  /** When the pod entered the queue (PrioritySort's tie-breaker), then arrival order. */
  timestamp: number;
  seq: number;
  /** Scheduling attempts so far; drives the backoff. */
  attempts: number;
  /** When the last attempt failed. */
  failedAt?: number;
  /** The plugins that rejected it last, to match against cluster events. */
  unschedulablePlugins: Set<string>;
  where: 'active' | 'backoff' | 'unschedulable' | 'in-flight';
}

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** podMaxInUnschedulablePodsDuration. */
  maxUnschedulableMs?: number;
  now?: () => number;
}

/** A binary heap; `less(a, b)` true when a comes out first. */
class Heap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => boolean) {}
  get size(): number {
    return this.items.length;
  }
  push(item: T): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.less(a[i], a[parent])) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length && last !== undefined) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l], a[m])) m = l;
        if (r < a.length && this.less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

export class SchedulingQueue {
  private readonly pods = new Map<string, QueuedPod>();
  /** Entries may be stale (the pod moved or left): pop() skips those. */
  private readonly active = new Heap<QueuedPod>((a, b) => (a.priority !== b.priority ? a.priority > b.priority
    : a.timestamp !== b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq));
  private readonly backoffTimers = new Map<string, NodeJS.Timeout>();
  private readonly waiters: ((p: QueuedPod | undefined) => void)[] = [];
  private readonly flushTimer: NodeJS.Timeout;
  private closed = false;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly now: () => number;
  private seq = 0;

  constructor(opts: QueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
    this.flushTimer = setInterval(() => this.flushUnschedulableLeftover(), 30_000);
    this.flushTimer.unref();
  }

  get length(): number {
    return this.active.size;
  }

  has(key: string): boolean {
    return this.pods.has(key);
  }

  get(key: string): QueuedPod | undefined {
    return this.pods.get(key);
  }

  /** A new pending pod: straight to the active queue. */
  add(pod: Pod, priority: number): void {
    const key = keyOf(pod);
    if (this.pods.has(key)) return this.update(pod, priority);
    const qp: QueuedPod = { key, pod, priority, timestamp: this.now(), seq: this.seq++, attempts: 0, unschedulablePlugins: new Set(), where: 'active' };
    this.pods.set(key, qp);
    this.activate(qp);
  }

  /**
   * The pod changed: keep the newest version; an unschedulable pod whose spec or labels
   * changed may fit now, so it is retried (after its backoff), as kube's Update does.
   */
  update(pod: Pod, priority: number): void {
    const qp = this.pods.get(keyOf(pod));
    if (!qp) return this.add(pod, priority);
    // Status writes (our own PodScheduled condition among them) change nothing for scheduling.
    const relevant = JSON.stringify(qp.pod.spec) !== JSON.stringify(pod.spec)
      || JSON.stringify(qp.pod.metadata.labels) !== JSON.stringify(pod.metadata.labels);
    qp.pod = pod;
    qp.priority = priority;
    if (qp.where === 'unschedulable' && relevant) this.requeue(qp);
  }

  delete(key: string): void {
    const qp = this.pods.get(key);
    if (!qp) return;
    this.pods.delete(key);
    clearTimeout(this.backoffTimers.get(key));
    this.backoffTimers.delete(key);
    qp.where = 'unschedulable'; // any heap entry left behind is now stale
  }

  /** The next pod to schedule, by priority then age; undefined once closed. */
  pop(): Promise<QueuedPod | undefined> {
    const next = this.take();
    if (next || this.closed) return Promise.resolve(next);
    return new Promise((resolvePop) => this.waiters.push(resolvePop));
  }

  /** A pod that failed outside a scheduling attempt (its binding was refused): into backoff. */
  addFailed(pod: Pod, priority: number): void {
    const key = keyOf(pod);
    let qp = this.pods.get(key);
    if (!qp) {
      qp = { key, pod, priority, timestamp: this.now(), seq: this.seq++, attempts: 0, unschedulablePlugins: new Set(), where: 'in-flight' };
      this.pods.set(key, qp);
    }
    qp.pod = pod;
    qp.priority = priority;
    this.failed(key, 'error');
  }

  /** After an attempt that failed: wait for a cluster event (unschedulable) or just back off (error). */
  failed(key: string, unschedulablePlugins: Iterable<string> | 'error'): void {
    const qp = this.pods.get(key);
    if (!qp) return;
    qp.attempts++;
    qp.failedAt = this.now();
    if (unschedulablePlugins === 'error') {
      qp.unschedulablePlugins = new Set();
      this.backoff(qp);
    } else {
      qp.unschedulablePlugins = new Set(unschedulablePlugins);
      qp.where = 'unschedulable';
    }
  }

  /** The pod was bound (or handed elsewhere): it leaves the queue. */
  done(key: string): void {
    this.delete(key);
  }

  /**
   * MoveAllToActiveOrBackoffQueue: a cluster event happened; every unschedulable pod that
   * one of `plugins` rejected (or all, with no filter) is retried once its backoff is over.
   */
  moveAllToActiveOrBackoff(isRelevant: (qp: QueuedPod) => boolean = () => true): number {
    let moved = 0;
    for (const qp of this.pods.values()) {
      if (qp.where !== 'unschedulable' || !isRelevant(qp)) continue;
      this.requeue(qp);
      moved++;
    }
    return moved;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.flushTimer);
    for (const t of this.backoffTimers.values()) clearTimeout(t);
    this.backoffTimers.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** calculateBackoffDuration: 1 s, 2 s, 4 s, ... capped at 10 s. */
  backoffDuration(attempts: number): number {
    return Math.min(this.initialBackoffMs * 2 ** Math.max(0, attempts - 1), this.maxBackoffMs);
  }

  private requeue(qp: QueuedPod): void {
    const remaining = (qp.failedAt ?? 0) + this.backoffDuration(qp.attempts) - this.now();
    if (qp.attempts > 0 && remaining > 0) this.backoff(qp, remaining);
    else this.activate(qp);
  }

  private backoff(qp: QueuedPod, ms = this.backoffDuration(qp.attempts)): void {
    qp.where = 'backoff';
    clearTimeout(this.backoffTimers.get(qp.key));
    const timer = setTimeout(() => {
      this.backoffTimers.delete(qp.key);
      if (this.pods.get(qp.key) === qp && qp.where === 'backoff') this.activate(qp);
    }, ms);
    this.backoffTimers.set(qp.key, timer);
  }

  private activate(qp: QueuedPod): void {
    if (this.closed) return;
    qp.where = 'active';
    const waiter = this.waiters.shift();
    if (waiter) {
      qp.where = 'in-flight';
      waiter(qp);
    } else this.active.push(qp);
  }

  private take(): QueuedPod | undefined {
    for (let qp = this.active.pop(); qp; qp = this.active.pop()) {
      // Skip entries for pods that left or moved since they were pushed.
      if (this.pods.get(qp.key) !== qp || qp.where !== 'active') continue;
      qp.where = 'in-flight';
      return qp;
    }
    return undefined;
  }

  private flushUnschedulableLeftover(): void {
    const now = this.now();
    this.moveAllToActiveOrBackoff((qp) => now - (qp.failedAt ?? now) > this.maxUnschedulableMs);
  }
}

function keyOf(pod: Pod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}
