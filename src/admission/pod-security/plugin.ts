// The PodSecurity admission plugin (k8s.io/pod-security-admission): a namespace's labels
//   pod-security.kubernetes.io/enforce|audit|warn: privileged|baseline|restricted
//   pod-security.kubernetes.io/<mode>-version: latest|v1.N
// choose the Pod Security Standard its pods are held to. `enforce` refuses a violating pod:
//   pods "x" is forbidden: violates PodSecurity "restricted:latest": privileged (…), …
// `warn` returns `would violate PodSecurity "baseline:latest": …` in a Warning header. Pod
// templates of workloads (Deployments, Jobs, …) are never refused: they get warnings for the
// enforce and warn levels. `audit` only annotates audit events, which kubelite does not keep.
// Every version label is evaluated with the latest checks (checks.ts).
import { errors } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import type { ObjectLookup } from '../lookup.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/admission.ts';
import { evaluatePod, type Level } from './checks.ts';

const levels: Level[] = ['privileged', 'baseline', 'restricted'];
const prefix = 'pod-security.kubernetes.io/';

interface ModePolicy { level: Level; version: string }

function policyOf(labels: Record<string, string>, mode: 'enforce' | 'warn'): ModePolicy {
  const level = labels[`${prefix}${mode}`] as Level;
  return { level: levels.includes(level) ? level : 'privileged', version: labels[`${prefix}${mode}-version`] || 'latest' };
}

const policyName = (p: ModePolicy) => `${p.level}:${p.version}`;

/** Where a workload keeps its pod template (kube's DefaultPodSpecExtractor). */
const templatePaths: Record<string, (o: KubeObject) => any> = {
  'podtemplates': (o) => o.template,
  'replicationcontrollers': (o) => o.spec?.template,
  'apps/replicasets': (o) => o.spec?.template,
  'apps/deployments': (o) => o.spec?.template,
  'apps/statefulsets': (o) => o.spec?.template,
  'apps/daemonsets': (o) => o.spec?.template,
  'batch/jobs': (o) => o.spec?.template,
  'batch/cronjobs': (o) => o.spec?.jobTemplate?.spec?.template,
};

export function podSecurityPlugin(lookup: ObjectLookup): AdmissionPlugin {
  return {
    name: 'PodSecurity',
    async validate(a: AdmissionAttributes) {
      if (!a.namespace || a.subresource || !a.object || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
      const isPod = a.def.group === '' && a.def.plural === 'pods';
      const template = templatePaths[a.def.group ? `${a.def.group}/${a.def.plural}` : a.def.plural];
      if (!isPod && !template) return;
      // A pod update changes nothing the standards look at except images: only creates are judged.
      if (isPod && a.operation === 'UPDATE') return;
      const labels = (await lookup.namespaceLabels(a.namespace)) ?? {};
      const enforce = policyOf(labels, 'enforce');
      const warn = policyOf(labels, 'warn');
      if (enforce.level === 'privileged' && warn.level === 'privileged') return;
      const podLike = isPod ? a.object : template!(a.object);
      if (!podLike) return;
      if (!isPod && a.operation === 'UPDATE' && a.oldObject && JSON.stringify(template!(a.oldObject)) === JSON.stringify(podLike)) return;
      const meta = podLike.metadata ?? {};
      const spec = podLike.spec ?? {};
      const enforceResult = evaluatePod(enforce.level, meta, spec);
      if (enforceResult) {
        if (isPod) {
          const name = a.object.metadata?.name || a.object.metadata?.generateName || a.name;
          throw errors.forbidden({ group: a.def.group, resource: a.def.plural }, name, `violates PodSecurity "${policyName(enforce)}": ${enforceResult}`);
        }
        a.warnings?.push(`would violate PodSecurity "${policyName(enforce)}": ${enforceResult}`);
      }
      if (warn.level === 'privileged' || (!isPod && warn.level === enforce.level && warn.version === enforce.version)) return;
      const warnResult = evaluatePod(warn.level, meta, spec);
      if (warnResult) a.warnings?.push(`would violate PodSecurity "${policyName(warn)}": ${warnResult}`);
    },
  };
}
