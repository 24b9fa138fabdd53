// core/v1 ReplicationController, the ReplicaSet's predecessor with a plain map selector
// (pkg/apis/core/v1/defaults.go SetDefaults_ReplicationController, core validation).
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { defaultTemplate, specChanged } from './apps-common.ts';
import { ageColumn } from './core-columns.ts';
import { validatePodTemplateSpec } from './podspec.ts';
import { containerColumns, docColumn, int } from './workload.ts';

function mapSelectorString(sel: unknown): string {
  if (!sel || typeof sel !== 'object') return '<none>';
  const entries = Object.entries(sel as Record<string, string>).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

/** An absent selector and absent labels default from the template's labels, as kube does. */
function defaultReplicationController(rc: KubeObject): void {
  rc.spec ??= {};
  const templateLabels = rc.spec.template?.metadata?.labels;
  if (templateLabels) {
    if (!rc.spec.selector || Object.keys(rc.spec.selector).length === 0) rc.spec.selector = { ...templateLabels };
    if (!rc.metadata.labels || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...templateLabels };
  }
  rc.spec.replicas ??= 1;
  defaultTemplate(rc.spec);
}

function validateReplicationController(rc: KubeObject): FieldError[] {
  const spec = rc.spec ?? {};
  const errs: FieldError[] = [];
  if (typeof spec.replicas === 'number' && spec.replicas < 0) errs.push(field.invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  const selector: Record<string, string> = spec.selector ?? {};
  if (Object.keys(selector).length === 0) errs.push(field.required('spec.selector'));
  if (!spec.template) {
    errs.push(field.required('spec.template'));
    return errs;
  }
  const labels: Record<string, string> = spec.template.metadata?.labels ?? {};
  if (Object.keys(selector).length && !Object.entries(selector).every(([k, v]) => labels[k] === v)) {
    errs.push(field.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  if (spec.template.spec?.restartPolicy && spec.template.spec.restartPolicy !== 'Always') {
    errs.push(field.notSupported('spec.template.spec.restartPolicy', spec.template.spec.restartPolicy, ['Always']));
  }
  return [...errs, ...validatePodTemplateSpec(spec.template, 'spec.template')];
}

export const replicationControllerResource: ResourceDef = {
  group: '', version: 'v1', kind: 'ReplicationController', plural: 'replicationcontrollers', singular: 'replicationcontroller',
  shortNames: ['rc'], categories: ['all'], namespaced: true, verbs: allVerbs, subresources: ['status', 'scale'],
  schema: 'io.k8s.api.core.v1.ReplicationController',
  defaultGarbageCollectionPolicy: 'OrphanDependents', // for core/v1, kept for backwards compatibility as kube does
  columns: [
    docColumn('Desired', 'integer', ['io.k8s.api.core.v1.ReplicationControllerSpec', 'replicas'], (o) => int(o.spec?.replicas)),
    docColumn('Current', 'integer', ['io.k8s.api.core.v1.ReplicationControllerStatus', 'replicas'], (o) => int(o.status?.replicas)),
    docColumn('Ready', 'integer', ['io.k8s.api.core.v1.ReplicationControllerStatus', 'readyReplicas'], (o) => int(o.status?.readyReplicas)),
    ageColumn,
    ...containerColumns((o) => o.spec?.template),
    docColumn('Selector', 'string', ['io.k8s.api.core.v1.ReplicationControllerSpec', 'selector'], (o) => mapSelectorString(o.spec?.selector), 1),
  ],
  selectableFields: { 'status.replicas': (o) => String(int(o.status?.replicas)) },
  scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
  strategy: {
    defaults: defaultReplicationController,
    prepareForCreate: (rc) => {
      rc.status = { replicas: 0 };
    },
    validate: validateReplicationController,
    bumpsGeneration: specChanged,
  },
};

export { mapSelectorString };
