// The controllers package: the table of controllers the manager can run (adding one = one
// file exporting a ControllerDefinition + one line here), and the manager itself.
import { clusterRoleAggregationController } from './clusterrole-aggregation.ts';
import { cronJobController } from './cronjob/index.ts';
import { daemonSetController } from './daemonset/index.ts';
import { deploymentController } from './deployment/index.ts';
import { disruptionController } from './disruption/index.ts';
import { endpointsController } from './endpoints.ts';
import { endpointSliceController } from './endpointslice/index.ts';
import { endpointSliceMirroringController } from './endpointslice-mirroring.ts';
import { jobController } from './job/index.ts';
import { garbageCollectorController } from './garbage-collector/index.ts';
import { horizontalPodAutoscalerController } from './podautoscaler/horizontal.ts';
import { namespaceController } from './namespace.ts';
import { nodeLifecycleController } from './node-lifecycle.ts';
import { podGCController } from './podgc.ts';
import { replicaSetController } from './replicaset.ts';
import { replicationControllerController } from './replicationcontroller.ts';
import { resourceQuotaController } from './resourcequota.ts';
import { rootCAPublisherController } from './root-ca-publisher.ts';
import { serviceAccountController } from './serviceaccount.ts';
import { statefulSetController } from './statefulset/index.ts';
import { taintEvictionController } from './taint-eviction.ts';
import { ttlAfterFinishedController } from './ttl-after-finished.ts';
import { hostPathProvisionerController } from './volume/hostpath-provisioner.ts';
import { pvProtectionController, pvcProtectionController } from './volume/protection.ts';
import { pvBinderController } from './volume/pv-binder.ts';
import { csrApprovingController } from './certificates/approver.ts';
import { csrCleanerController } from './certificates/cleaner.ts';
import { csrSigningController } from './certificates/signer.ts';
import { ttlController } from './ttl.ts';
import { attachDetachController } from './volume/attach-detach.ts';
import { ephemeralVolumeController } from './volume/ephemeral.ts';
import type { ControllerDefinition } from './types.ts';

/** Every controller, in the order they start; names as kube-controller-manager's --controllers. */
export const controllerDefinitions: ControllerDefinition[] = [
  namespaceController,
  nodeLifecycleController,
  taintEvictionController,
  replicaSetController,
  replicationControllerController,
  deploymentController,
  statefulSetController,
  daemonSetController,
  jobController,
  cronJobController,
  ttlAfterFinishedController,
  garbageCollectorController,
  serviceAccountController,
  rootCAPublisherController,
  endpointsController,
  endpointSliceController,
  horizontalPodAutoscalerController,
  resourceQuotaController,
  disruptionController,
  podGCController,
  clusterRoleAggregationController,
  pvBinderController,
  pvcProtectionController,
  pvProtectionController,
  hostPathProvisionerController,
  csrApprovingController,
  csrSigningController,
  csrCleanerController,
  ttlController,
  ephemeralVolumeController,
  attachDetachController,
  endpointSliceMirroringController,
];

export { EventRecorder, referenceTo, type EventType, type ObjectReference } from './events.ts';
export { isControllerEnabled, startControllerManager, type ControllerManagerConfig, type RunningControllerManager } from './manager.ts';
export { namespaceController } from './namespace.ts';
export { nodeLifecycleController } from './node-lifecycle.ts';
export { defaultOptions, parseOptions, type ControllerManagerOptions } from './options.ts';
export { taintEvictionController } from './taint-eviction.ts';
export type { Controller, ControllerContext, ControllerDefinition, ControllerLog } from './types.ts';
