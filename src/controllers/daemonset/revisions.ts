// The DaemonSet's revisions (constructHistory, snapshot, dedupCurHistories, cleanupHistory):
// the revision whose data is the DaemonSet's template now is the current one — renumbered to
// come after every other, or created as `<ds>-<hash>` when there is none, where the hash is
// the template's (controller.ComputeHash with status.collisionCount). A name taken by another
// template is a hash collision: collisionCount goes up in status and the next sync tries again.
import { isAlreadyExists, isNotFound, labelMatcher, resources, type ApiClient, type SharedInformer } from '../../client/index.ts';
import { claimObjects } from '../controller-ref-manager.ts';
import {
  computeHash, controllerRefTo, controllerRevisionsResource, controllerRevisionName, goJson, sortControllerRevisions, templatePatch,
  type ControllerHistory, type ControllerRevision,
} from '../history.ts';
import { controllerKind, hashLabel, type DaemonSet } from './types.ts';
import type { Pod } from '../../api/core-v1.ts';

export interface DaemonSetHistory {
  current: ControllerRevision;
  old: ControllerRevision[];
}

/** Match: the revision records the DaemonSet's template as it is. */
const matches = (ds: DaemonSet, revision: ControllerRevision) => goJson(revision.data) === goJson(templatePatch(ds));

export async function constructHistory(opts: {
  client: ApiClient; history: ControllerHistory; revisions: SharedInformer<ControllerRevision>; pods: Pod[]; ds: DaemonSet;
}): Promise<DaemonSetHistory> {
  const { client, history, ds } = opts;
  const selects = labelMatcher(ds.spec.selector ?? {});
  const claimed = await claimObjects(opts.revisions.store.byNamespace(ds.metadata.namespace!), {
    client, resource: controllerRevisionsResource, owner: ds, ownerKind: controllerKind, ownerResource: resources.daemonSets,
    matches: (r) => selects(r.metadata.labels),
  }) as ControllerRevision[];
  const current: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (let revision of claimed) {
    // Revisions from before the hash label carry their name in it instead.
    if (!revision.metadata.labels?.[hashLabel]) {
      revision = await client.update(resources.controllerRevisions, {
        ...revision, metadata: { ...revision.metadata, labels: { ...revision.metadata.labels, [hashLabel]: revision.metadata.name! } },
      }) as ControllerRevision;
    }
    (matches(ds, revision) ? current : old).push(revision);
  }
  const next = Math.max(0, ...old.map((r) => r.revision ?? 0)) + 1;
  let cur: ControllerRevision;
  if (!current.length) {
    cur = await snapshot(client, ds, next);
  } else {
    cur = await dedupCurrent(client, history, current, opts.pods);
    if ((cur.revision ?? 0) < next) cur = await history.updateRevision(cur, next);
  }
  return { current: cur, old };
}

/** snapshot: a new revision of the template; a name collision bumps status.collisionCount. */
async function snapshot(client: ApiClient, ds: DaemonSet, revision: number): Promise<ControllerRevision> {
  const hash = computeHash(ds.spec.template, ds.status?.collisionCount);
  const annotations = ds.metadata.annotations;
  const candidate: ControllerRevision = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(ds.metadata.name!, hash),
      namespace: ds.metadata.namespace,
      labels: { ...ds.spec.template?.metadata?.labels, [hashLabel]: hash },
      ...(annotations && Object.keys(annotations).length ? { annotations: { ...annotations } } : {}),
      ownerReferences: [controllerRefTo(ds, controllerKind)],
    },
    data: templatePatch(ds),
    revision,
  };
  try {
    return await client.create(resources.controllerRevisions, candidate, { namespace: ds.metadata.namespace }) as ControllerRevision;
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const existing = await client.get(resources.controllerRevisions, candidate.metadata.name!, { namespace: ds.metadata.namespace }) as ControllerRevision;
    if (matches(ds, existing)) return existing;
    const fresh = await client.get(resources.daemonSets, ds.metadata.name!, { namespace: ds.metadata.namespace }) as DaemonSet;
    if ((fresh.status?.collisionCount ?? undefined) !== (ds.status?.collisionCount ?? undefined)) {
      throw new Error(`found a stale collision count (${ds.status?.collisionCount}, expected ${fresh.status?.collisionCount}) of DaemonSet "${ds.metadata.name}" while processing; will retry until it is updated`);
    }
    const status = { ...fresh.status!, collisionCount: (fresh.status?.collisionCount ?? 0) + 1 };
    await client.updateStatus(resources.daemonSets, { ...fresh, status });
    throw err; // the next sync hashes with the new count
  }
}

/** dedupCurHistories: several revisions of one template — keep the newest, move pods to its hash. */
async function dedupCurrent(client: ApiClient, history: ControllerHistory, current: ControllerRevision[], pods: Pod[]): Promise<ControllerRevision> {
  const sorted = sortControllerRevisions(current);
  const keep = sorted[sorted.length - 1];
  const keepHash = keep.metadata.labels?.[hashLabel];
  for (const dupe of sorted.slice(0, -1)) {
    const dupeHash = dupe.metadata.labels?.[hashLabel];
    for (const pod of pods.filter((p) => p.metadata.labels?.[hashLabel] === dupeHash)) {
      try {
        await client.patch(resources.pods, pod.metadata.name!, 'merge', { metadata: { labels: { [hashLabel]: keepHash } } }, { namespace: pod.metadata.namespace });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    await history.delete(dupe);
  }
  return keep;
}

/** cleanupHistory: old revisions past revisionHistoryLimit, oldest first, unless a pod still uses one. */
export async function cleanupHistory(history: ControllerHistory, ds: DaemonSet, old: ControllerRevision[], pods: Pod[]): Promise<void> {
  let toKill = old.length - (ds.spec.revisionHistoryLimit ?? 10);
  if (toKill <= 0) return;
  const liveHashes = new Set(pods.map((p) => p.metadata.labels?.[hashLabel]).filter(Boolean));
  for (const revision of sortControllerRevisions(old)) {
    if (toKill <= 0) break;
    if (liveHashes.has(revision.metadata.labels?.[hashLabel])) continue;
    await history.delete(revision);
    toKill--;
  }
}
