// Which EndpointSlice versions this controller wrote, as kube's EndpointSliceTracker: a change
// the controller made itself does not wake the Service again, a change someone else made
// does, and a sync waits while the informer still shows slices older than its own writes
// (or ones it deleted), so it never plans from a stale cache.
import type { KubeObject } from '../../api/types.ts';

const deletionExpected = -1;

export class EndpointSliceTracker {
  /** Service key → slice uid → the generation written (or deletionExpected). */
  private readonly byService = new Map<string, Map<string, number>>();

  constructor(private readonly serviceKeyOf: (slice: KubeObject) => string | undefined) {}

  private generations(slice: KubeObject, create = false): Map<string, number> | undefined {
    const key = this.serviceKeyOf(slice);
    if (!key) return undefined;
    let gens = this.byService.get(key);
    if (!gens && create) this.byService.set(key, (gens = new Map()));
    return gens;
  }

  has(slice: KubeObject): boolean {
    return this.generations(slice)?.has(slice.metadata.uid!) ?? false;
  }

  /** ShouldSync: unknown to the tracker, or changed past what this controller wrote. */
  shouldSync(slice: KubeObject): boolean {
    const g = this.generations(slice)?.get(slice.metadata.uid!);
    return g === undefined || (slice.metadata.generation ?? 0) > g;
  }

  /** StaleSlices: the informer has not yet caught up with this controller's writes for the Service. */
  staleSlices(serviceKey: string, slices: KubeObject[]): boolean {
    const gens = this.byService.get(serviceKey);
    if (!gens) return false;
    const seen = new Set<string>();
    for (const slice of slices) {
      seen.add(slice.metadata.uid!);
      const g = gens.get(slice.metadata.uid!);
      if (g !== undefined && (g === deletionExpected || g > (slice.metadata.generation ?? 0))) return true;
    }
    for (const [uid, g] of gens) if (g !== deletionExpected && !seen.has(uid)) return true;
    return false;
  }

  update(slice: KubeObject): void {
    this.generations(slice, true)!.set(slice.metadata.uid!, slice.metadata.generation ?? 0);
  }

  expectDeletion(slice: KubeObject): void {
    this.generations(slice, true)!.set(slice.metadata.uid!, deletionExpected);
  }

  /** HandleDeletion: true when the deletion was this controller's own. */
  handleDeletion(slice: KubeObject): boolean {
    const gens = this.generations(slice);
    const g = gens?.get(slice.metadata.uid!);
    gens?.delete(slice.metadata.uid!);
    return g === deletionExpected;
  }

  deleteService(serviceKey: string): void {
    this.byService.delete(serviceKey);
  }
}
