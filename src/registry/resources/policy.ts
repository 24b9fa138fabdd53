// policy/v1 PodDisruptionBudget: the strategy (status reset, generation on spec change),
// ValidatePodDisruptionBudgetSpec / status rules (pkg/apis/policy/validation), printPodDisruptionBudget.
import { field, type FieldError } from '../../api/errors.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { validateLabelSelector } from '../validation/metadata.ts';
import { specChanged } from './apps-common.ts';
import { ageColumn } from './core-columns.ts';
import { isObject } from './podspec.ts';
import { goValue, int, intOrStringText, nonNegative, notMoreThan100Percent, positiveIntOrPercent } from './workload.ts';

const evictionPolicies = ['AlwaysAllow', 'IfHealthyBudget'];

function intOrPercentErrors(v: unknown, path: string): FieldError[] {
  if (v === undefined || v === null) return [];
  return [...positiveIntOrPercent(v, path), ...notMoreThan100Percent(v, path)];
}

/** ValidatePodDisruptionBudgetSpec. */
function validatePDB(pdb: { spec?: any }): FieldError[] {
  const spec = isObject(pdb.spec) ? pdb.spec : {};
  const errs: FieldError[] = [];
  if (spec.minAvailable != null && spec.maxUnavailable != null) {
    errs.push(field.invalid('spec', goValue(spec, 'policy.PodDisruptionBudgetSpec{...}'), 'minAvailable and maxUnavailable cannot be both set'));
  }
  errs.push(...intOrPercentErrors(spec.minAvailable, 'spec.minAvailable'));
  errs.push(...intOrPercentErrors(spec.maxUnavailable, 'spec.maxUnavailable'));
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy != null && !evictionPolicies.includes(policy)) errs.push(field.notSupported('spec.unhealthyPodEvictionPolicy', policy, evictionPolicies));
  return errs;
}

const statusCounters = ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'];

const orNA = (v: unknown) => (v === undefined || v === null ? 'N/A' : intOrStringText(v));

export const podDisruptionBudgetResource: ResourceDef = {
  group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', singular: 'poddisruptionbudget',
  shortNames: ['pdb'], categories: [], namespaced: true, verbs: allVerbs, subresources: ['status'],
  schema: 'io.k8s.api.policy.v1.PodDisruptionBudget',
  columns: [
    { name: 'Min Available', type: 'string', priority: 0, description: 'The minimum number of pods that must be available.',
      cell: (o) => orNA(o.spec?.minAvailable) },
    { name: 'Max Unavailable', type: 'string', priority: 0, description: 'The maximum number of pods that may be unavailable.',
      cell: (o) => orNA(o.spec?.maxUnavailable) },
    { name: 'Allowed Disruptions', type: 'integer', priority: 0, description: 'Calculated number of pods that may be disrupted at this time.',
      cell: (o) => int(o.status?.disruptionsAllowed) },
    ageColumn,
  ],
  strategy: {
    prepareForCreate: (pdb) => {
      pdb.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    },
    validate: validatePDB,
    bumpsGeneration: specChanged,
    status: {
      validateUpdate: (pdb) => statusCounters.flatMap((c) => nonNegative(pdb.status?.[c], `status.${c}`)),
    },
  },
};
