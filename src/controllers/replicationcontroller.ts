// The ReplicationController manager (kube-controller-manager's `replicationcontroller-controller`,
// pkg/controller/replication): kube runs its ReplicaSet controller over ReplicationControllers
// converted to ReplicaSets; here the same replica manager core runs over the v1 kind directly.
// The only differences are the owner's kind and that an RC's selector is a plain label map.
import { resources, type ResourceDescriptor } from '../client/index.ts';
import { selectorMatcher } from './controller-ref-manager.ts';
import { replicaManager, type ReplicaSet } from './replicaset.ts';

export const controllerName = 'replicationcontroller-controller';

export const replicationControllerController = replicaManager({
  name: controllerName,
  component: 'replication-controller', // kube's event source for RCs
  resource: resources.replicationControllers as ResourceDescriptor<ReplicaSet>,
  kind: { apiVersion: 'v1', kind: 'ReplicationController' },
  selector: (rc) => selectorMatcher({ matchLabels: (rc.spec?.selector ?? {}) as Record<string, string> }),
});
