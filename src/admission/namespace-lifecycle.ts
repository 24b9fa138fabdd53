// The NamespaceLifecycle admission plugin (plugin/pkg/admission/namespace/lifecycle): no new
// object in a namespace that does not exist or is terminating, and the immortal namespaces
// (default, kube-system, kube-public) may not be deleted. It runs first, in the mutating
// phase, so that a write into a missing namespace is refused before any webhook is called.
// The checks themselves live in registry/namespace-lifecycle.ts, beside the system namespaces.
import type { NamespaceLifecycle } from '../registry/namespace-lifecycle.ts';
import type { AdmissionPlugin } from '../registry/admission.ts';

export function namespaceLifecyclePlugin(lifecycle: NamespaceLifecycle): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    async admit(a) {
      if (a.operation === 'CREATE' && a.object) await lifecycle.admitCreate(a.def, a.object);
      if (a.operation === 'DELETE' && !a.subresource) lifecycle.admitDelete(a.def, a.name);
    },
  };
}
