// What kube-apiserver's default mutating admission plugins add to every new Pod, so that
// `kubectl get pod -o yaml` looks as it does on a real cluster:
//   ServiceAccount          serviceAccountName "default" and the kube-api-access-* token volume
//   Priority                priority (and preemptionPolicy) from the built-in classes or 0
//   DefaultTolerationSeconds  the not-ready / unreachable NoExecute tolerations of 300s
// The checks these plugins also make against other objects (does the service account or
// priority class exist?) need the store and are not done here.
import type { KubeObject } from '../../api/types.ts';
import { generateName } from '../object-meta.ts';
import { arrayOf, isObject } from './podspec.ts';

export const serviceAccountMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';

const builtinPriorities: Record<string, number> = {
  'system-cluster-critical': 2000000000,
  'system-node-critical': 2000001000,
};

export function admitNewPod(pod: KubeObject): void {
  const spec = pod.spec;
  if (!isObject(spec)) return;
  admitServiceAccount(spec);
  admitPriority(spec);
  admitDefaultTolerations(spec);
}

function admitServiceAccount(spec: any): void {
  spec.serviceAccountName ||= 'default';
  spec.serviceAccount = spec.serviceAccountName;
  if (spec.automountServiceAccountToken === false) return;
  const containers = [...arrayOf(spec.initContainers), ...arrayOf(spec.containers)];
  // A pod that mounts something at the token path itself keeps its own volume.
  if (containers.some((c) => arrayOf(c?.volumeMounts).some((m) => m?.mountPath === serviceAccountMountPath))) return;
  const name = generateName('kube-api-access-');
  spec.volumes = [...arrayOf(spec.volumes), tokenVolume(name)];
  for (const c of containers) {
    if (!isObject(c)) continue;
    c.volumeMounts = [...arrayOf(c.volumeMounts), { name, readOnly: true, mountPath: serviceAccountMountPath }];
  }
}

function tokenVolume(name: string): unknown {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
      defaultMode: 420,
    },
  };
}

function admitPriority(spec: any): void {
  if (spec.priority !== undefined && spec.priority !== null) return;
  const className = spec.priorityClassName;
  if (!className) spec.priority = 0;
  else if (className in builtinPriorities) spec.priority = builtinPriorities[className];
  else return; // a user-defined class: its value lives in the store
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
}

const defaultTolerated = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

function admitDefaultTolerations(spec: any): void {
  const tolerations = arrayOf(spec.tolerations);
  const tolerates = (key: string) => tolerations.some((t) =>
    (t?.effect === 'NoExecute' || !t?.effect) && (t?.key === key || !t?.key));
  const added = defaultTolerated.filter((key) => !tolerates(key))
    .map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }));
  if (added.length) spec.tolerations = [...tolerations, ...added];
}
