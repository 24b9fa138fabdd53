// StatefulPodControl: the StatefulSet controller's writes to pods and their claims, each with
// the event kube records ("create Pod web-0 in StatefulSet web successful", "create Claim
// www-web-0 Pod web-0 in StatefulSet web success"), and the claims' owner references kept to
// persistentVolumeClaimRetentionPolicy (updateClaimOwnerRefForSetAndPod): whenDeleted=Delete
// makes the set a claim's owner, whenScaled=Delete makes a condemned pod its owner, so that the
// garbage collector removes the claim with its owner.
import type { OwnerReference } from '../../api/types.ts';
import {
  isAlreadyExists, isNotFound, objectKey, referenceTo, resources,
  type ApiClient, type EventRecorder, type SharedInformer,
} from '../../client/index.ts';
import { claimsFor, identityMatches, inOrdinalRange, ordinalOf, storageMatches } from './pods.ts';
import { controllerKind, podIndexLabel, podNameLabel, type PersistentVolumeClaim, type StatefulPod, type StatefulSet } from './types.ts';

type Verb = 'create' | 'update' | 'delete';

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
const capitalized = (verb: Verb) => verb[0].toUpperCase() + verb.slice(1);

/** How long a delete this controller sent keeps it from sending another for the same pod. */
const deleteMemoryMs = 60_000;

export class StatefulPodControl {
  /** Pods (by uid) deleted lately: a cache that has not caught up yet must not delete them twice. */
  private readonly deleted = new Map<string, number>();

  constructor(private readonly client: ApiClient, private readonly claims: SharedInformer<PersistentVolumeClaim>, private readonly recorder: EventRecorder) {}

  /**
   * CreateStatefulPod: the claims first, then the pod; an existing pod (the cache lagging behind
   * an earlier create) is not an error — the informer brings it.
   */
  async createPod(set: StatefulSet, pod: StatefulPod): Promise<void> {
    try {
      await this.createMissingClaims(set, pod);
    } catch (err) {
      this.podEvent('create', set, pod, err);
      throw err;
    }
    let created: StatefulPod;
    try {
      created = await this.client.create(resources.pods, pod, { namespace: set.metadata.namespace }) as StatefulPod;
    } catch (err) {
      if (isAlreadyExists(err)) return;
      this.podEvent('create', set, pod, err);
      throw err;
    }
    this.podEvent('create', set, pod);
    await this.updateClaimsForRetentionPolicy(set, created);
  }

  /** DeleteStatefulPod. */
  async deletePod(set: StatefulSet, pod: StatefulPod): Promise<void> {
    const now = Date.now();
    for (const [uid, at] of this.deleted) if (now - at > deleteMemoryMs) this.deleted.delete(uid);
    const uid = pod.metadata.uid!;
    if (this.deleted.has(uid)) return;
    try {
      await this.client.delete(resources.pods, pod.metadata.name!, { namespace: pod.metadata.namespace, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (isNotFound(err)) return;
      this.podEvent('delete', set, pod, err);
      throw err;
    }
    this.deleted.set(uid, now);
    this.podEvent('delete', set, pod);
  }

  /**
   * UpdateStatefulPod: restores the identity labels and any missing claims. A pod's volumes,
   * hostname and subdomain cannot change after creation, so those stay as they were made.
   */
  async updatePod(set: StatefulSet, pod: StatefulPod): Promise<void> {
    if (!storageMatches(set, pod)) await this.createMissingClaims(set, pod);
    if (identityMatches(set, pod)) return;
    const labels = { [podNameLabel]: pod.metadata.name!, [podIndexLabel]: String(ordinalOf(pod)) };
    try {
      await this.client.patch(resources.pods, pod.metadata.name!, 'strategic',
        { metadata: { uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion, labels } }, { namespace: pod.metadata.namespace });
    } catch (err) {
      if (isNotFound(err)) return;
      this.podEvent('update', set, pod, err);
      throw err;
    }
    this.podEvent('update', set, pod);
  }

  /** createMissingPersistentVolumeClaims: a claim being deleted blocks its pod. */
  async createMissingClaims(set: StatefulSet, pod: StatefulPod): Promise<void> {
    const errors: string[] = [];
    for (const claim of claimsFor(set, pod).values()) {
      const existing = this.claims.store.get(objectKey(claim));
      if (existing) {
        if (existing.metadata.deletionTimestamp) errors.push(`pvc ${claim.metadata.name} is being deleted`);
        continue;
      }
      try {
        await this.client.create(resources.persistentVolumeClaims, claim, { namespace: claim.metadata.namespace });
        this.claimEvent(set, pod, claim);
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        errors.push(`failed to create PVC ${claim.metadata.name}: ${errorText(err)}`);
        this.claimEvent(set, pod, claim, err);
      }
    }
    if (errors.length) throw new Error(errors.join('; '));
  }

  /** ClaimsMatchRetentionPolicy: every existing claim already has the owners the policy wants. */
  claimsMatchRetentionPolicy(set: StatefulSet, pod: StatefulPod): boolean {
    return [...claimsFor(set, pod).values()].every((claim) => {
      const existing = this.claims.store.get(objectKey(claim));
      return !existing || !retentionOwners(existing, set, pod).changed;
    });
  }

  /** UpdatePodClaimForRetentionPolicy. */
  async updateClaimsForRetentionPolicy(set: StatefulSet, pod: StatefulPod): Promise<void> {
    for (const claim of claimsFor(set, pod).values()) {
      let existing: PersistentVolumeClaim;
      try {
        existing = await this.client.get(resources.persistentVolumeClaims, claim.metadata.name!, { namespace: claim.metadata.namespace });
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      const { changed, ownerReferences } = retentionOwners(existing, set, pod);
      if (!changed) continue;
      try {
        await this.client.patch(resources.persistentVolumeClaims, claim.metadata.name!, 'merge',
          { metadata: { resourceVersion: existing.metadata.resourceVersion, ownerReferences } }, { namespace: claim.metadata.namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private podEvent(verb: Verb, set: StatefulSet, pod: StatefulPod, err?: unknown): void {
    const ref = referenceTo(set, controllerKind.kind, controllerKind.apiVersion);
    if (err === undefined) {
      this.recorder.event(ref, 'Normal', `Successful${capitalized(verb)}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    } else {
      this.recorder.event(ref, 'Warning', `Failed${capitalized(verb)}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errorText(err)}`);
    }
  }

  private claimEvent(set: StatefulSet, pod: StatefulPod, claim: PersistentVolumeClaim, err?: unknown): void {
    const ref = referenceTo(set, controllerKind.kind, controllerKind.apiVersion);
    if (err === undefined) {
      this.recorder.event(ref, 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
    } else {
      this.recorder.event(ref, 'Warning', 'FailedCreate',
        `create Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errorText(err)}`);
    }
  }
}

/**
 * updateClaimOwnerRefForSetAndPod: the owner references a claim should have under the policy
 * (controller references since 1.31, so a claim another controller owns is left alone).
 */
export function retentionOwners(claim: PersistentVolumeClaim, set: StatefulSet, pod: StatefulPod): { changed: boolean; ownerReferences: OwnerReference[] } {
  const policy = set.spec.persistentVolumeClaimRetentionPolicy ?? {};
  const scaledDown = !inOrdinalRange(pod, set);
  const wantSet = policy.whenDeleted === 'Delete' && !(policy.whenScaled === 'Delete' && scaledDown);
  const wantPod = policy.whenScaled === 'Delete' && scaledDown;
  let refs = [...(claim.metadata.ownerReferences ?? [])];
  let changed = false;
  const otherController = (uid?: string) => refs.some((r) => r.controller && r.uid !== uid);
  const want = (owner: { uid?: string; name?: string }, kind: { apiVersion: string; kind: string }, wanted: boolean) => {
    const has = refs.some((r) => r.uid === owner.uid);
    if (wanted && !has && owner.uid && !otherController(owner.uid)) {
      refs.push({ apiVersion: kind.apiVersion, kind: kind.kind, name: owner.name!, uid: owner.uid, controller: true });
      changed = true;
    } else if (!wanted && has) {
      refs = refs.filter((r) => r.uid !== owner.uid);
      changed = true;
    }
  };
  want(set.metadata, controllerKind, wantSet);
  want(pod.metadata, { apiVersion: 'v1', kind: 'Pod' }, wantPod);
  return { changed, ownerReferences: refs };
}
