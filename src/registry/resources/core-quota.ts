// core/v1 LimitRange and ResourceQuota: SetDefaults_LimitRangeItem, the quota's status reset
// on create, and printResourceQuota's REQUEST / LIMIT cells. LimitRange has no printer in
// kube, so it gets the default table (NAME, CREATED AT).
import type { KubeObject } from '../../api/types.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { ageColumn, column, createdAtColumn } from './core-columns.ts';
import type { FieldError } from '../../api/errors.ts';
import { quantityString } from '../../api/quantity.ts';
import { validateNonnegativeQuantities } from './quantity-validation.ts';
import { arrayOf, isObject } from './podspec.ts';

/** SetDefaults_LimitRangeItem: for Container limits, default ← max, defaultRequest ← default ← min. */
function defaultLimitRange(lr: KubeObject): void {
  for (const item of arrayOf(lr.spec?.limits)) {
    if (!isObject(item) || item.type !== 'Container') continue;
    item.default = { ...(isObject(item.max) ? item.max : {}), ...(isObject(item.default) ? item.default : {}) };
    item.defaultRequest = {
      ...(isObject(item.min) ? item.min : {}), ...item.default, ...(isObject(item.defaultRequest) ? item.defaultRequest : {}),
    };
    if (Object.keys(item.default).length === 0) delete item.default;
    if (Object.keys(item.defaultRequest).length === 0) delete item.defaultRequest;
  }
}

/** ValidateLimitRange's quantity checks: every amount of every item non-negative. */
function validateLimitRange(lr: KubeObject): FieldError[] {
  return arrayOf(lr.spec?.limits).flatMap((item, i) => !isObject(item) ? [] :
    ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']
      .flatMap((list) => validateNonnegativeQuantities(item[list], `spec.limits[${i}].${list}`)));
}

/** ValidateResourceQuotaSpec's quantity checks: a negative hard limit would block every pod. */
function validateResourceQuota(rq: KubeObject): FieldError[] {
  return validateNonnegativeQuantities(rq.spec?.hard, 'spec.hard');
}

export const limitRangeResource: ResourceDef = {
  group: '', version: 'v1', kind: 'LimitRange', plural: 'limitranges', singular: 'limitrange',
  shortNames: ['limits'], categories: [], namespaced: true, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.core.v1.LimitRange',
  columns: [createdAtColumn],
  strategy: { defaults: defaultLimitRange, validate: validateLimitRange },
};

/** printResourceQuota: "resource: used/hard" pairs, limits.* in LIMIT and the rest in REQUEST. */
function quotaCells(rq: KubeObject): { request: string; limit: string } {
  const hard = isObject(rq.status?.hard) ? rq.status.hard : {};
  const used = isObject(rq.status?.used) ? rq.status.used : {};
  const request: string[] = [];
  const limit: string[] = [];
  for (const name of Object.keys(hard).sort()) {
    const cell = `${name}: ${quantityString(used[name])}/${quantityString(hard[name])}`;
    const pieces = name.split('.');
    (pieces.length > 1 && pieces[0] === 'limits' ? limit : request).push(cell);
  }
  return { request: request.join(', '), limit: limit.join(', ') };
}

export const resourceQuotaResource: ResourceDef = {
  group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', singular: 'resourcequota',
  shortNames: ['quota'], categories: [], namespaced: true, verbs: allVerbs, subresources: ['status'],
  schema: 'io.k8s.api.core.v1.ResourceQuota',
  columns: [
    column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.', (o) => quotaCells(o).request),
    column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
      (o) => quotaCells(o).limit),
    ageColumn,
  ],
  strategy: {
    prepareForCreate: (rq) => {
      rq.status = {};
    },
    validate: validateResourceQuota,
  },
};
