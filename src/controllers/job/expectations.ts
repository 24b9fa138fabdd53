// What a Job sync is waiting to see in the informer's cache before it acts again:
// kube's ControllerExpectations (pod creates and deletes, by count) and the Job controller's
// uidTrackingExpectations (pods whose tracking finalizer it removed, by UID).
const expectationsTimeoutMs = 5 * 60_000;

export class PodExpectations {
  private readonly pending = new Map<string, { adds: number; dels: number; since: number }>();

  satisfied(key: string, now = Date.now()): boolean {
    const e = this.pending.get(key);
    return !e || (e.adds <= 0 && e.dels <= 0) || now - e.since > expectationsTimeoutMs;
  }
  expectCreations(key: string, count: number): void {
    this.pending.set(key, { adds: count, dels: 0, since: Date.now() });
  }
  expectDeletions(key: string, count: number): void {
    this.pending.set(key, { adds: 0, dels: count, since: Date.now() });
  }
  creationObserved(key: string): void {
    const e = this.pending.get(key);
    if (e) e.adds--;
  }
  deletionObserved(key: string): void {
    const e = this.pending.get(key);
    if (e) e.dels--;
  }
  delete(key: string): void {
    this.pending.delete(key);
  }
}

export class FinalizerExpectations {
  private readonly pending = new Map<string, Set<string>>();

  expectRemoved(key: string, uids: string[]): void {
    const set = this.pending.get(key) ?? new Set<string>();
    for (const uid of uids) set.add(uid);
    this.pending.set(key, set);
  }
  removalObserved(key: string, uid: string): void {
    const set = this.pending.get(key);
    set?.delete(uid);
    if (set?.size === 0) this.pending.delete(key);
  }
  expected(key: string): Set<string> {
    return new Set(this.pending.get(key) ?? []);
  }
  delete(key: string): void {
    this.pending.delete(key);
  }
}
