// Bookkeeping the DaemonSet controller keeps between syncs: ControllerExpectations (creates and
// deletes sent but not yet seen by the informer, so a sync never acts twice on a stale cache)
// and the failed-pods backoff (flowcontrol.Backoff, 1 s doubling to 15 min per DaemonSet and
// node) that keeps it from fighting a kubelet that keeps failing its pod.

/** kube's ExpectationsTimeout: unobserved creates/deletes stop blocking a sync after this. */
const expectationsTimeoutMs = 5 * 60_000;

export class Expectations {
  private readonly pending = new Map<string, { adds: number; dels: number; since: number }>();

  /** SatisfiedExpectations. */
  satisfied(key: string, now = Date.now()): boolean {
    const e = this.pending.get(key);
    return !e || (e.adds <= 0 && e.dels <= 0) || now - e.since > expectationsTimeoutMs;
  }
  /** SetExpectations. */
  set(key: string, adds: number, dels: number): void {
    this.pending.set(key, { adds, dels, since: Date.now() });
  }
  /** LowerExpectations. */
  lower(key: string, adds: number, dels: number): void {
    const e = this.pending.get(key);
    if (e) (e.adds -= adds, e.dels -= dels);
  }
  creationObserved(key: string): void {
    this.lower(key, 1, 0);
  }
  deletionObserved(key: string): void {
    this.lower(key, 0, 1);
  }
  delete(key: string): void {
    this.pending.delete(key);
  }
}

const backoffInitialMs = 1000;
const backoffMaxMs = 15 * 60_000;

/** flowcontrol.Backoff as the DaemonSet controller uses it for failed pods. */
export class FailedPodsBackoff {
  private readonly entries = new Map<string, { delay: number; lastUpdate: number }>();

  /** IsInBackOffSinceUpdate. */
  inBackoff(key: string, now = Date.now()): boolean {
    const e = this.entries.get(key);
    return !!e && now - e.lastUpdate < e.delay;
  }
  /** Get: the current delay. */
  delay(key: string): number {
    return this.entries.get(key)?.delay ?? 0;
  }
  /** Next: starts at the initial delay (or after a long quiet), else doubles up to the maximum. */
  next(key: string, now = Date.now()): void {
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * backoffMaxMs) this.entries.set(key, { delay: backoffInitialMs, lastUpdate: now });
    else this.entries.set(key, { delay: Math.min(e.delay * 2, backoffMaxMs), lastUpdate: now });
  }
  /** GC: forgets entries quiet for twice the maximum. */
  gc(now = Date.now()): void {
    for (const [key, e] of this.entries) if (now - e.lastUpdate > 2 * backoffMaxMs) this.entries.delete(key);
  }
}
