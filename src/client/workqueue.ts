// A rate-limited, de-duplicating work queue, as client-go's workqueue that controller-runtime
// builds on: a key waiting in the queue is held once however often it is added ("dirty"); a
// key being processed is never handed to a second worker, and if it is added meanwhile it is
// queued again when the first worker calls done(); addAfter/addRateLimited schedule adds.
import { workqueueMetrics, type QueueMetrics } from '../metrics/workqueue.ts';
import { TokenBucket } from './rate-limit.ts';

/** When to retry an item: client-go's workqueue.TypedRateLimiter. */
export interface RateLimiter<K> {
  /** The delay before the item may be retried; counts one more failure. */
  when(item: K): number;
  /** Clears the item's failure history (after a success). */
  forget(item: K): void;
  numRequeues(item: K): number;
}

/** Per-item exponential backoff: base·2^failures, capped (ItemExponentialFailureRateLimiter). */
export class ItemExponentialRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  constructor(private readonly baseMs = 5, private readonly maxMs = 1000_000) {}
  when(item: K): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }
  forget(item: K): void {
    this.failures.delete(item);
  }
  numRequeues(item: K): number {
    return this.failures.get(item) ?? 0;
  }
}

/** An overall token bucket shared by all items (BucketRateLimiter). */
export class BucketRateLimiter<K> implements RateLimiter<K> {
  private readonly bucket: TokenBucket;
  constructor(qps = 10, burst = 100) {
    this.bucket = new TokenBucket({ qps, burst });
  }
  when(): number {
    return this.bucket.reserve();
  }
  forget(): void {}
  numRequeues(): number {
    return 0;
  }
}

/** The longest delay of several limiters (MaxOfRateLimiter). */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  private readonly limiters: RateLimiter<K>[];
  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }
  when(item: K): number {
    return Math.max(0, ...this.limiters.map((l) => l.when(item)));
  }
  forget(item: K): void {
    for (const l of this.limiters) l.forget(item);
  }
  numRequeues(item: K): number {
    return Math.max(0, ...this.limiters.map((l) => l.numRequeues(item)));
  }
}

/** DefaultTypedControllerRateLimiter: 5 ms..1000 s per item, 10 qps / 100 burst overall. */
export function defaultControllerRateLimiter<K>(): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(new ItemExponentialRateLimiter<K>(5, 1000_000), new BucketRateLimiter<K>(10, 100));
}

export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  /** Items that need processing: queued, or added again while being processed. */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  /** addAfter: the earliest time each waiting item becomes ready, and its timer. */
  private readonly waiting = new Map<K, { readyAt: number; timer: NodeJS.Timeout }>();
  private readonly getters: ((item: K | undefined) => void)[] = [];
  private readonly drainWaiters: (() => void)[] = [];
  private shuttingDown = false;
  private readonly metrics: QueueMetrics | undefined;

  /** A `name` gives the queue client-go's workqueue_* metrics, labelled with it. */
  constructor(readonly rateLimiter: RateLimiter<K> = defaultControllerRateLimiter<K>(), opts: { name?: string } = {}) {
    this.metrics = workqueueMetrics(opts.name);
  }

  /** Queues an item unless it is already waiting; an item in processing is re-queued at done(). */
  add(item: K): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.metrics?.added(item);
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(item);
      this.processing.add(item);
      this.metrics?.started(item);
      getter(item);
    } else this.queue.push(item);
  }

  /** Adds after a delay; of several pending delays for one item, the earliest wins. */
  addAfter(item: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(item);
    const readyAt = Date.now() + ms;
    const pending = this.waiting.get(item);
    if (pending && pending.readyAt <= readyAt) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.waiting.delete(item);
      this.add(item);
    }, ms);
    this.waiting.set(item, { readyAt, timer });
  }

  /** Adds after the rate limiter's delay for this item (its backoff grows with each call). */
  addRateLimited(item: K): void {
    this.metrics?.retried();
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Ends the item's backoff: the next addRateLimited starts again from the base delay. */
  forget(item: K): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: K): number {
    return this.rateLimiter.numRequeues(item);
  }

  /**
   * The next item, once one is ready; undefined once the queue is shut down, or when `signal`
   * aborts the wait (then no item is taken).
   */
  get(signal?: AbortSignal): Promise<K | undefined> {
    if (this.shuttingDown || signal?.aborted) return Promise.resolve(undefined);
    const item = this.queue.shift();
    if (item !== undefined) {
      this.dirty.delete(item);
      this.processing.add(item);
      this.metrics?.started(item);
      return Promise.resolve(item);
    }
    return new Promise((resolveGet) => {
      const getter = (next: K | undefined) => {
        signal?.removeEventListener('abort', onAbort);
        resolveGet(next);
      };
      const onAbort = () => {
        const at = this.getters.indexOf(getter);
        if (at >= 0) this.getters.splice(at, 1);
        resolveGet(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.getters.push(getter);
    });
  }

  /** Marks an item processed; if it was added meanwhile, it is queued again now. */
  done(item: K): void {
    this.metrics?.finished(item);
    this.processing.delete(item);
    if (this.dirty.has(item) && !this.shuttingDown) {
      this.dirty.delete(item);
      this.add(item);
    }
    if (this.processing.size === 0) for (const resolveDrain of this.drainWaiters.splice(0)) resolveDrain();
  }

  /** Items waiting to be handed out (not counting delayed or in-process ones). */
  get length(): number {
    return this.queue.length;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops handing out items: get() answers undefined from now on, queued and delayed items
   * are dropped (controllers are level-triggered; the next start lists everything again).
   */
  shutdown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    this.queue.length = 0;
    this.dirty.clear();
    this.metrics?.cleared();
    for (const getter of this.getters.splice(0)) getter(undefined);
  }

  /** Shuts down and resolves once every item handed out has been marked done (ShutDownWithDrain). */
  shutdownWithDrain(): Promise<void> {
    this.shutdown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolveDrain) => this.drainWaiters.push(resolveDrain));
  }
}

/** What a reconcile asks for, as controller-runtime's reconcile.Result. */
export type ReconcileResult = { requeueAfter?: number; requeue?: boolean } | void;

export interface RunWorkersOptions<K> {
  /** Called with a reconcile's error before the item is requeued with backoff. */
  onError?: (item: K, err: unknown) => void;
}

/**
 * Runs `n` workers until the queue shuts down, as controller-runtime's processNextWorkItem:
 * an error or `requeue` → addRateLimited; `requeueAfter` → forget + addAfter; success → forget.
 * Resolves when every worker has exited.
 */
export async function runWorkers<K>(queue: WorkQueue<K>, n: number, reconcile: (item: K) => Promise<ReconcileResult>,
  opts: RunWorkersOptions<K> = {}): Promise<void> {
  const worker = async () => {
    for (let item = await queue.get(); item !== undefined; item = await queue.get()) {
      try {
        const result = await reconcile(item);
        if (result?.requeueAfter && result.requeueAfter > 0) {
          queue.forget(item);
          queue.addAfter(item, result.requeueAfter);
        } else if (result?.requeue) queue.addRateLimited(item);
        else queue.forget(item);
      } catch (err) {
        opts.onError?.(item, err);
        queue.addRateLimited(item);
      } finally {
        queue.done(item);
      }
    }
  };
  await Promise.all(Array.from({ length: n }, worker));
}
