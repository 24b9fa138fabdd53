// At most N promises of some kind at once: the scheduler's bindings and event writes, the
// kubelet's TokenRequests run concurrently, but a bounded number, so a burst of 1,000 pods
// does not open 1,000 requests (nor 1,000 TLS connections).
export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];

  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.running;
  }

  /** Resolves when a slot is free (without taking it). */
  async free(): Promise<void> {
    while (this.running >= this.limit) await new Promise<void>((resolveSlot) => this.waiting.push(resolveSlot));
  }

  /** Runs `task` once a slot is free; the returned promise settles with it. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.free();
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
      if (this.running === 0) for (const resolveIdle of this.idleWaiters.splice(0)) resolveIdle();
    }
  }

  /** Resolves once nothing runs. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolveIdle) => this.idleWaiters.push(resolveIdle));
  }
}
