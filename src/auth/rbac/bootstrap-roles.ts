// The ClusterRoles kube-apiserver's bootstrap policy reconciles at start
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy, ClusterRoles()), as data. admin, edit and
// view are aggregated: their rules are gathered from the roles labelled aggregate-to-*.
import { core, eventsRule, read, readWrite, rule, urls, write } from './policy-rules.ts';
import type { PolicyRule } from './types.ts';

export interface DefaultClusterRole {
  name: string;
  rules?: PolicyRule[];
  /** aggregationRule.clusterRoleSelectors[].matchLabels. */
  aggregateFrom?: Record<string, string>[];
  labels?: Record<string, string>;
}

const aggregateTo = (role: 'admin' | 'edit' | 'view') => ({ [`rbac.authorization.k8s.io/aggregate-to-${role}`]: 'true' });
const signerApprover = (signer: string) => rule('approve', ['certificates.k8s.io'], 'signers', signer);

export const defaultClusterRoles: DefaultClusterRole[] = [
  { name: 'cluster-admin', rules: [rule('*', ['*'], '*'), urls('*', '*')] },
  { name: 'admin', aggregateFrom: [aggregateTo('admin')] },
  { name: 'edit', aggregateFrom: [aggregateTo('edit')], labels: aggregateTo('admin') },
  { name: 'view', aggregateFrom: [aggregateTo('view')], labels: aggregateTo('edit') },
  {
    name: 'system:aggregate-to-admin', labels: aggregateTo('admin'),
    rules: [
      rule('create', ['authorization.k8s.io'], 'localsubjectaccessreviews'),
      rule(readWrite, ['rbac.authorization.k8s.io'], 'roles rolebindings'),
    ],
  },
  {
    name: 'system:aggregate-to-edit', labels: aggregateTo('edit'),
    rules: [
      rule(read, [core], 'pods/attach pods/proxy pods/exec pods/portforward secrets services/proxy'),
      rule('impersonate', [core], 'serviceaccounts'),
      rule(write, [core], 'pods pods/attach pods/proxy pods/exec pods/portforward'),
      rule('create', [core], 'pods/eviction'),
      rule(write, [core], 'replicationcontrollers replicationcontrollers/scale serviceaccounts services services/proxy persistentvolumeclaims configmaps secrets events'),
      rule('create', [core], 'serviceaccounts/token'),
      rule(write, ['apps'], 'statefulsets statefulsets/scale daemonsets deployments deployments/scale deployments/rollback replicasets replicasets/scale'),
      rule(write, ['autoscaling'], 'horizontalpodautoscalers'),
      rule(write, ['batch'], 'jobs cronjobs'),
      rule(write, ['extensions'], 'daemonsets deployments deployments/scale deployments/rollback ingresses replicasets replicasets/scale replicationcontrollers/scale networkpolicies'),
      rule(write, ['policy'], 'poddisruptionbudgets'),
      rule(write, ['networking.k8s.io'], 'ingresses networkpolicies'),
      rule(readWrite, ['coordination.k8s.io'], 'leases'),
    ],
  },
  {
    name: 'system:aggregate-to-view', labels: aggregateTo('view'),
    rules: [
      rule(read, [core], 'pods replicationcontrollers replicationcontrollers/scale serviceaccounts services services/status endpoints persistentvolumeclaims persistentvolumeclaims/status configmaps'),
      rule(read, [core], 'limitranges resourcequotas bindings events pods/status resourcequotas/status namespaces/status replicationcontrollers/status pods/log'),
      // Reading namespaces at namespace scope means reading *this* namespace.
      rule(read, [core], 'namespaces'),
      rule(read, ['discovery.k8s.io'], 'endpointslices'),
      rule(read, ['apps'], 'controllerrevisions statefulsets statefulsets/status statefulsets/scale daemonsets daemonsets/status deployments deployments/status deployments/scale replicasets replicasets/status replicasets/scale'),
      rule(read, ['autoscaling'], 'horizontalpodautoscalers horizontalpodautoscalers/status'),
      rule(read, ['batch'], 'jobs jobs/status cronjobs cronjobs/status'),
      rule(read, ['extensions'], 'daemonsets daemonsets/status deployments deployments/scale deployments/status ingresses ingresses/status replicasets replicasets/scale replicasets/status replicationcontrollers/scale networkpolicies'),
      rule(read, ['policy'], 'poddisruptionbudgets poddisruptionbudgets/status'),
      rule(read, ['networking.k8s.io'], 'ingresses ingresses/status networkpolicies'),
    ],
  },
  { name: 'system:auth-delegator', rules: [rule('create', ['authentication.k8s.io'], 'tokenreviews'), rule('create', ['authorization.k8s.io'], 'subjectaccessreviews')] },
  {
    name: 'system:basic-user',
    rules: [
      rule('create', ['authorization.k8s.io'], 'selfsubjectaccessreviews selfsubjectrulesreviews'),
      rule('create', ['authentication.k8s.io'], 'selfsubjectreviews'),
    ],
  },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', rules: [rule('create', ['certificates.k8s.io'], 'certificatesigningrequests/nodeclient')] },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', rules: [rule('create', ['certificates.k8s.io'], 'certificatesigningrequests/selfnodeclient')] },
  { name: 'system:certificates.k8s.io:kube-apiserver-client-approver', rules: [signerApprover('kubernetes.io/kube-apiserver-client')] },
  { name: 'system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', rules: [signerApprover('kubernetes.io/kube-apiserver-client-kubelet')] },
  { name: 'system:certificates.k8s.io:kubelet-serving-approver', rules: [signerApprover('kubernetes.io/kubelet-serving')] },
  { name: 'system:certificates.k8s.io:legacy-unknown-approver', rules: [signerApprover('kubernetes.io/legacy-unknown')] },
  { name: 'system:discovery', rules: [urls('get', '/api /api/* /apis /apis/* /healthz /livez /openapi /openapi/* /readyz /version /version/')] },
  { name: 'system:heapster', rules: [rule(read, [core], 'events namespaces nodes pods'), rule(read, ['extensions'], 'deployments')] },
  { name: 'system:kube-aggregator', rules: [rule(read, [core], 'endpoints services')] },
  {
    name: 'system:kube-controller-manager',
    rules: [
      eventsRule,
      rule('create', ['coordination.k8s.io'], 'leases'),
      rule('get update', ['coordination.k8s.io'], 'leases', 'kube-controller-manager'),
      rule('create', [core], 'secrets serviceaccounts'),
      rule('delete', [core], 'secrets'),
      rule('get', [core], 'configmaps namespaces secrets serviceaccounts'),
      rule('update', [core], 'secrets serviceaccounts'),
      rule('create', ['authentication.k8s.io'], 'tokenreviews'),
      rule('create', ['authorization.k8s.io'], 'subjectaccessreviews'),
      // Shared informers watch everything.
      rule('list watch', ['*'], '*'),
      rule('create', [core], 'serviceaccounts/token'),
    ],
  },
  { name: 'system:kube-dns', rules: [rule('list watch', [core], 'endpoints services')] },
  {
    name: 'system:kube-scheduler',
    rules: [
      eventsRule,
      rule('create', ['coordination.k8s.io'], 'leases'),
      rule('get update', ['coordination.k8s.io'], 'leases', 'kube-scheduler'),
      rule(read, [core], 'nodes'),
      rule('delete get list watch', [core], 'pods'),
      rule('create', [core], 'bindings pods/binding'),
      rule('patch update', [core], 'pods/status'),
      rule(read, [core], 'replicationcontrollers services'),
      rule(read, ['apps', 'extensions'], 'replicasets'),
      rule(read, ['apps'], 'statefulsets'),
      rule(read, ['policy'], 'poddisruptionbudgets'),
      rule(read, [core], 'persistentvolumeclaims persistentvolumes'),
      rule('create', ['authentication.k8s.io'], 'tokenreviews'),
      rule('create', ['authorization.k8s.io'], 'subjectaccessreviews'),
      rule(read, ['storage.k8s.io'], 'csinodes'),
      rule(read, [core], 'namespaces'),
      rule(read, ['storage.k8s.io'], 'csidrivers'),
      rule(read, ['storage.k8s.io'], 'csistoragecapacities'),
    ],
  },
  {
    name: 'system:kubelet-api-admin',
    rules: [rule(read, [core], 'nodes'), rule('proxy', [core], 'nodes'), rule('*', [core], 'nodes/proxy nodes/metrics nodes/stats nodes/log')],
  },
  { name: 'system:monitoring', rules: [urls('get', '/healthz /healthz/* /livez /livez/* /metrics /metrics/slis /readyz /readyz/*')] },
  {
    name: 'system:node',
    rules: [
      rule('create', ['authentication.k8s.io'], 'tokenreviews'),
      rule('create', ['authorization.k8s.io'], 'subjectaccessreviews localsubjectaccessreviews'),
      rule(read, [core], 'services'),
      rule('create get list watch', [core], 'nodes'),
      rule('update patch', [core], 'nodes/status'),
      rule('update patch', [core], 'nodes'),
      rule('create update patch', [core], 'events'),
      rule(read, [core], 'pods'),
      rule('create delete', [core], 'pods'),
      rule('update patch', [core], 'pods/status'),
      rule('create', [core], 'pods/eviction'),
      rule(read, [core], 'secrets configmaps'),
      rule('get', [core], 'persistentvolumeclaims persistentvolumes'),
      rule('get', [core], 'endpoints'),
      rule('create get list watch', ['certificates.k8s.io'], 'certificatesigningrequests'),
      rule('delete create get patch update', ['coordination.k8s.io'], 'leases'),
      rule('get', ['storage.k8s.io'], 'volumeattachments'),
      rule('create', [core], 'serviceaccounts/token'),
      rule('get update patch', [core], 'persistentvolumeclaims/status'),
      rule(read, ['storage.k8s.io'], 'csidrivers'),
      rule('create delete get patch update', ['storage.k8s.io'], 'csinodes'),
      rule(read, ['node.k8s.io'], 'runtimeclasses'),
    ],
  },
  { name: 'system:node-bootstrapper', rules: [rule('create get list watch', ['certificates.k8s.io'], 'certificatesigningrequests')] },
  { name: 'system:node-problem-detector', rules: [rule('get', [core], 'nodes'), rule('patch', [core], 'nodes/status'), eventsRule] },
  {
    name: 'system:node-proxier',
    rules: [rule('list watch', [core], 'services endpoints'), rule(read, [core], 'nodes'), eventsRule, rule('list watch', ['discovery.k8s.io'], 'endpointslices')],
  },
  {
    name: 'system:persistent-volume-provisioner',
    rules: [
      rule('create delete get list watch', [core], 'persistentvolumes'),
      rule('get list update watch', [core], 'persistentvolumeclaims'),
      rule(read, ['storage.k8s.io'], 'storageclasses'),
      rule('watch', [core], 'events'),
      eventsRule,
    ],
  },
  { name: 'system:public-info-viewer', rules: [urls('get', '/healthz /livez /readyz /version /version/')] },
  { name: 'system:service-account-issuer-discovery', rules: [urls('get', '/.well-known/openid-configuration /openid/v1/jwks')] },
  {
    name: 'system:volume-scheduler',
    rules: [
      rule('get list patch update watch', [core], 'persistentvolumes'),
      rule(read, ['storage.k8s.io'], 'storageclasses'),
      rule('get list patch update watch', [core], 'persistentvolumeclaims'),
    ],
  },
];
