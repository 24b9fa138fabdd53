// The ServiceAccount, Priority and DefaultStorageClass admission plugins: what a new object
// names (a service account, a priority class) must exist, and what it leaves out (a priority,
// a storage class) is filled from the cluster's defaults. The rest of what kube's
// ServiceAccount, Priority and DefaultTolerationSeconds plugins add to every pod (token
// volume, built-in priorities, tolerations) stays in registry/resources/core-pod-admission.ts.
import { errors } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import type { ObjectLookup } from './lookup.ts';
import { refs } from './lookup.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.ts';

const isNewPod = (a: AdmissionAttributes) => a.operation === 'CREATE' && !a.subresource && a.def.group === '' && a.def.plural === 'pods' && !!a.object;

function forbidden(a: AdmissionAttributes, why: string) {
  const name = a.object?.metadata?.name || a.object?.metadata?.generateName || a.name;
  return errors.forbidden({ group: a.def.group, resource: a.def.plural }, name, why);
}

/**
 * ServiceAccount: the pod's service account must exist:
 *   error looking up service account ns/foo: serviceaccount "foo" not found
 * Kubelite may run without the controller manager, where no namespace gets its `default`
 * account; a pod using `default` is therefore admitted when that account is missing.
 */
export function serviceAccountPlugin(lookup: ObjectLookup): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    async admit(a) {
      if (!isNewPod(a)) return;
      const spec = a.object!.spec ?? {};
      const name: string = spec.serviceAccountName || spec.serviceAccount || 'default';
      if (name === 'default') return;
      if (!await lookup.get(refs.serviceAccounts, a.namespace, name)) {
        throw forbidden(a, `error looking up service account ${a.namespace}/${name}: serviceaccount "${name}" not found`);
      }
    },
  };
}

/** The classes kube-apiserver creates at start-up (scheduling's SystemPriorityClasses). */
const systemPriorityClasses: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

async function priorityClass(lookup: ObjectLookup, name: string): Promise<{ value: number; preemptionPolicy: string } | undefined> {
  const pc = await lookup.get(refs.priorityClasses, undefined, name);
  if (pc) return { value: Number(pc.value ?? 0), preemptionPolicy: String(pc.preemptionPolicy ?? 'PreemptLowerPriority') };
  if (name in systemPriorityClasses) return { value: systemPriorityClasses[name], preemptionPolicy: 'PreemptLowerPriority' };
  return undefined;
}

/** The globalDefault class; the most recently created one wins when there are several, as kube's getDefaultPriorityClass. */
async function defaultPriorityClass(lookup: ObjectLookup): Promise<KubeObject | undefined> {
  const defaults = (await lookup.list(refs.priorityClasses)).filter((pc) => pc.globalDefault === true);
  defaults.sort((x, y) => String(y.metadata.creationTimestamp).localeCompare(String(x.metadata.creationTimestamp)));
  return defaults[0];
}

/** Priority: spec.priority and preemptionPolicy come from the pod's PriorityClass, never from the client. */
export function priorityPlugin(lookup: ObjectLookup): AdmissionPlugin {
  return {
    name: 'Priority',
    async admit(a) {
      if (!isNewPod(a)) return;
      const spec = (a.object!.spec ??= {});
      let computed: { value: number; preemptionPolicy?: string };
      if (!spec.priorityClassName) {
        const pc = await defaultPriorityClass(lookup);
        if (pc) {
          spec.priorityClassName = pc.metadata.name;
          computed = { value: Number(pc.value ?? 0), preemptionPolicy: String(pc.preemptionPolicy ?? 'PreemptLowerPriority') };
        } else computed = { value: 0 };
      } else {
        const pc = await priorityClass(lookup, spec.priorityClassName);
        if (!pc) throw forbidden(a, `no PriorityClass with name ${spec.priorityClassName} was found`);
        computed = pc;
      }
      if (spec.priority != null && spec.priority !== computed.value) {
        throw forbidden(a, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${computed.value} from the given PriorityClass name`);
      }
      spec.priority = computed.value;
      if (computed.preemptionPolicy) {
        if (spec.preemptionPolicy != null && spec.preemptionPolicy !== computed.preemptionPolicy) {
          throw forbidden(a, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${computed.preemptionPolicy} from the given PriorityClass name`);
        }
        spec.preemptionPolicy = computed.preemptionPolicy;
      }
    },
  };
}

const defaultClassAnnotations = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

/** DefaultStorageClass: a claim without spec.storageClassName gets the default class (the newest, when several are marked). */
export function defaultStorageClassPlugin(lookup: ObjectLookup): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    async admit(a) {
      if (a.operation !== 'CREATE' || a.subresource || a.def.group !== '' || a.def.plural !== 'persistentvolumeclaims' || !a.object) return;
      const pvc = a.object;
      if (pvc.spec?.storageClassName != null) return;
      if (pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] !== undefined) return;
      const defaults = (await lookup.list(refs.storageClasses))
        .filter((sc) => defaultClassAnnotations.some((k) => sc.metadata.annotations?.[k] === 'true'))
        .sort((x, y) => String(y.metadata.creationTimestamp).localeCompare(String(x.metadata.creationTimestamp)) || String(x.metadata.name).localeCompare(String(y.metadata.name)));
      if (defaults.length === 0) return;
      pvc.spec = { ...(pvc.spec ?? {}), storageClassName: defaults[0].metadata.name };
    },
  };
}
