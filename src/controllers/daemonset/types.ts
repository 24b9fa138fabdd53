// The apps/v1 DaemonSet as the controller reads it, and the names kube gives its labels.
import type { KubeObject } from '../../api/types.ts';
import { resources, type LabelSelector, type ResourceDescriptor } from '../../client/index.ts';
import type { Pod } from '../../api/core-v1.ts';
import type { OwnerKind } from '../history.ts';

export const controllerName = 'daemonset-controller';
export const controllerKind: OwnerKind = { apiVersion: 'apps/v1', kind: 'DaemonSet' };
/** apps/v1 daemonsets, typed. */
export const daemonSetsResource = resources.daemonSets as ResourceDescriptor<DaemonSet>;

/** apps.DefaultDaemonSetUniqueLabelKey: the template hash, on pods and revisions. */
export const hashLabel = 'controller-revision-hash';
/** extensions.DaemonSetTemplateGenerationKey: the template generation a pod was made from. */
export const templateGenerationLabel = 'pod-template-generation';
/** Where apps/v1 keeps the template generation (the strategy bumps it on template changes). */
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

export type PodTemplate = { metadata?: KubeObject['metadata']; spec?: NonNullable<Pod['spec']> & { hostNetwork?: boolean } };

export interface DaemonSetSpec {
  selector?: LabelSelector;
  template?: PodTemplate;
  updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: unknown[];
}

export interface DaemonSet extends KubeObject {
  spec: DaemonSetSpec;
  status?: DaemonSetStatus;
}
