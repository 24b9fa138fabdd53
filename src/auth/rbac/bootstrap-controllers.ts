// The controller roles kube's bootstrap policy defines (bootstrappolicy/controller_policy.go,
// `system:controller:<name>`, each bound to the ServiceAccount kube-system/<name>) for the
// controllers kubelite runs. kube-controller-manager uses one ServiceAccount per controller
// (--use-service-account-credentials); kubelite's controllers share the one identity
// system:kube-controller-manager, so — as kube documents for a controller manager without
// per-controller credentials — that identity is granted these roles' rules together, in the
// ClusterRole `kubelite:controller-manager`, and nothing beyond them.
import { core, eventsRule, read, rule } from './policy-rules.ts';
import type { PolicyRule } from './types.ts';
import { moreControllerRoles } from './bootstrap-controllers-more.ts';

const appsAndExtensions = ['apps', 'extensions'];

/** Controller name (the ServiceAccount) → its rules. */
export const controllerRoles: Record<string, PolicyRule[]> = {
  'clusterrole-aggregation-controller': [rule('escalate get list patch update watch', ['rbac.authorization.k8s.io'], 'clusterroles')],
  'cronjob-controller': [
    rule('get list update watch', ['batch'], 'cronjobs'),
    rule('create delete get list patch update watch', ['batch'], 'jobs'),
    rule('update', ['batch'], 'cronjobs/status'),
    rule('update', ['batch'], 'cronjobs/finalizers'),
    rule('delete list watch', [core], 'pods'),
    eventsRule,
  ],
  'daemon-set-controller': [
    rule(read, appsAndExtensions, 'daemonsets'),
    rule('update', appsAndExtensions, 'daemonsets/status'),
    rule('update', appsAndExtensions, 'daemonsets/finalizers'),
    rule('list watch', [core], 'nodes'),
    rule('create delete list patch watch', [core], 'pods'),
    rule('create', [core], 'pods/binding'),
    rule('create delete get list patch update watch', ['apps'], 'controllerrevisions'),
    eventsRule,
  ],
  'deployment-controller': [
    rule('get list update watch', appsAndExtensions, 'deployments'),
    rule('update', appsAndExtensions, 'deployments/status'),
    rule('update', appsAndExtensions, 'deployments/finalizers'),
    rule('create delete get list patch update watch', appsAndExtensions, 'replicasets'),
    // The deployment controller needs pods to tell whether a Recreate rollout may proceed.
    rule('get list update watch', [core], 'pods'),
    eventsRule,
  ],
  'endpoint-controller': [
    rule(read, [core], 'services pods'),
    rule('create delete get list update watch', [core], 'endpoints'),
    rule('create', [core], 'endpoints/restricted'),
    eventsRule,
  ],
  'endpointslice-controller': [
    rule(read, [core], 'services pods nodes'),
    rule('update', [core], 'services/finalizers'),
    rule('create delete get list update watch', ['discovery.k8s.io'], 'endpointslices'),
    eventsRule,
  ],
  'generic-garbage-collector': [rule('delete get list patch update watch', ['*'], '*'), eventsRule],
  'horizontal-pod-autoscaler': [
    rule(read, ['autoscaling'], 'horizontalpodautoscalers'),
    rule('update', ['autoscaling'], 'horizontalpodautoscalers/status'),
    rule('get update', ['*'], '*/scale'),
    rule('list watch', [core], 'pods'),
    rule('list watch', ['metrics.k8s.io'], 'pods'),
    rule(read, ['custom.metrics.k8s.io'], '*'),
    rule(read, ['external.metrics.k8s.io'], '*'),
    eventsRule,
  ],
  'job-controller': [
    rule('get list patch update watch', ['batch'], 'jobs'),
    rule('update', ['batch'], 'jobs/status'),
    rule('update', ['batch'], 'jobs/finalizers'),
    rule('create delete list patch watch', [core], 'pods'),
    eventsRule,
  ],
  'namespace-controller': [
    rule('delete get list watch', [core], 'namespaces'),
    rule('update', [core], 'namespaces/finalize namespaces/status'),
    rule('delete deletecollection get list watch', ['*'], '*'),
  ],
  'node-controller': [
    rule('delete get list patch update watch', [core], 'nodes'),
    rule('patch update', [core], 'nodes/status'),
    rule('patch update', [core], 'pods/status'),
    rule('delete get list watch', [core], 'pods'),
    eventsRule,
  ],
  'replicaset-controller': [
    rule('get list update watch', appsAndExtensions, 'replicasets'),
    rule('update', appsAndExtensions, 'replicasets/status'),
    rule('update', appsAndExtensions, 'replicasets/finalizers'),
    rule('create delete list patch watch', [core], 'pods'),
    eventsRule,
  ],
  'resourcequota-controller': [
    rule('list watch', ['*'], '*'),
    rule('update', [core], 'resourcequotas/status'),
    eventsRule,
  ],
  'root-ca-cert-publisher': [rule('create update', [core], 'configmaps'), eventsRule],
  'service-account-controller': [rule('create', [core], 'serviceaccounts'), eventsRule],
  'statefulset-controller': [
    rule('list watch', [core], 'pods'),
    rule(read, ['apps'], 'statefulsets'),
    rule('update', ['apps'], 'statefulsets/status'),
    rule('update', ['apps'], 'statefulsets/finalizers'),
    rule('create delete get patch update', [core], 'pods'),
    rule('create delete get list patch update watch', ['apps'], 'controllerrevisions'),
    rule('create get list watch', [core], 'persistentvolumeclaims'),
    rule('delete update', [core], 'persistentvolumeclaims'),
    rule('update', [core], 'pods/finalizers'),
    eventsRule,
  ],
  'ttl-after-finished-controller': [rule('delete get list watch', ['batch'], 'jobs'), eventsRule],
  ...moreControllerRoles,
};

/** kubelite's controllers → the kube controller whose role covers each (taint eviction is the node controller's in kube). */
export const kubeliteControllerRoles = [
  'namespace-controller', 'node-controller', 'replicaset-controller', 'deployment-controller', 'statefulset-controller',
  'daemon-set-controller', 'job-controller', 'cronjob-controller', 'ttl-after-finished-controller', 'generic-garbage-collector',
  'service-account-controller', 'endpoint-controller', 'endpointslice-controller', 'horizontal-pod-autoscaler',
  'resourcequota-controller', 'root-ca-cert-publisher',
  // issue 15's controllers: disruption, ClusterRole aggregation, RCs, pod GC, volumes, CSRs, mirroring, TTL.
  'disruption-controller', 'clusterrole-aggregation-controller', 'replication-controller', 'pod-garbage-collector',
  'persistent-volume-binder', 'pv-protection-controller', 'pvc-protection-controller', 'attachdetach-controller',
  'certificate-controller', 'endpointslicemirroring-controller', 'ttl-controller', 'ephemeral-volume-controller',
];
