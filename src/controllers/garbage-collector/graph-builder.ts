// The GraphBuilder, as kube's garbagecollector/graph_builder.go processGraphChanges: every
// event of every monitor updates the uid → node graph, and the changes that may make an
// object collectable put it on attemptToDelete (an owner gone, an owner waiting for its
// dependents in foreground) or on attemptToOrphan (an owner deleted with the `orphan`
// finalizer). Events are processed in arrival order: JS runs each handler to completion,
// which is what kube's single graphChanges worker guarantees.
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import type { WorkQueue } from '../../client/index.ts';
import type { EventRecorder } from '../events.ts';
import type { ControllerLog } from '../types.ts';
import { AbsentOwnerCache, GraphNode, referenceMatches, referencesDiff, type DependencyGraph, type ObjectIdentity } from './graph.ts';

export const finalizerOrphan = 'orphan';
export const finalizerForeground = 'foregroundDeletion';

export interface GraphEvent {
  type: 'add' | 'update' | 'delete';
  /** Made up by the collector (the API server said the object is gone), not seen by a monitor. */
  virtual?: boolean;
  apiVersion: string;
  kind: string;
  obj: KubeObject;
  oldObj?: KubeObject;
}

export interface GraphBuilderDeps {
  graph: DependencyGraph;
  absentOwners: AbsentOwnerCache;
  attemptToDelete: WorkQueue<string>;
  attemptToOrphan: WorkQueue<string>;
  recorder: EventRecorder;
  log: ControllerLog;
}

const hasFinalizer = (obj: KubeObject | undefined, f: string) => !!obj?.metadata.finalizers?.includes(f);
const beingDeleted = (obj: KubeObject | undefined) => !!obj?.metadata.deletionTimestamp;

/** deletionStartsWithFinalizer: now being deleted with `f`, and was not before. */
function deletionStartsWith(oldObj: KubeObject | undefined, obj: KubeObject, f: string): boolean {
  if (!beingDeleted(obj) || !hasFinalizer(obj, f)) return false;
  return !oldObj || !beingDeleted(oldObj) || !hasFinalizer(oldObj, f);
}

export class GraphBuilder {
  constructor(private readonly deps: GraphBuilderDeps) {}

  get graph(): DependencyGraph {
    return this.deps.graph;
  }

  /** enqueueVirtualDeleteEvent: the API server says this identity does not exist. */
  enqueueVirtualDelete(identity: ObjectIdentity): void {
    const { apiVersion, kind, namespace, name, uid } = identity;
    this.process({ type: 'delete', virtual: true, apiVersion, kind, obj: { apiVersion, kind, metadata: { namespace: namespace || undefined, name, uid } } });
  }

  process(event: GraphEvent): void {
    const meta = event.obj.metadata;
    const observed = identityOf(event);
    let existing = this.graph.get(observed.uid);
    if (existing && !event.virtual && !existing.observed) existing = this.markObserved(existing, observed);
    if (event.type !== 'delete') {
      if (!existing) {
        const node = new GraphNode(observed, {
          owners: meta.ownerReferences ?? [],
          beingDeleted: beingDeleted(event.obj),
          deletingDependents: beingDeleted(event.obj) && hasFinalizer(event.obj, finalizerForeground),
        });
        this.graph.set(node);
        this.addDependentToOwners(node, node.owners);
        this.processTransitions(event.oldObj, event.obj, node);
        return;
      }
      const { added, removed, changed } = referencesDiff(existing.owners, meta.ownerReferences ?? []);
      if (added.length || removed.length || changed.length) {
        this.addUnblockedOwnersToDeleteQueue(removed, changed);
        existing.owners = meta.ownerReferences ?? [];
        this.addDependentToOwners(existing, added);
        this.removeDependentFromOwners(existing, removed);
      }
      if (beingDeleted(event.obj)) existing.beingDeleted = true;
      this.processTransitions(event.oldObj, event.obj, existing);
      return;
    }
    if (!existing) return;
    if (event.virtual && !this.virtualDeleteRemoves(existing, observed)) return;
    this.removeNode(existing);
    if (existing.dependents.size) this.deps.absentOwners.add(AbsentOwnerCache.key(observed, observed.namespace));
    for (const dep of existing.dependents) this.deps.attemptToDelete.add(dep.identity.uid);
    for (const owner of existing.owners) {
      const ownerNode = this.graph.get(owner.uid);
      // Let an owner waiting in foreground see whether its last blocking dependent just went.
      if (ownerNode?.deletingDependents) this.deps.attemptToDelete.add(ownerNode.identity.uid);
    }
  }

  /**
   * A virtual node meets its object: dependents that named it by other coordinates (another
   * namespace, kind or name) are checked again, and a namespace mismatch is reported.
   */
  private markObserved(existing: GraphNode, observed: ObjectIdentity): GraphNode {
    let node = existing;
    if (!sameIdentity(existing.identity, observed)) {
      const { nonmatching } = partitionDependents([...existing.dependents], observed);
      for (const dep of nonmatching) {
        if (observed.namespace && dep.identity.namespace !== observed.namespace) this.reportInvalidNamespaceOwnerRef(dep, observed.uid);
        this.deps.attemptToDelete.add(dep.identity.uid);
      }
      node = existing.clone(); // virtual nodes own nothing, so nothing else points at the old copy
      node.identity = observed;
      this.graph.set(node);
    }
    node.observed = true;
    node.virtual = false;
    return node;
  }

  /** A virtual delete of `deleted`: false when the node must stay (its dependents disagree on who it is). */
  private virtualDeleteRemoves(existing: GraphNode, deleted: ObjectIdentity): boolean {
    if (!existing.virtual && sameIdentity(existing.identity, deleted)) return true;
    const { matching, nonmatching } = partitionDependents([...existing.dependents], deleted);
    if (existing.virtual && nonmatching.length === 0) return true;
    if (matching.length) {
      this.deps.absentOwners.add(AbsentOwnerCache.key(deleted, deleted.namespace));
      for (const dep of matching) this.deps.attemptToDelete.add(dep.identity.uid);
    }
    if (existing.virtual && sameIdentity(existing.identity, deleted)) {
      // getAlternateOwnerIdentity: try the coordinates another dependent uses.
      const alternate = alternateIdentity(nonmatching, deleted);
      if (alternate) {
        const replacement = existing.clone();
        replacement.identity = alternate;
        this.graph.set(replacement);
        this.deps.attemptToDelete.addRateLimited(alternate.uid);
      }
    }
    return false;
  }

  /** addDependentToOwners: owners not in the graph yet become virtual nodes to verify. */
  private addDependentToOwners(node: GraphNode, owners: OwnerReference[]): void {
    let potentiallyInvalid = false;
    for (const owner of owners) {
      let ownerNode = this.graph.get(owner.uid);
      const found = !!ownerNode;
      if (!ownerNode) {
        ownerNode = new GraphNode({ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, namespace: node.identity.namespace }, { virtual: true });
        this.graph.set(ownerNode);
      }
      ownerNode.dependents.add(node);
      if (!found) {
        this.deps.attemptToDelete.add(owner.uid);
        continue;
      }
      if (potentiallyInvalid) continue;
      const ownerNamespace = ownerNode.identity.namespace;
      if (ownerNamespace && ownerNamespace !== node.identity.namespace) {
        // A namespaced owner must live in its dependent's namespace.
        if (ownerNode.observed) this.reportInvalidNamespaceOwnerRef(node, owner.uid);
        potentiallyInvalid = true;
      } else if (!referenceMatches(owner, ownerNode.identity)) {
        potentiallyInvalid = true;
      } else if (!ownerNamespace && ownerNode.identity.namespace !== node.identity.namespace && !ownerNode.observed) {
        potentiallyInvalid = true;
      }
    }
    if (potentiallyInvalid) this.deps.attemptToDelete.add(node.identity.uid);
  }

  private removeNode(node: GraphNode): void {
    this.graph.delete(node.identity.uid);
    this.removeDependentFromOwners(node, node.owners);
  }

  private removeDependentFromOwners(node: GraphNode, owners: OwnerReference[]): void {
    for (const owner of owners) this.graph.get(owner.uid)?.dependents.delete(node);
  }

  /** An owner waiting in foreground may be unblocked when a blocking reference goes or stops blocking. */
  private addUnblockedOwnersToDeleteQueue(removed: OwnerReference[], changed: { oldRef: OwnerReference; newRef: OwnerReference }[]): void {
    const unblocked = [
      ...removed.filter((r) => r.blockOwnerDeletion === true),
      ...changed.filter((c) => c.oldRef.blockOwnerDeletion === true && c.newRef.blockOwnerDeletion !== true).map((c) => c.newRef),
    ];
    for (const ref of unblocked) if (this.graph.get(ref.uid)) this.deps.attemptToDelete.add(ref.uid);
  }

  private processTransitions(oldObj: KubeObject | undefined, obj: KubeObject, node: GraphNode): void {
    if (deletionStartsWith(oldObj, obj, finalizerOrphan)) {
      this.deps.attemptToOrphan.add(node.identity.uid);
      return;
    }
    if (deletionStartsWith(oldObj, obj, finalizerForeground)) {
      node.deletingDependents = true;
      for (const dep of node.dependents) this.deps.attemptToDelete.add(dep.identity.uid);
      this.deps.attemptToDelete.add(node.identity.uid);
    }
  }

  /** reportInvalidNamespaceOwnerRef: a Warning event on the dependent, worded as kube's. */
  private reportInvalidNamespaceOwnerRef(node: GraphNode, ownerUid: string): void {
    const ref = node.owners.find((o) => o.uid === ownerUid);
    if (!ref) return;
    const { apiVersion, kind, namespace, name, uid } = node.identity;
    const owner = new GraphNode({ apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace });
    this.deps.log.debug({ item: node.toString(), owner: owner.toString() }, 'garbage collector: item references an owner but does not match namespaces');
    this.deps.recorder.event({ apiVersion, kind, namespace: namespace || undefined, name, uid }, 'Warning', 'OwnerRefInvalidNamespace',
      `ownerRef ${owner.toString()} does not exist in namespace ${JSON.stringify(namespace)}`);
  }
}

function identityOf(event: GraphEvent): ObjectIdentity {
  const { name = '', namespace = '', uid = '' } = event.obj.metadata;
  return { apiVersion: event.apiVersion, kind: event.kind, name, uid, namespace };
}

function sameIdentity(a: ObjectIdentity, b: ObjectIdentity): boolean {
  return a.apiVersion === b.apiVersion && a.kind === b.kind && a.name === b.name && a.uid === b.uid && a.namespace === b.namespace;
}

/** partitionDependents: dependents whose reference matches `owner`, and those that name its uid otherwise. */
export function partitionDependents(dependents: GraphNode[], owner: ObjectIdentity): { matching: GraphNode[]; nonmatching: GraphNode[] } {
  const matching: GraphNode[] = [];
  const nonmatching: GraphNode[] = [];
  for (const dep of dependents) {
    let match = false;
    let mismatch = false;
    if (owner.namespace && owner.namespace !== dep.identity.namespace) mismatch = true;
    else {
      for (const ref of dep.owners) {
        if (ref.uid !== owner.uid) continue;
        if (referenceMatches(ref, owner)) match = true;
        else mismatch = true;
      }
    }
    if (match) matching.push(dep);
    if (mismatch) nonmatching.push(dep);
  }
  return { matching, nonmatching };
}

/** getAlternateOwnerIdentity, simplified: the first other coordinates a dependent uses for the uid. */
function alternateIdentity(dependents: GraphNode[], absent: ObjectIdentity): ObjectIdentity | undefined {
  for (const dep of dependents) {
    for (const ref of dep.owners) {
      if (ref.uid !== absent.uid) continue;
      const candidate = { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace: absent.namespace ? dep.identity.namespace : '' };
      if (!sameIdentity(candidate, absent)) return candidate;
    }
  }
  return undefined;
}
