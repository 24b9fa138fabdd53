// The GarbageCollector's two workers, as kube's garbagecollector.go: attemptToDeleteItem
// (an item whose owners may all be gone is deleted after each owner is verified absent by a
// live GET — a cached absence is not enough; dangling references of an item that keeps a
// live owner are patched away; an owner deleting in foreground loses its finalizer once no
// blocking dependent remains) and attemptToOrphan (an owner deleted with `orphan` first has
// its references removed from every dependent, then loses the finalizer).
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { isNotFound } from '../../client/index.ts';
import type { ControllerLog } from '../types.ts';
import { RestMappingError } from './discovery.ts';
import { AbsentOwnerCache, type GraphNode } from './graph.ts';
import { finalizerForeground, finalizerOrphan, type GraphBuilder } from './graph-builder.ts';
import type { GcOperations, PropagationPolicy } from './operations.ts';

/** What the worker does with the key next (workQueueItemAction). */
export type ItemAction = 'forget' | 'requeue';

/** A cluster-scoped object naming a namespaced owner: an error no retry resolves. */
class NamespacedOwnerOfClusterScopedObjectError extends Error {}

interface Classified {
  solid: OwnerReference[];
  dangling: OwnerReference[];
  waitingForDependentsDeletion: OwnerReference[];
}

export class GarbageCollector {
  constructor(
    private readonly builder: GraphBuilder,
    private readonly ops: GcOperations,
    private readonly absentOwners: AbsentOwnerCache,
    private readonly enqueueDelete: (uid: string) => void,
    private readonly log: ControllerLog,
  ) {}

  /** attemptToDeleteWorker for the node with this uid. */
  async attemptToDeleteWorker(uid: string): Promise<ItemAction> {
    const item = this.builder.graph.get(uid);
    if (!item) return 'forget'; // gone from the graph meanwhile
    const virtualDeleted = await this.attemptToDeleteItem(item).catch((err) => {
      if (err instanceof NamespacedOwnerOfClusterScopedObjectError) return true;
      if (err instanceof RestMappingError) {
        // A kind discovery does not know yet (a custom resource being added): retry.
        this.log.debug({ item: item.toString(), err: err.message }, 'garbage collector: error syncing item');
        return 'requeue' as const;
      }
      throw err;
    });
    if (virtualDeleted === 'requeue') return 'requeue';
    // A virtual node not observed yet is checked again, so one created and deleted while a
    // watch was down cannot stay in the graph (kube issue 56121).
    if (virtualDeleted !== true && !this.builder.graph.get(uid)?.observed && this.builder.graph.get(uid)) return 'requeue';
    return 'forget';
  }

  /** Resolves true when a virtual delete event was produced (nothing more to do for the node). */
  private async attemptToDeleteItem(item: GraphNode): Promise<boolean> {
    if (item.beingDeleted && !item.deletingDependents) return false; // a one-way trip: wait for the final delete
    let latest: KubeObject;
    try {
      latest = await this.ops.getObject(item.identity);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.builder.enqueueVirtualDelete(item.identity);
      return true;
    }
    if (latest.metadata.uid !== item.identity.uid) {
      this.builder.enqueueVirtualDelete(item.identity);
      return true;
    }
    if (item.deletingDependents) {
      await this.processDeletingDependentsItem(item);
      return false;
    }
    const ownerReferences = latest.metadata.ownerReferences ?? [];
    if (ownerReferences.length === 0) return false;

    const { solid, dangling, waitingForDependentsDeletion } = await this.classifyReferences(item, ownerReferences);
    if (solid.length) {
      if (!dangling.length && !waitingForDependentsDeletion.length) return false;
      // Owners waiting for their dependents are let go too, or they would wait forever.
      const ownerUids = [...dangling, ...waitingForDependentsDeletion].map((r) => r.uid);
      this.log.debug({ item: item.toString(), ownerUids }, 'garbage collector: removing dangling and waiting owner references');
      await this.ops.deleteOwnerReferences(item, ownerUids);
      return false;
    }
    if (waitingForDependentsDeletion.length && item.dependents.size) {
      // An owner deletes in foreground and this item has dependents itself: delete it in
      // foreground too; if one of its dependents also waits, unblock first to avoid a cycle.
      if ([...item.dependents].some((dep) => dep.deletingDependents)) await this.ops.unblockOwnerReferences(item);
      await this.deleteItem(item, 'Foreground');
      return false;
    }
    // No live owner and none waiting: collect it, honouring a propagation finalizer it already has.
    const finalizers = latest.metadata.finalizers ?? [];
    const policy: PropagationPolicy = finalizers.includes(finalizerOrphan) ? 'Orphan' : finalizers.includes(finalizerForeground) ? 'Foreground' : 'Background';
    await this.deleteItem(item, policy);
    return false;
  }

  private async deleteItem(item: GraphNode, policy: PropagationPolicy): Promise<void> {
    this.log.info({ item: item.toString(), propagationPolicy: policy }, 'garbage collector: deleting item');
    try {
      await this.ops.deleteObject(item.identity, policy);
    } catch (err) {
      if (!isNotFound(err)) throw err; // gone already: its delete event will follow
    }
  }

  /** processDeletingDependentsItem: the finalizer goes when no blocking dependent remains. */
  private async processDeletingDependentsItem(item: GraphNode): Promise<void> {
    const blocking = item.blockingDependents();
    if (blocking.length === 0) {
      this.log.info({ item: item.toString() }, 'garbage collector: removing the foregroundDeletion finalizer');
      await this.ops.removeFinalizer(item.identity, finalizerForeground);
      return;
    }
    for (const dep of blocking) if (!dep.deletingDependents) this.enqueueDelete(dep.identity.uid);
  }

  /** classifyReferences: each owner solid, dangling, or deleting its dependents in foreground. */
  private async classifyReferences(item: GraphNode, references: OwnerReference[]): Promise<Classified> {
    const out: Classified = { solid: [], dangling: [], waitingForDependentsDeletion: [] };
    for (const ref of references) {
      const { dangling, owner } = await this.isDangling(ref, item);
      if (dangling) out.dangling.push(ref);
      else if (owner?.metadata.deletionTimestamp && owner.metadata.finalizers?.includes(finalizerForeground)) out.waitingForDependentsDeletion.push(ref);
      else out.solid.push(ref);
    }
    return out;
  }

  /** isDangling: the owner is absent by the cache of verified absences, or by a live GET (404 or another uid). */
  private async isDangling(ref: OwnerReference, item: GraphNode): Promise<{ dangling: boolean; owner?: KubeObject }> {
    const clusterKey = AbsentOwnerCache.key(ref);
    if (this.absentOwners.has(clusterKey)) return { dangling: true };
    const namespacedKey = AbsentOwnerCache.key(ref, item.identity.namespace);
    if (this.absentOwners.has(namespacedKey)) return { dangling: true };
    const resource = this.ops.resourceFor(ref.apiVersion, ref.kind);
    const absentKey = resource.namespaced ? namespacedKey : clusterKey;
    if (!item.identity.namespace && resource.namespaced) {
      this.log.debug({ item: item.toString(), owner: ref }, 'garbage collector: item is cluster-scoped, but refers to a namespaced owner');
      throw new NamespacedOwnerOfClusterScopedObjectError();
    }
    let owner: KubeObject;
    try {
      owner = await this.ops.getObject({ apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace: resource.namespaced ? item.identity.namespace : '' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.absentOwners.add(absentKey);
      return { dangling: true };
    }
    if (owner.metadata.uid !== ref.uid) {
      this.absentOwners.add(absentKey);
      return { dangling: true };
    }
    return { dangling: false, owner };
  }

  /** attemptToOrphanWorker: dependents lose their reference to the owner, then the owner its `orphan` finalizer. */
  async attemptToOrphanWorker(uid: string): Promise<ItemAction> {
    const owner = this.builder.graph.get(uid);
    if (!owner) return 'forget';
    const dependents = [...owner.dependents];
    const failures: string[] = [];
    await Promise.all(dependents.map(async (dep) => {
      try {
        await this.ops.deleteOwnerReferences(dep, [uid]);
      } catch (err) {
        if (!isNotFound(err)) failures.push(`orphaning ${dep.toString()} failed, ${(err as Error).message}`);
      }
    }));
    if (failures.length) throw new Error(`failed to orphan dependents of owner ${owner.toString()}, got errors: ${failures.join(', ')}`);
    await this.ops.removeFinalizer(owner.identity, finalizerOrphan);
    return 'forget';
  }
}
