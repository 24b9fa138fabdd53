// admissionregistration.k8s.io/v1: the webhook configurations and the validating admission
// policies that admission (src/admission/webhooks, src/admission/policy) reads. Defaults are
// SetDefaults_ValidatingWebhook / SetDefaults_MutatingWebhook / SetDefaults_Rule /
// SetDefaults_ServiceReference; validation keeps the rules a client most often breaks
// (ValidateValidatingWebhookConfiguration's required fields, names, clientConfig, timeouts).
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { ageColumn, column } from './core-columns.ts';
import { arrayOf, isObject } from './podspec.ts';
import { specChanged } from './apps-common.ts';

function defaultWebhook(w: any, mutating: boolean): void {
  w.failurePolicy ??= 'Fail';
  w.matchPolicy ??= 'Equivalent';
  w.namespaceSelector ??= {};
  w.objectSelector ??= {};
  w.timeoutSeconds ??= 10;
  if (mutating) w.reinvocationPolicy ??= 'Never';
  for (const r of arrayOf(w.rules)) if (isObject(r)) r.scope ??= '*';
  if (isObject(w.clientConfig?.service)) w.clientConfig.service.port ??= 443;
}

const sideEffectClasses = ['None', 'NoneOnDryRun'];
const failurePolicies = ['Fail', 'Ignore'];
const operations = ['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

function validateWebhooks(obj: KubeObject, mutating: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arrayOf(obj.webhooks).forEach((w: any, i: number) => {
    const p = `webhooks[${i}]`;
    if (!w?.name) errs.push(field.required(`${p}.name`, ''));
    else if (w.name.split('.').length < 3) {
      errs.push(field.invalid(`${p}.name`, w.name, 'should be a domain with at least three segments separated by dots'));
    } else if (seen.has(w.name)) errs.push(field.duplicate(`${p}.name`, w.name));
    else seen.add(w.name);
    if (w?.sideEffects == null) {
      errs.push(field.required(`${p}.sideEffects`, `must specify one of ${sideEffectClasses.map((s) => `"${s}"`).join(', ')}`));
    } else if (!sideEffectClasses.includes(w.sideEffects)) errs.push(field.notSupported(`${p}.sideEffects`, w.sideEffects, sideEffectClasses));
    if (!arrayOf(w?.admissionReviewVersions).length) {
      errs.push(field.required(`${p}.admissionReviewVersions`, 'must specify one of v1, v1beta1'));
    }
    if (w?.failurePolicy && !failurePolicies.includes(w.failurePolicy)) errs.push(field.notSupported(`${p}.failurePolicy`, w.failurePolicy, failurePolicies));
    if (typeof w?.timeoutSeconds === 'number' && (w.timeoutSeconds < 1 || w.timeoutSeconds > 30)) {
      errs.push(field.invalid(`${p}.timeoutSeconds`, w.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
    }
    const cc = w?.clientConfig ?? {};
    if (cc.url && cc.service) errs.push(field.required(`${p}.clientConfig`, 'exactly one of url or service is required'));
    else if (!cc.url && !cc.service) errs.push(field.required(`${p}.clientConfig`, 'exactly one of url or service is required'));
    else if (cc.url) {
      let u: URL | undefined;
      try {
        u = new URL(cc.url);
      } catch { /* reported below */ }
      if (!u || u.protocol !== 'https:') errs.push(field.invalid(`${p}.clientConfig.url`, cc.url, "'https' is the only allowed URL scheme"));
    }
    arrayOf(w?.rules).forEach((r: any, j: number) => {
      for (const op of arrayOf(r?.operations)) {
        if (!operations.includes(op)) errs.push(field.notSupported(`${p}.rules[${j}].operations`, op, operations));
      }
      if (!arrayOf(r?.resources).length) errs.push(field.required(`${p}.rules[${j}].resources`, ''));
    });
    if (mutating && w?.reinvocationPolicy && !['Never', 'IfNeeded'].includes(w.reinvocationPolicy)) {
      errs.push(field.notSupported(`${p}.reinvocationPolicy`, w.reinvocationPolicy, ['Never', 'IfNeeded']));
    }
  });
  return errs;
}

function webhookConfiguration(kind: string, plural: string, singular: string, mutating: boolean): ResourceDef {
  return {
    group: 'admissionregistration.k8s.io', version: 'v1', kind, plural, singular,
    shortNames: [], categories: ['api-extensions'], namespaced: false, verbs: allVerbs, subresources: [],
    schema: `io.k8s.api.admissionregistration.v1.${kind}`,
    columns: [
      column('Webhooks', 'integer', 'Webhooks indicates the number of webhooks.', (o) => arrayOf(o.webhooks).length),
      ageColumn,
    ],
    strategy: {
      defaults: (o) => arrayOf(o.webhooks).forEach((w) => isObject(w) && defaultWebhook(w, mutating)),
      validate: (o) => validateWebhooks(o, mutating),
    },
  };
}

export const mutatingWebhookConfigurationResource = webhookConfiguration(
  'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', 'mutatingwebhookconfiguration', true);
export const validatingWebhookConfigurationResource = webhookConfiguration(
  'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', 'validatingwebhookconfiguration', false);

export const validatingAdmissionPolicyResource: ResourceDef = {
  group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingAdmissionPolicy',
  plural: 'validatingadmissionpolicies', singular: 'validatingadmissionpolicy',
  shortNames: [], categories: ['api-extensions'], namespaced: false, verbs: allVerbs, subresources: ['status'],
  schema: 'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicy',
  columns: [
    column('Validations', 'integer', 'Validations indicates the number of validation rules.', (o) => arrayOf(o.spec?.validations).length),
    column('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy',
      (o) => (o.spec?.paramKind ? `${o.spec.paramKind.apiVersion ?? ''} ${o.spec.paramKind.kind ?? ''}`.trim() : '<unset>')),
    ageColumn,
  ],
  strategy: {
    bumpsGeneration: specChanged,
    defaults: (o) => {
      o.spec ??= {};
      o.spec.failurePolicy ??= 'Fail';
      if (isObject(o.spec.matchConstraints)) {
        o.spec.matchConstraints.matchPolicy ??= 'Equivalent';
        o.spec.matchConstraints.namespaceSelector ??= {};
        o.spec.matchConstraints.objectSelector ??= {};
        for (const r of arrayOf(o.spec.matchConstraints.resourceRules)) if (isObject(r)) r.scope ??= '*';
      }
    },
    prepareForCreate: (o) => {
      delete o.status;
    },
  },
};

export const validatingAdmissionPolicyBindingResource: ResourceDef = {
  group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingAdmissionPolicyBinding',
  plural: 'validatingadmissionpolicybindings', singular: 'validatingadmissionpolicybinding',
  shortNames: [], categories: ['api-extensions'], namespaced: false, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBinding',
  columns: [
    column('PolicyName', 'string', 'PolicyName references a ValidatingAdmissionPolicy name which the ValidatingAdmissionPolicyBinding binds to.',
      (o) => o.spec?.policyName ?? ''),
    column('ParamRef', 'string', 'ParamRef specifies the parameter resource used to configure the admission control policy.',
      (o) => (o.spec?.paramRef ? `${o.spec.paramRef.namespace ? `${o.spec.paramRef.namespace}/` : ''}${o.spec.paramRef.name ?? ''}` : '<unset>')),
    ageColumn,
  ],
  strategy: {
    bumpsGeneration: specChanged,
    defaults: (o) => {
      if (isObject(o.spec?.matchResources)) {
        o.spec.matchResources.matchPolicy ??= 'Equivalent';
        o.spec.matchResources.namespaceSelector ??= {};
        o.spec.matchResources.objectSelector ??= {};
      }
    },
  },
};

export const admissionRegistrationResources: ResourceDef[] = [
  mutatingWebhookConfigurationResource,
  validatingWebhookConfigurationResource,
  validatingAdmissionPolicyResource,
  validatingAdmissionPolicyBindingResource,
];
