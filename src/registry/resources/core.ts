// The core/v1 kinds kubelite serves, each defined in its own file.
import type { ResourceDef } from '../types.ts';
import { configMapResource, secretResource, serviceAccountResource } from './core-config.ts';
import { endpointsResource } from './core-endpoints.ts';
import { eventResource } from './core-event.ts';
import { namespaceResource } from './core-namespace.ts';
import { nodeResource } from './core-node.ts';
import { podResource } from './core-pod.ts';
import { limitRangeResource, resourceQuotaResource } from './core-quota.ts';
import { persistentVolumeClaimResource, persistentVolumeResource } from './core-storage.ts';
import { serviceResource } from './service.ts';
import { replicationControllerResource } from './core-replicationcontroller.ts';

export const coreResources: ResourceDef[] = [
  namespaceResource,
  podResource,
  nodeResource,
  serviceResource,
  endpointsResource,
  configMapResource,
  secretResource,
  serviceAccountResource,
  eventResource,
  limitRangeResource,
  resourceQuotaResource,
  persistentVolumeResource,
  persistentVolumeClaimResource,
  replicationControllerResource,
];
