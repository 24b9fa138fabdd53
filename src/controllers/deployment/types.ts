// The apps/v1 Deployment as the deployment controller reads and writes it, and the names
// kube's pkg/controller/deployment/util gives to its annotations, labels and condition reasons.
import type { KubeObject } from '../../api/types.ts';
import type { LabelSelector } from '../../client/index.ts';
import type { ReplicaSet } from '../replicaset.ts';

export type { ReplicaSet };
export type IntOrString = number | string;
export type PodTemplateSpec = NonNullable<NonNullable<ReplicaSet['spec']>['template']>;

export interface DeploymentCondition {
  type: 'Progressing' | 'Available' | 'ReplicaFailure' | string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

export interface Deployment extends KubeObject {
  spec: {
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplateSpec;
    strategy?: { type?: 'RollingUpdate' | 'Recreate'; rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
    progressDeadlineSeconds?: number;
  };
  status?: DeploymentStatus;
}

/** apps/v1 DefaultDeploymentUniqueLabelKey: on every ReplicaSet's selector, template and pods. */
export const podTemplateHashLabel = 'pod-template-hash';

export const annotations = {
  revision: 'deployment.kubernetes.io/revision',
  revisionHistory: 'deployment.kubernetes.io/revision-history',
  desiredReplicas: 'deployment.kubernetes.io/desired-replicas',
  maxReplicas: 'deployment.kubernetes.io/max-replicas',
} as const;

/** Deployment annotations never copied onto its ReplicaSets (util's annotationsToSkip). */
export const annotationsToSkip = new Set<string>([
  'kubectl.kubernetes.io/last-applied-configuration',
  annotations.revision, annotations.revisionHistory, annotations.desiredReplicas, annotations.maxReplicas,
  'deprecated.deployment.rollback.to',
]);

/** The condition reasons of deployment_util.go. */
export const reasons = {
  replicaSetUpdated: 'ReplicaSetUpdated',
  failedRSCreate: 'ReplicaSetCreateError',
  newReplicaSet: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** The revision-history annotation is capped at this many characters (the controller's default). */
export const maxRevisionHistoryLengthInChars = 2000;
