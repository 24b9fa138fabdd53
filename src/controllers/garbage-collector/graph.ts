// The garbage collector's dependency graph, as kube's garbagecollector/graph.go: one node
// per object uid, holding the object's ownerReferences and the nodes that name it as an owner.
// An owner that is named but not (yet) observed through a monitor is a "virtual" node whose
// identity comes from the reference; attemptToDelete asks the API server whether it exists.
import type { OwnerReference } from '../../api/types.ts';

/** What kube calls objectReference: an ownerReference's coordinates plus a namespace. */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  /** '' for cluster-scoped objects (and for virtual owners referenced from one). */
  namespace: string;
}

export class GraphNode {
  identity: ObjectIdentity;
  owners: OwnerReference[];
  readonly dependents = new Set<GraphNode>();
  /** Added for an ownerReference, not from a monitor's event. */
  virtual: boolean;
  /** Seen through a monitor (a virtual node stops being virtual when its object shows up). */
  observed: boolean;
  beingDeleted: boolean;
  /** deletionTimestamp and the `foregroundDeletion` finalizer: waits for blocking dependents. */
  deletingDependents: boolean;

  constructor(identity: ObjectIdentity, opts: { owners?: OwnerReference[]; virtual?: boolean; beingDeleted?: boolean; deletingDependents?: boolean } = {}) {
    this.identity = identity;
    this.owners = opts.owners ?? [];
    this.virtual = opts.virtual ?? false;
    this.observed = !this.virtual;
    this.beingDeleted = opts.beingDeleted ?? false;
    this.deletingDependents = opts.deletingDependents ?? false;
  }

  /** The dependents whose reference to this node has blockOwnerDeletion: true. */
  blockingDependents(): GraphNode[] {
    return [...this.dependents].filter((dep) => dep.owners.some((o) => o.uid === this.identity.uid && o.blockOwnerDeletion === true));
  }

  /** A copy with the same links (the graph's entry is replaced, the dependents are shared). */
  clone(): GraphNode {
    const copy = new GraphNode({ ...this.identity }, { owners: this.owners, virtual: this.virtual, beingDeleted: this.beingDeleted, deletingDependents: this.deletingDependents });
    copy.observed = this.observed;
    for (const dep of this.dependents) copy.dependents.add(dep);
    return copy;
  }

  toString(): string {
    const { apiVersion, kind, namespace, name, uid } = this.identity;
    return `[${apiVersion}/${kind}, namespace: ${namespace}, name: ${name}, uid: ${uid}]`;
  }
}

/** kube's ownerReferenceMatchesCoordinates: the same object named the same way. */
export function referenceMatches(ref: Pick<OwnerReference, 'uid' | 'name' | 'kind' | 'apiVersion'>, identity: ObjectIdentity): boolean {
  return ref.uid === identity.uid && ref.name === identity.name && ref.kind === identity.kind && ref.apiVersion === identity.apiVersion;
}

export interface ReferenceDiff {
  added: OwnerReference[];
  removed: OwnerReference[];
  changed: { oldRef: OwnerReference; newRef: OwnerReference }[];
}

/** referencesDiffs: ownerReferences added, removed and changed (same uid), by uid. */
export function referencesDiff(oldRefs: OwnerReference[], newRefs: OwnerReference[]): ReferenceDiff {
  const oldByUid = new Map(oldRefs.map((r) => [r.uid, r]));
  const diff: ReferenceDiff = { added: [], removed: [], changed: [] };
  for (const ref of newRefs) {
    const old = oldByUid.get(ref.uid);
    if (!old) diff.added.push(ref);
    else {
      if (JSON.stringify(old) !== JSON.stringify(ref)) diff.changed.push({ oldRef: old, newRef: ref });
      oldByUid.delete(ref.uid);
    }
  }
  diff.removed.push(...oldByUid.values());
  return diff;
}

/** The uid → node map (concurrentUIDToNode; JS needs no lock). */
export class DependencyGraph {
  private readonly nodes = new Map<string, GraphNode>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  set(node: GraphNode): void {
    this.nodes.set(node.identity.uid, node);
  }

  delete(uid: string): void {
    this.nodes.delete(uid);
  }

  get size(): number {
    return this.nodes.size;
  }
}

/** A bounded set of identities known not to exist (kube's absentOwnerCache, an LRU of 500). */
export class AbsentOwnerCache {
  private readonly keys = new Map<string, true>();
  constructor(private readonly capacity = 500) {}

  static key(ref: Pick<ObjectIdentity, 'apiVersion' | 'kind' | 'name' | 'uid'>, namespace = ''): string {
    return [ref.apiVersion, ref.kind, namespace, ref.name, ref.uid].join('|');
  }

  add(key: string): void {
    this.keys.delete(key);
    this.keys.set(key, true);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.keys().next().value!);
  }

  has(key: string): boolean {
    if (!this.keys.has(key)) return false;
    this.add(key); // most recently used
    return true;
  }
}
