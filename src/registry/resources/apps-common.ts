// What the apps/v1 controllers' strategies share: the pod template rules of
// ValidatePodTemplateSpecForReplicaSet, selector immutability, generation on spec change, the
// scale subresource's paths and the collisionCount rule of the status strategies.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../object-meta.ts';
import type { ScaleDef } from '../types.ts';
import { defaultPodTemplateSpec, isObject, validatePodTemplateSpec } from './podspec.ts';
import { immutable, selectorValue } from './workload.ts';

export const replicasScale: ScaleDef = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' };

// ---- shared by Deployments and ReplicaSets ----

/** ValidatePodTemplateSpecForReplicaSet, after the labels check (done with the selector). */
export function replicaSetTemplateErrors(template: any, kind = 'ReplicaSet'): FieldError[] {
  if (!isObject(template)) return [];
  const errs = validatePodTemplateSpec(template, 'spec.template');
  const restartPolicy = template.spec?.restartPolicy;
  if (restartPolicy !== 'Always') errs.push(field.notSupported('spec.template.spec.restartPolicy', restartPolicy ?? '', ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec?.activeDeadlineSeconds !== null) {
    errs.push(field.forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

export function defaultTemplate(spec: any): void {
  if (isObject(spec.template)) defaultPodTemplateSpec(spec.template);
}

export const specChanged = (obj: KubeObject, old: KubeObject) => !jsonEqual(obj.spec, old.spec);

/** Selectors of apps/v1 objects may not change (the strategies' ValidateUpdate). */
export const selectorImmutable = (obj: KubeObject, old: KubeObject) =>
  immutable(obj.spec?.selector, old.spec?.selector, 'spec.selector', (v) => selectorValue(v as any));

/** IsDecremented(status.collisionCount): `status.collisionCount: Invalid value: 0: cannot be decremented`. */
export function collisionCountDecrement(obj: KubeObject, old: KubeObject): FieldError[] {
  const prev = old.status?.collisionCount;
  const next = obj.status?.collisionCount;
  if (typeof prev !== 'number' || (typeof next === 'number' && next >= prev)) return [];
  return [field.invalid('status.collisionCount', next ?? 0, 'cannot be decremented')];
}
