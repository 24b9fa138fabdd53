// A token bucket as golang.org/x/time/rate's Limiter, which client-go uses both for the
// client's qps/burst throttle and for the work queue's overall bucket: tokens refill at
// `qps` per second up to `burst`; taking a token may leave the bucket in debt, and the debt
// is the caller's wait.
export interface TokenBucketOptions {
  /** Tokens per second; 0 or Infinity disables limiting. */
  qps: number;
  burst: number;
  now?: () => number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly now: () => number;

  constructor(private readonly opts: TokenBucketOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.tokens = opts.burst;
    this.last = this.now();
  }

  get unlimited(): boolean {
    return !(this.opts.qps > 0) || this.opts.qps === Infinity;
  }

  /** Takes one token and returns how many milliseconds the caller must wait before using it. */
  reserve(): number {
    if (this.unlimited) return 0;
    const now = this.now();
    this.tokens = Math.min(this.opts.burst, this.tokens + ((now - this.last) / 1000) * this.opts.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.opts.qps) * 1000;
  }

  /** Waits for a token (client-go's tokenBucketRateLimiter.Wait). */
  async wait(signal?: AbortSignal): Promise<void> {
    const delay = this.reserve();
    if (delay > 0) await sleep(delay, signal);
  }
}

/** setTimeout as a promise; rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolveSleep, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolveSleep();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
