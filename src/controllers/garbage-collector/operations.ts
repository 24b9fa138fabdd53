// The garbage collector's writes and live reads, as kube's garbagecollector/operations.go and
// patch.go: objects are read as PartialObjectMetadata; deletes carry the uid precondition;
// ownerReferences are removed with a strategic merge patch that names the dependent's uid
// (a different uid fails as immutable), falling back to a JSON merge patch guarded by
// resourceVersion for resources without strategic merge (415, e.g. custom resources);
// finalizers are removed with a merge patch guarded by resourceVersion, retried on conflict.
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { isConflict, isNotFound, type ApiClient, type ApiError, type ResourceDescriptor } from '../../client/index.ts';
import type { RestMapper } from './discovery.ts';
import type { GraphNode, ObjectIdentity } from './graph.ts';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

/** retry.DefaultBackoff's steps: how often a finalizer removal is retried on conflict. */
const conflictRetries = 4;

export class GcOperations {
  constructor(private readonly client: ApiClient, private readonly mapper: () => RestMapper) {}

  /** apiResource: the resource behind a kind (throws RestMappingError when discovery does not know it). */
  resourceFor(apiVersion: string, kind: string): ResourceDescriptor {
    return this.mapper().resourceFor(apiVersion, kind);
  }

  /** getObject: the live object's metadata (namespace ignored for cluster-scoped kinds). */
  getObject(identity: ObjectIdentity): Promise<KubeObject> {
    const res = this.resourceFor(identity.apiVersion, identity.kind);
    return this.client.get(res, identity.name, { namespace: identity.namespace, metadataOnly: true });
  }

  /** deleteObject: DELETE with preconditions.uid and the propagation policy. */
  async deleteObject(identity: ObjectIdentity, propagationPolicy: PropagationPolicy): Promise<void> {
    const res = this.resourceFor(identity.apiVersion, identity.kind);
    await this.client.delete(res, identity.name, { namespace: identity.namespace, propagationPolicy, preconditions: { uid: identity.uid } });
  }

  /** Removes the ownerReferences naming `ownerUids` (GenerateDeleteOwnerRefStrategicMergeBytes / deleteOwnerRefJSONMergePatch). */
  async deleteOwnerReferences(node: GraphNode, ownerUids: string[]): Promise<void> {
    const strategic = { metadata: { ownerReferences: ownerUids.map((uid) => ({ $patch: 'delete', uid })), uid: node.identity.uid } };
    await this.patch(node, strategic, (latest) => (latest.metadata.ownerReferences ?? []).filter((r) => !ownerUids.includes(r.uid)));
  }

  /** Sets blockOwnerDeletion false on every blocking reference (unblockOwnerReferences*Patch). */
  async unblockOwnerReferences(node: GraphNode): Promise<void> {
    const blocking = node.owners.filter((o) => o.blockOwnerDeletion === true).map((o) => ({ ...o, blockOwnerDeletion: false }));
    const strategic = { metadata: { ownerReferences: blocking, uid: node.identity.uid } };
    await this.patch(node, strategic, (latest) => (latest.metadata.ownerReferences ?? []).map((o) => (o.blockOwnerDeletion ? { ...o, blockOwnerDeletion: false } : o)));
  }

  /** removeFinalizer: a merge patch of metadata.finalizers at the read resourceVersion, retried on conflict. */
  async removeFinalizer(identity: ObjectIdentity, finalizer: string): Promise<void> {
    const res = this.resourceFor(identity.apiVersion, identity.kind);
    for (let attempt = 0; ; attempt++) {
      let latest: KubeObject;
      try {
        latest = await this.getObject(identity);
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      const finalizers = latest.metadata.finalizers ?? [];
      if (!finalizers.includes(finalizer)) return;
      const patch = { metadata: { resourceVersion: latest.metadata.resourceVersion, finalizers: finalizers.filter((f) => f !== finalizer) } };
      try {
        await this.client.patch(res, identity.name, 'merge', patch, { namespace: identity.namespace });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt + 1 >= conflictRetries) throw err;
      }
    }
  }

  /** gc.patch: strategic merge first; JSON merge patch of the whole list where that is unsupported. */
  private async patch(node: GraphNode, strategic: unknown, ownerReferencesFrom: (latest: KubeObject) => OwnerReference[]): Promise<void> {
    const { identity } = node;
    const res = this.resourceFor(identity.apiVersion, identity.kind);
    try {
      await this.client.patch(res, identity.name, 'strategic', strategic, { namespace: identity.namespace });
      return;
    } catch (err) {
      if ((err as ApiError).code !== 415) throw err;
    }
    const latest = await this.getObject(identity);
    const refs = ownerReferencesFrom(latest);
    const merge = { metadata: { resourceVersion: latest.metadata.resourceVersion, ownerReferences: refs.length ? refs : null } };
    await this.client.patch(res, identity.name, 'merge', merge, { namespace: identity.namespace });
  }
}
