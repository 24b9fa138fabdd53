// The rest of kube 1.32's controller roles (bootstrappolicy/controller_policy.go) for the
// controllers kube-controller-manager runs by default: volumes, certificates, disruption,
// pod GC, replication controllers, mirroring, TTL, the cloud ones (route, service), and the
// status controllers of GA admission policies. Roles behind feature gates that are off by
// default in 1.32 (DRA, ServiceCIDRs, VolumeAttributesClass, storage version APIs) are not created.
import { core, eventsRule, read, rule } from './policy-rules.ts';
import type { PolicyRule } from './types.ts';

const storage = 'storage.k8s.io';
const certificates = 'certificates.k8s.io';
const appsAndExtensions = ['apps', 'extensions'];

export const moreControllerRoles: Record<string, PolicyRule[]> = {
  'attachdetach-controller': [
    rule('list watch', [core], 'persistentvolumes persistentvolumeclaims'),
    rule(read, [core], 'nodes'),
    rule('patch update', [core], 'nodes/status'),
    rule('list watch', [core], 'pods'),
    eventsRule,
    rule('create delete get list watch', [storage], 'volumeattachments'),
    rule(read, [storage], 'csidrivers'),
    rule(read, [storage], 'csinodes'),
  ],
  'certificate-controller': [
    rule('delete get list watch', [certificates], 'certificatesigningrequests'),
    rule('update', [certificates], 'certificatesigningrequests/status certificatesigningrequests/approval'),
    rule('approve', [certificates], 'signers', 'kubernetes.io/kube-apiserver-client-kubelet'),
    rule('sign', [certificates], 'signers',
      'kubernetes.io/legacy-unknown kubernetes.io/kube-apiserver-client kubernetes.io/kube-apiserver-client-kubelet kubernetes.io/kubelet-serving'),
    rule('create', ['authorization.k8s.io'], 'subjectaccessreviews'),
    eventsRule,
  ],
  'disruption-controller': [
    rule(read, appsAndExtensions, 'deployments'),
    rule(read, appsAndExtensions, 'replicasets'),
    rule(read, [core], 'replicationcontrollers'),
    rule(read, ['policy'], 'poddisruptionbudgets'),
    rule(read, ['apps'], 'statefulsets'),
    rule('update', ['policy'], 'poddisruptionbudgets/status'),
    rule('patch update', [core], 'pods/status'),
    rule('get', ['*'], '*/scale'),
    eventsRule,
  ],
  'endpointslicemirroring-controller': [
    rule(read, [core], 'services endpoints'),
    rule('update', [core], 'services/finalizers'),
    rule('update', [core], 'endpoints/finalizers'),
    rule('create delete get list update watch', ['discovery.k8s.io'], 'endpointslices'),
    eventsRule,
  ],
  'ephemeral-volume-controller': [
    rule(read, [core], 'pods'),
    rule('update', [core], 'pods/finalizers'),
    rule('create get list watch', [core], 'persistentvolumeclaims'),
    eventsRule,
  ],
  'expand-controller': [
    rule('get list patch update watch', [core], 'persistentvolumes'),
    rule('patch update', [core], 'persistentvolumeclaims/status'),
    rule(read, [core], 'persistentvolumeclaims'),
    rule(read, [storage], 'storageclasses'),
    rule('get', [core], 'services endpoints'),
    rule('get', [core], 'secrets'),
    eventsRule,
  ],
  'legacy-service-account-token-cleaner': [
    rule('get', [core], 'configmaps', 'kube-apiserver-legacy-service-account-token-tracking'),
    rule('delete patch', [core], 'secrets'),
  ],
  'persistent-volume-binder': [
    rule('create delete get list update watch', [core], 'persistentvolumes'),
    rule('update', [core], 'persistentvolumes/status'),
    rule('get list update watch', [core], 'persistentvolumeclaims'),
    rule('update', [core], 'persistentvolumeclaims/status'),
    rule('create delete get list watch', [core], 'pods'),
    rule(read, [storage], 'storageclasses'),
    rule('create delete get update', [core], 'endpoints'),
    rule('create delete get', [core], 'services'),
    rule('get', [core], 'secrets'),
    rule('get list', [core], 'nodes'),
    rule('watch', [core], 'events'),
    eventsRule,
  ],
  'pod-garbage-collector': [
    rule('delete list watch', [core], 'pods'),
    rule('get list', [core], 'nodes'),
    rule('patch', [core], 'pods/status'),
  ],
  'pv-protection-controller': [rule('get list update watch', [core], 'persistentvolumes'), eventsRule],
  'pvc-protection-controller': [
    rule('get list update watch', [core], 'persistentvolumeclaims'),
    rule(read, [core], 'pods'),
    eventsRule,
  ],
  'replication-controller': [
    rule('get list update watch', [core], 'replicationcontrollers'),
    rule('update', [core], 'replicationcontrollers/status'),
    rule('update', [core], 'replicationcontrollers/finalizers'),
    rule('create delete list patch watch', [core], 'pods'),
    eventsRule,
  ],
  'route-controller': [rule('list watch', [core], 'nodes'), rule('patch', [core], 'nodes/status'), eventsRule],
  'service-controller': [
    rule(read, [core], 'services'),
    rule('patch update', [core], 'services/status'),
    rule('list watch', [core], 'nodes'),
    eventsRule,
  ],
  'ttl-controller': [rule('list patch update watch', [core], 'nodes'), eventsRule],
  'validatingadmissionpolicy-status-controller': [
    rule(read, ['admissionregistration.k8s.io'], 'validatingadmissionpolicies'),
    rule('get patch update', ['admissionregistration.k8s.io'], 'validatingadmissionpolicies/status'),
    eventsRule,
  ],
};
