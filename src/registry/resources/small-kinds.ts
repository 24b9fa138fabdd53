// Small built-in kinds a default kube-apiserver 1.32 serves: core/v1 PodTemplate,
// networking.k8s.io/v1 IngressClass and node.k8s.io/v1 RuntimeClass, with kube's
// validation (pkg/apis/{core,networking,node}/validation), strategies and printers.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../object-meta.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../validation/names.ts';
import { ageColumn, formatLabels } from './core-columns.ts';
import { defaultPodTemplateSpec, isObject, podSpecContainerNames, podSpecImages, validatePodTemplateSpec, validateTolerations } from './podspec.ts';
import { docColumn, immutable, str } from './workload.ts';
import { specChanged } from './apps-common.ts';

// ---- core/v1 PodTemplate ----

const templateOf = (o: KubeObject): any => o.template;

export const podTemplateResource: ResourceDef = {
  group: '', version: 'v1', kind: 'PodTemplate', plural: 'podtemplates', singular: 'podtemplate',
  shortNames: [], categories: [], namespaced: true, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.core.v1.PodTemplate',
  columns: [
    docColumn('Containers', 'string', ['io.k8s.api.core.v1.PodSpec', 'containers'], (o) => podSpecContainerNames(templateOf(o)?.spec)),
    docColumn('Images', 'string', ['io.k8s.api.core.v1.Container', 'image'], (o) => podSpecImages(templateOf(o)?.spec)),
    docColumn('Pod Labels', 'string', ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'labels'], (o) => formatLabels(templateOf(o)?.metadata?.labels)),
  ],
  strategy: {
    defaults: (pt) => {
      if (isObject(pt.template)) defaultPodTemplateSpec(pt.template);
    },
    validate: (pt) => (isObject(pt.template) ? validatePodTemplateSpec(pt.template, 'template') : [field.required('template', '')]),
    // podTemplateStrategy: generation moves with the template.
    bumpsGeneration: (pt, old) => !jsonEqual(pt.template, old.template),
  },
};

// ---- networking.k8s.io/v1 IngressClass ----

const maxControllerLength = 250;
const parameterScopes = ['Cluster', 'Namespace'];

/** validateIngressClassSpec + validateIngressClassParametersReference. */
function validateIngressClass(ic: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const controller = str(ic.spec?.controller);
  if (controller.length > maxControllerLength) errs.push(field.tooLong('spec.controller', controller, maxControllerLength));
  else if (!controller) errs.push(field.required('spec.controller', ''));
  else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[^/]+(\/[^/]+)*$/.test(controller)) {
    errs.push(field.invalid('spec.controller', controller, 'must be a domain-prefixed path (such as "acme.io/foo")'));
  }
  const params = ic.spec?.parameters;
  if (isObject(params)) {
    const path = 'spec.parameters';
    if (params.apiGroup != null) for (const msg of isDNS1123Subdomain(str(params.apiGroup))) errs.push(field.invalid(`${path}.apiGroup`, params.apiGroup, msg));
    if (!str(params.kind)) errs.push(field.required(`${path}.kind`, 'kind is required'));
    if (!str(params.name)) errs.push(field.required(`${path}.name`, 'name is required'));
    const scope = params.scope;
    if (scope == null) errs.push(field.required(`${path}.scope`, ''));
    else if (!parameterScopes.includes(scope)) errs.push(field.notSupported(`${path}.scope`, scope, parameterScopes));
    else if (scope === 'Namespace' && !str(params.namespace)) errs.push(field.required(`${path}.namespace`, '`parameters.scope` is set to \'Namespace\''));
    else if (scope === 'Cluster' && params.namespace != null) errs.push(field.forbidden(`${path}.namespace`, '`parameters.scope` is set to \'Cluster\''));
  }
  return errs;
}

function ingressClassParameters(o: KubeObject): string {
  const p = o.spec?.parameters;
  if (!isObject(p)) return '<none>';
  const kind = p.apiGroup ? `${str(p.kind)}.${str(p.apiGroup)}` : str(p.kind);
  return `${kind}/${str(p.name)}`;
}

export const ingressClassResource: ResourceDef = {
  group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses', singular: 'ingressclass',
  shortNames: [], categories: [], namespaced: false, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.networking.v1.IngressClass',
  columns: [
    docColumn('Controller', 'string', ['io.k8s.api.networking.v1.IngressClassSpec', 'controller'], (o) => str(o.spec?.controller)),
    docColumn('Parameters', 'string', ['io.k8s.api.networking.v1.IngressClassSpec', 'parameters'], ingressClassParameters),
    ageColumn,
  ],
  strategy: {
    validate: validateIngressClass,
    validateUpdate: (ic, old) => immutable(ic.spec?.controller, old.spec?.controller, 'spec.controller'),
    bumpsGeneration: specChanged,
  },
};

// ---- node.k8s.io/v1 RuntimeClass ----

/** ValidateRuntimeClass: a DNS-label handler, a non-negative overhead, valid scheduling constraints. */
function validateRuntimeClass(rc: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const handler = str(rc.handler);
  if (!handler) errs.push(field.required('handler', ''));
  else for (const msg of isDNS1123Label(handler)) errs.push(field.invalid('handler', handler, msg));
  for (const [k, v] of Object.entries(isObject((rc.overhead as any)?.podFixed) ? (rc.overhead as any).podFixed : {})) {
    if (typeof v === 'string' && v.trim().startsWith('-')) errs.push(field.invalid(`overhead.podFixed[${k}]`, v, 'must be greater than or equal to 0'));
  }
  const scheduling = rc.scheduling;
  if (isObject(scheduling)) {
    for (const key of Object.keys(isObject(scheduling.nodeSelector) ? scheduling.nodeSelector : {})) {
      for (const msg of isQualifiedName(key)) errs.push(field.invalid('scheduling.nodeSelector', key, msg));
    }
    if (Array.isArray(scheduling.tolerations)) errs.push(...validateTolerations(scheduling.tolerations, 'scheduling.tolerations'));
  }
  return errs;
}

export const runtimeClassResource: ResourceDef = {
  group: 'node.k8s.io', version: 'v1', kind: 'RuntimeClass', plural: 'runtimeclasses', singular: 'runtimeclass',
  shortNames: [], categories: [], namespaced: false, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.node.v1.RuntimeClass',
  columns: [docColumn('Handler', 'string', ['io.k8s.api.node.v1.RuntimeClass', 'handler'], (o) => str(o.handler)), ageColumn],
  strategy: {
    validate: validateRuntimeClass,
    validateUpdate: (rc, old) => immutable(rc.handler, old.handler, 'handler'),
  },
};


// ---- core/v1 Binding (the legacy /bindings collection) ----

/** POST /api/v1/namespaces/{ns}/bindings binds the pod named in the body, as pods/{name}/binding does (kube's BindingREST). */
export const bindingResource: ResourceDef = {
  group: '', version: 'v1', kind: 'Binding', plural: 'bindings', singular: 'binding',
  shortNames: [], categories: [], namespaced: true, verbs: ['create'], subresources: [],
  schema: 'io.k8s.api.core.v1.Binding',
  columns: [],
  strategy: {},
};

export const smallResources: ResourceDef[] = [podTemplateResource, ingressClassResource, runtimeClassResource, bindingResource];
