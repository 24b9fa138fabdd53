// The StatefulSet's revisions (getStatefulSetRevisions, truncateHistory): the update revision
// is the set's template as it is now — the newest revision when that one is equal, an older
// equal one renumbered to come last (a rollback), or a new one; the current revision is the
// one status.currentRevision names, the update revision when there is none yet.
import {
  findEqualRevisions, newControllerRevision, nextRevision, revisionsToTruncate, sortControllerRevisions, templatePatch,
  equalRevision, type ControllerHistory, type ControllerRevision,
} from '../history.ts';
import { podRevision } from './pods.ts';
import { controllerKind, type StatefulPod, type StatefulSet } from './types.ts';

export interface SetRevisions {
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
}

/** newRevision: the template patch, labelled like the template, annotated like the set. */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  return newControllerRevision(set, controllerKind, {
    templateLabels: set.spec.template?.metadata?.labels,
    annotations: set.metadata.annotations,
    data: templatePatch(set),
    revision,
    collisionCount,
  });
}

export async function statefulSetRevisions(history: ControllerHistory, set: StatefulSet, revisions: ControllerRevision[]): Promise<SetRevisions> {
  const sorted = sortControllerRevisions(revisions);
  let collisionCount = set.status?.collisionCount ?? 0;
  let update = newRevision(set, nextRevision(sorted), collisionCount);
  const equal = findEqualRevisions(sorted, update);
  const latest = sorted[sorted.length - 1];
  if (equal.length && equalRevision(latest, equal[equal.length - 1])) {
    update = latest; // the template has not changed since the newest revision
  } else if (equal.length) {
    update = await history.updateRevision(equal[equal.length - 1], update.revision);
  } else {
    ({ revision: update, collisionCount } = await history.create(set, update, collisionCount));
  }
  const current = sorted.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/** truncateHistory: keeps revisionHistoryLimit unused revisions besides the live ones. */
export async function truncateHistory(history: ControllerHistory, set: StatefulSet, pods: StatefulPod[], revisions: ControllerRevision[],
  current?: ControllerRevision, update?: ControllerRevision): Promise<void> {
  const live = new Set<string>();
  if (current) live.add(current.metadata.name!);
  if (update) live.add(update.metadata.name!);
  for (const pod of pods) live.add(podRevision(pod));
  const doomed = revisionsToTruncate(sortControllerRevisions(revisions), live, set.spec.revisionHistoryLimit ?? 10);
  for (const revision of doomed) await history.delete(revision);
}
