// The admission plugins kubelite runs, in the order of kube-apiserver's AllOrderedPlugins for
// its default --enable-admission-plugins (pkg/kubeapiserver/options/plugins.go). Mutating
// phases run in this order, then validating phases in this order. Not here, because kubelite
// does them elsewhere or has nothing for them to do: DefaultTolerationSeconds (the pod
// strategy adds the tolerations), TaintNodesByCondition, StorageObjectInUseProtection,
// PersistentVolumeClaimResize, RuntimeClass, the certificate plugins, DefaultIngressClass.
import type { Registry } from '../registry/registry.ts';
import { limitRangerPlugin } from './limit-ranger.ts';
import { ObjectLookup } from './lookup.ts';
import { namespaceLifecyclePlugin } from './namespace-lifecycle.ts';
import { defaultStorageClassPlugin, priorityPlugin, serviceAccountPlugin } from './pod-references.ts';
import { podSecurityPlugin } from './pod-security/plugin.ts';
import { resourceQuotaPlugin } from './quota/admission.ts';
import type { AdmissionPlugin } from '../registry/admission.ts';
import { rbacEscalationPlugin, type RbacAuthorization } from '../auth/rbac/escalation.ts';
import { validatingAdmissionPolicyPlugin } from './policy/plugin.ts';
import { mutatingWebhookPlugin, validatingWebhookPlugin } from './webhooks/dispatch.ts';
import { certificatesPlugins } from './certificates.ts';

export interface AdmissionPluginOptions {
  /** The server's authorizer and RBAC's rule resolver for the escalation check; undefined until serving is prepared. */
  authorization: () => RbacAuthorization | undefined;
}

export function admissionPlugins(registry: Registry, opts: AdmissionPluginOptions): AdmissionPlugin[] {
  const lookup = new ObjectLookup(registry);
  return [
    namespaceLifecyclePlugin(registry.namespaces),
    limitRangerPlugin(lookup),
    serviceAccountPlugin(lookup),
    podSecurityPlugin(lookup),
    priorityPlugin(lookup),
    defaultStorageClassPlugin(lookup),
    rbacEscalationPlugin(opts.authorization),
    ...certificatesPlugins(() => opts.authorization()?.authorizer),
    mutatingWebhookPlugin(lookup),
    validatingAdmissionPolicyPlugin(lookup),
    validatingWebhookPlugin(lookup),
    resourceQuotaPlugin(lookup),
  ];
}
