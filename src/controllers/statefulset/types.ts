// The apps/v1 StatefulSet as the controller reads it, and the names kube gives its labels.
import type { KubeObject } from '../../api/types.ts';
import { resources, type LabelSelector, type ResourceDescriptor } from '../../client/index.ts';
import type { Pod } from '../../api/core-v1.ts';
import type { OwnerKind } from '../history.ts';

export const controllerName = 'statefulset-controller';
export const controllerKind: OwnerKind = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
/** apps/v1 statefulsets, typed. */
export const statefulSetsResource = resources.statefulSets as ResourceDescriptor<StatefulSet>;

/** apps.StatefulSetPodNameLabel: every pod carries its own name, for per-pod Services. */
export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
/** apps.PodIndexLabel (PodIndexLabel, on by default since 1.28): the ordinal. */
export const podIndexLabel = 'apps.kubernetes.io/pod-index';
/** apps.StatefulSetRevisionLabel (= ControllerRevisionHashLabelKey): the revision a pod was made from. */
export const revisionLabel = 'controller-revision-hash';
/** apps.StatefulSetInitAnnotation: `false` holds a Running, Ready pod back from counting as ready. */
export const initAnnotation = 'pod.alpha.kubernetes.io/initialized';

export type RetentionPolicyType = 'Retain' | 'Delete';

export interface PersistentVolumeClaim extends KubeObject {
  spec?: Record<string, unknown>;
}

export interface StatefulSetSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: { metadata?: KubeObject['metadata']; spec?: Pod['spec'] & { volumes?: Volume[]; hostname?: string; subdomain?: string } };
  volumeClaimTemplates?: PersistentVolumeClaim[];
  serviceName?: string;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: RetentionPolicyType; whenScaled?: RetentionPolicyType };
  ordinals?: { start?: number };
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  conditions?: unknown[];
}

export interface StatefulSet extends KubeObject {
  spec: StatefulSetSpec;
  status?: StatefulSetStatus;
}

export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  [source: string]: unknown;
}

/** A pod as the StatefulSet controller builds and reads it. */
export interface StatefulPod extends Pod {
  spec?: NonNullable<Pod['spec']> & { volumes?: Volume[]; hostname?: string; subdomain?: string };
}
