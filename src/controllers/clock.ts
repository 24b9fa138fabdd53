// The controllers' sense of time, as k8s.io/utils/clock: the real clock in production and a
// FakeClock that tests step forward, so that "a CronJob every minute creates Jobs" or "the
// TTL expired" is proven without waiting a minute. Controllers that schedule their own
// wake-ups do it through `after()` (or a DelayedQueue), never through setTimeout directly.
import type { WorkQueue } from '../client/index.ts';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once `ms` have passed on this clock; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};

/**
 * A pass every `periodMs` on `clock`, the first at start(), as kube's periodic controllers run
 * theirs with wait.Until (pod GC, the CSR cleaner): `tick` queues the pass.
 */
export function periodicPass(clock: Clock, periodMs: number, tick: () => void): { start(): void; stop(): void } {
  let cancel: (() => void) | undefined;
  const schedule = () => {
    cancel = clock.after(periodMs, () => {
      tick();
      schedule();
    });
  };
  return {
    start() {
      tick();
      schedule();
    },
    stop: () => cancel?.(),
  };
}

/** A clock that only moves when told to (k8s.io/utils/clock/testing.FakeClock). */
export class FakeClock implements Clock {
  private current: number;
  private readonly waiters = new Set<{ at: number; fn: () => void }>();

  constructor(start: number | Date = Date.now()) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  after(ms: number, fn: () => void): () => void {
    const waiter = { at: this.current + Math.max(0, ms), fn };
    if (ms <= 0) {
      queueMicrotask(fn);
      return () => {};
    }
    this.waiters.add(waiter);
    return () => this.waiters.delete(waiter);
  }

  /** Moves time forward and fires, in time order, every waiter that came due. */
  step(ms: number): void {
    this.setTime(this.current + ms);
  }

  setTime(to: number | Date): void {
    this.current = typeof to === 'number' ? to : to.getTime();
    const due = [...this.waiters].filter((w) => w.at <= this.current).sort((a, b) => a.at - b.at);
    for (const waiter of due) {
      this.waiters.delete(waiter);
      waiter.fn();
    }
  }

  /** How many wake-ups are pending (tests wait for a controller to have scheduled one). */
  get pending(): number {
    return this.waiters.size;
  }
}

/**
 * A work queue's addAfter on a Clock: of several pending delays for one key the earliest
 * wins, as client-go's delaying queue does.
 */
export class DelayedQueue<K> {
  private readonly waiting = new Map<K, { at: number; cancel: () => void }>();

  constructor(private readonly queue: WorkQueue<K>, private readonly clock: Clock) {}

  addAfter(key: K, ms: number): void {
    if (ms <= 0) return this.queue.add(key);
    const at = this.clock.now() + ms;
    const pending = this.waiting.get(key);
    if (pending && pending.at <= at) return;
    pending?.cancel();
    const cancel = this.clock.after(ms, () => {
      this.waiting.delete(key);
      this.queue.add(key);
    });
    this.waiting.set(key, { at, cancel });
  }

  stop(): void {
    for (const { cancel } of this.waiting.values()) cancel();
    this.waiting.clear();
  }
}

/** RFC 3339 to the second, as metav1.Time serialises. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
