// apiregistration.k8s.io/v1 APIService, as kube-aggregator's registry: named
// `<version>.<group>`, status only through /status (the availability controller writes it),
// kube-aggregator's validation and its printer (SERVICE is "Local" or namespace/name,
// AVAILABLE the Available condition with its reason when not True).
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { isDNS1035Label, isDNS1123Subdomain } from '../validation/names.ts';
import { ageColumn, column } from './core-columns.ts';
import { arrayOf, isObject } from './podspec.ts';
import { str } from './workload.ts';
import { specChanged } from './apps-common.ts';

/** ValidateAPIService. */
function validateAPIService(s: KubeObject): FieldError[] {
  const spec = s.spec ?? {};
  const errs: FieldError[] = [];
  const group = str(spec.group);
  const version = str(spec.version);
  if (!(s.metadata.name ?? '').includes('.')) errs.push(field.invalid('metadata.name', s.metadata.name, 'must be in the form: version.group'));
  else if (s.metadata.name !== `${version}.${group}`) {
    errs.push(field.invalid('metadata.name', s.metadata.name, 'must be `spec.version+"."+spec.group`'));
  }
  if (group) for (const msg of isDNS1123Subdomain(group)) errs.push(field.invalid('spec.group', group, msg));
  if (!version) errs.push(field.required('spec.version', ''));
  else for (const msg of isDNS1035Label(version)) errs.push(field.invalid('spec.version', version, msg));
  const gpm = spec.groupPriorityMinimum;
  if (typeof gpm !== 'number' || gpm <= 0 || gpm > 20000) errs.push(field.invalid('spec.groupPriorityMinimum', gpm, 'must be positive and less than 20000'));
  const vp = spec.versionPriority;
  if (typeof vp !== 'number' || vp <= 0 || vp > 1000) errs.push(field.invalid('spec.versionPriority', vp, 'must be positive and less than 1000'));
  if (!isObject(spec.service)) {
    if (spec.caBundle) errs.push(field.invalid('spec.caBundle', `${String(spec.caBundle).length} bytes`, 'local APIServices may not have a caBundle'));
    if (spec.insecureSkipTLSVerify) errs.push(field.invalid('spec.insecureSkipTLSVerify', spec.insecureSkipTLSVerify, 'local APIServices may not have insecureSkipTLSVerify'));
    return errs;
  }
  if (!str(spec.service.namespace)) errs.push(field.required('spec.service.namespace', ''));
  if (!str(spec.service.name)) errs.push(field.required('spec.service.name', ''));
  if (spec.service.port != null && (spec.service.port < 1 || spec.service.port > 65535)) {
    errs.push(field.invalid('spec.service.port', spec.service.port, 'must be between 1 and 65535, inclusive'));
  }
  if (spec.insecureSkipTLSVerify && spec.caBundle) errs.push(field.invalid('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
  return errs;
}

/** kube's NewLocalAvailableAPIServiceCondition. */
export function localAvailableCondition(now = new Date()): Record<string, string> {
  return {
    type: 'Available', status: 'True', lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    reason: 'Local', message: 'Local APIServices are always available',
  };
}

function availability(o: KubeObject): string {
  const c = arrayOf(o.status?.conditions).find((x: any) => x?.type === 'Available') as { status?: string; reason?: string } | undefined;
  if (!c) return 'Unknown';
  return c.status !== 'True' && c.reason ? `${c.status} (${c.reason})` : str(c.status);
}

export const apiServiceResource: ResourceDef = {
  group: 'apiregistration.k8s.io', version: 'v1', kind: 'APIService', plural: 'apiservices', singular: 'apiservice',
  shortNames: [], categories: ['api-extensions'], namespaced: false, verbs: allVerbs, subresources: ['status'],
  schema: 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService',
  // ValidateAPIServiceName: a path segment (core's is "v1."), checked for its dot below.
  nameRule: 'path-segment',
  columns: [
    column('Service', 'string', 'The reference to the service that hosts this API endpoint.',
      (o) => (isObject(o.spec?.service) ? `${str(o.spec.service.namespace)}/${str(o.spec.service.name)}` : 'Local')),
    column('Available', 'string', 'Whether this service is available.', availability),
    ageColumn,
  ],
  strategy: {
    defaults: (s) => {
      if (isObject(s.spec?.service)) s.spec.service.port ??= 443;
    },
    // apiServerStrategy.PrepareForCreate: status is the availability controller's, except
    // that a local APIService (no service) is marked Available on create.
    prepareForCreate: (s) => {
      s.status = isObject(s.spec?.service) ? {} : { conditions: [localAvailableCondition()] };
    },
    validate: validateAPIService,
    bumpsGeneration: specChanged,
  },
};
