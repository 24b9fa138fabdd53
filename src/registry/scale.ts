// The scale subresource: an autoscaling/v1 Scale view of a workload's replicas, as kube's
// deployment/replicaset/statefulset ScaleREST does.
import { errors } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import type { StoredObject } from '../storage/interface.ts';
import { deepCopy } from './object-meta.ts';
import { labelSelectorToString } from './selectors/label-selector.ts';
import type { ResourceDef } from './types.ts';

function readPath(obj: unknown, path: string): unknown {
  let cur: any = obj;
  for (const part of path.replace(/^\./, '').split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[part];
  }
  return cur;
}

function writePath(obj: any, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) cur = cur[part] ??= {};
  cur[parts[parts.length - 1]] = value;
}

/** A metav1.LabelSelector, or a ReplicationController's plain map, as a selector string. */
function specSelectorString(sel: unknown): string | undefined {
  if (!sel || typeof sel !== 'object') return undefined;
  if ('matchLabels' in sel || 'matchExpressions' in sel) return labelSelectorToString(sel as Parameters<typeof labelSelectorToString>[0]);
  return Object.entries(sel as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
}

export function toScale(def: ResourceDef, obj: KubeObject): KubeObject {
  const scale = def.scale;
  if (!scale) throw errors.notFoundPath();
  const selector = readPath(obj, scale.labelSelectorPath ?? '') ?? specSelectorString(obj.spec?.selector);
  const status: Record<string, unknown> = { replicas: readPath(obj, scale.statusReplicasPath) ?? 0 };
  if (typeof selector === 'string' && selector) status.selector = selector;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: readPath(obj, scale.specReplicasPath) ?? 0 },
    status,
  };
}

/** The workload with the replicas a Scale asks for (its resourceVersion, if any, is the precondition). */
export function fromScale(def: ResourceDef, current: StoredObject, scale: KubeObject): KubeObject {
  const replicas = scale.spec?.replicas ?? 0;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw errors.invalid('Scale', 'autoscaling', current.object.metadata.name ?? '', [
      { type: 'FieldValueInvalid', field: 'spec.replicas', badValue: replicas, detail: 'must be greater than or equal to 0' },
    ]);
  }
  const obj = deepCopy(current.object);
  writePath(obj, def.scale!.specReplicasPath, replicas);
  obj.metadata.resourceVersion = scale.metadata.resourceVersion || undefined;
  if (!obj.metadata.resourceVersion) delete obj.metadata.resourceVersion;
  return obj;
}
