// kube's BaseControllerRefManager.ClaimObject for any kind: of the candidates, an owner keeps
// what it controls and still matches, releases what it controls and no longer matches (unless
// it is itself being deleted), and adopts matching orphans — after one fresh read proving it
// is still the same, live owner (RecheckDeletionTimestamp). Ownership changes are strategic
// merge patches on ownerReferences (merged by uid) carrying the object's uid as a precondition.
import type { KubeObject, OwnerReference } from '../api/types.ts';
import { isInvalid, isNotFound, labelMatcher, type ApiClient, type LabelSelector, type ResourceDescriptor } from '../client/index.ts';
import { controllerRefTo, type OwnerKind } from './history.ts';

export interface ClaimOptions<T extends KubeObject> {
  client: ApiClient;
  resource: ResourceDescriptor<T>;
  owner: KubeObject;
  ownerKind: OwnerKind;
  /** Where the owner is read fresh before an adoption. */
  ownerResource: ResourceDescriptor;
  /** The owner's selector (and any filter, such as a StatefulSet's pod names). */
  matches(obj: T): boolean;
}

export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((o) => o.controller);
}

/** A controller's selector as a label test; a nil or empty one matches nothing, as kube validates and its controllers assume. */
export function selectorMatcher(selector: LabelSelector | undefined): (labels: Record<string, string> | undefined) => boolean {
  if (!selector || (!Object.keys(selector.matchLabels ?? {}).length && !selector.matchExpressions?.length)) return () => false;
  return labelMatcher(selector);
}

/** ClaimObjects: the candidates the owner controls once ownership is settled. */
export async function claimObjects<T extends KubeObject>(candidates: T[], opts: ClaimOptions<T>): Promise<T[]> {
  const { owner, client } = opts;
  const uid = owner.metadata.uid;
  const deleting = !!owner.metadata.deletionTimestamp;
  const claimed: T[] = [];
  let adoptable: Promise<boolean> | undefined;
  for (const obj of candidates) {
    const ref = controllerRefOf(obj);
    if (ref) {
      if (ref.uid !== uid) continue; // another controller's
      if (opts.matches(obj)) claimed.push(obj);
      else if (!deleting) await release(obj, opts); // an owner being deleted releases nothing
      continue;
    }
    if (deleting || !opts.matches(obj) || obj.metadata.deletionTimestamp || obj.metadata.namespace !== owner.metadata.namespace) continue;
    adoptable ??= recheckDeletionTimestamp(client, opts.ownerResource, owner);
    if (!(await adoptable)) continue;
    const adopted = await patchOwners(obj, [controllerRefTo(owner, opts.ownerKind)], opts);
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

async function release<T extends KubeObject>(obj: T, opts: ClaimOptions<T>): Promise<void> {
  try {
    await patchOwners(obj, [{ $patch: 'delete', uid: opts.owner.metadata.uid }], opts);
  } catch (err) {
    if (!isInvalid(err)) throw err; // no longer owned, or no owners left: nothing to release
  }
}

/** RecheckDeletionTimestamp: the owner read fresh is the same object and not being deleted. */
export async function recheckDeletionTimestamp(client: ApiClient, ownerResource: ResourceDescriptor, owner: KubeObject): Promise<boolean> {
  try {
    const fresh = await client.get(ownerResource, owner.metadata.name!, { namespace: owner.metadata.namespace });
    return fresh.metadata.uid === owner.metadata.uid && !fresh.metadata.deletionTimestamp;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

async function patchOwners<T extends KubeObject>(obj: T, ownerReferences: unknown[], opts: ClaimOptions<T>): Promise<T | undefined> {
  const { name, namespace, uid } = obj.metadata;
  try {
    return await opts.client.patch(opts.resource, name!, 'strategic', { metadata: { ownerReferences, uid } }, { namespace }) as T;
  } catch (err) {
    if (isNotFound(err)) return undefined; // gone: nothing to claim
    throw err;
  }
}
