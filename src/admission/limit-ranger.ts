// The LimitRanger admission plugin (plugin/pkg/admission/limitranger): on a new Pod, every
// LimitRange of type Container in its namespace fills missing container requests and limits
// from `defaultRequest` and `default` (noting it in the `kubernetes.io/limit-ranger`
// annotation); then min, max and maxLimitRequestRatio are enforced per Container, per Pod (the
// containers' sum) and per PersistentVolumeClaim, refusing with kube's messages, e.g.
//   pods "p" is forbidden: maximum cpu usage per Container is 500m, but limit is 1
import { errors } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import { arrayOf, isObject } from '../registry/resources/podspec.ts';
import type { ObjectLookup } from './lookup.ts';
import { refs } from './lookup.ts';
import { parseQuantity } from '../api/quota-quantity.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.ts';

type ResourceList = Record<string, string>;
const limitRangerAnnotation = 'kubernetes.io/limit-ranger';

function isPod(a: AdmissionAttributes) {
  return a.def.group === '' && a.def.plural === 'pods';
}
function isClaim(a: AdmissionAttributes) {
  return a.def.group === '' && a.def.plural === 'persistentvolumeclaims';
}

/** defaultContainerResourceRequirements: the Container items' default and defaultRequest. */
function containerDefaults(ranges: KubeObject[]): { requests: ResourceList; limits: ResourceList } {
  const out = { requests: {} as ResourceList, limits: {} as ResourceList };
  for (const lr of ranges) {
    for (const item of arrayOf(lr.spec?.limits)) {
      if (item?.type !== 'Container') continue;
      Object.assign(out.requests, item.defaultRequest ?? {});
      Object.assign(out.limits, item.default ?? {});
    }
  }
  return out;
}

/** mergePodResourceRequirements: returns the annotation pieces for what was set. */
function mergeDefaults(c: any, kind: string, defaults: { requests: ResourceList; limits: ResourceList }): string[] {
  c.resources ??= {};
  const setRequests: string[] = [];
  const setLimits: string[] = [];
  for (const [k, v] of Object.entries(defaults.requests)) {
    c.resources.requests ??= {};
    if (!(k in c.resources.requests)) {
      c.resources.requests[k] = v;
      setRequests.push(k);
    }
  }
  for (const [k, v] of Object.entries(defaults.limits)) {
    c.resources.limits ??= {};
    if (!(k in c.resources.limits)) {
      c.resources.limits[k] = v;
      setLimits.push(k);
    }
  }
  if (c.resources.requests && Object.keys(c.resources.requests).length === 0) delete c.resources.requests;
  if (c.resources.limits && Object.keys(c.resources.limits).length === 0) delete c.resources.limits;
  const notes: string[] = [];
  if (setRequests.length) notes.push(`${setRequests.sort().join(', ')} request for ${kind} ${c.name}`);
  if (setLimits.length) notes.push(`${setLimits.sort().join(', ')} limit for ${kind} ${c.name}`);
  return notes;
}

function constraints(limitType: string, item: any, request: ResourceList, limit: ResourceList): string[] {
  const errs: string[] = [];
  for (const [r, enforced] of Object.entries<string>(item.min ?? {})) {
    const req = request[r];
    const lim = limit[r];
    const e = parseQuantity(enforced) ?? 0;
    if (req === undefined) errs.push(`minimum ${r} usage per ${limitType} is ${enforced}.  No request is specified`);
    else if ((parseQuantity(req) ?? 0) < e) errs.push(`minimum ${r} usage per ${limitType} is ${enforced}, but request is ${req}`);
    else if (lim !== undefined && (parseQuantity(lim) ?? 0) < e) errs.push(`minimum ${r} usage per ${limitType} is ${enforced}, but limit is ${lim}`);
  }
  for (const [r, enforced] of Object.entries<string>(item.max ?? {})) {
    const req = request[r];
    const lim = limit[r];
    const e = parseQuantity(enforced) ?? 0;
    if (lim === undefined) errs.push(`maximum ${r} usage per ${limitType} is ${enforced}.  No limit is specified`);
    else if ((parseQuantity(lim) ?? 0) > e) errs.push(`maximum ${r} usage per ${limitType} is ${enforced}, but limit is ${lim}`);
    else if (req !== undefined && (parseQuantity(req) ?? 0) > e) errs.push(`maximum ${r} usage per ${limitType} is ${enforced}, but request is ${req}`);
  }
  for (const [r, enforced] of Object.entries<string>(item.maxLimitRequestRatio ?? {})) {
    const req = parseQuantity(request[r]) ?? 0;
    const lim = parseQuantity(limit[r]) ?? 0;
    if (!req) errs.push(`${r} max limit to request ratio per ${limitType} is ${enforced}, but no request is specified or request is 0`);
    else if (!lim) errs.push(`${r} max limit to request ratio per ${limitType} is ${enforced}, but no limit is specified or limit is 0`);
    else if (lim / req > (parseQuantity(enforced) ?? 0)) {
      errs.push(`${r} max limit to request ratio per ${limitType} is ${enforced}, but provided ratio is ${(lim / req).toFixed(6)}`);
    }
  }
  return errs;
}

/** The pod's requests and limits: containers summed, init containers as a floor (PodRequests). */
function podTotals(spec: any, which: 'requests' | 'limits'): ResourceList {
  const sum: Record<string, number> = {};
  for (const c of arrayOf(spec?.containers)) for (const [k, v] of Object.entries(c?.resources?.[which] ?? {})) sum[k] = (sum[k] ?? 0) + (parseQuantity(v) ?? 0);
  for (const c of arrayOf(spec?.initContainers)) for (const [k, v] of Object.entries(c?.resources?.[which] ?? {})) sum[k] = Math.max(sum[k] ?? 0, parseQuantity(v) ?? 0);
  return Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, String(v)]));
}

function validatePod(pod: KubeObject, ranges: KubeObject[]): string[] {
  const errs: string[] = [];
  for (const lr of ranges) {
    for (const item of arrayOf(lr.spec?.limits)) {
      if (item?.type === 'Container') {
        for (const c of [...arrayOf(pod.spec?.initContainers), ...arrayOf(pod.spec?.containers)]) {
          errs.push(...constraints('Container', item, c?.resources?.requests ?? {}, c?.resources?.limits ?? {}));
        }
      } else if (item?.type === 'Pod') {
        errs.push(...constraints('Pod', item, podTotals(pod.spec, 'requests'), podTotals(pod.spec, 'limits')));
      }
    }
  }
  return errs;
}

function validateClaim(pvc: KubeObject, ranges: KubeObject[]): string[] {
  const errs: string[] = [];
  for (const lr of ranges) {
    for (const item of arrayOf(lr.spec?.limits)) {
      if (item?.type !== 'PersistentVolumeClaim') continue;
      errs.push(...constraints('PersistentVolumeClaim', { min: item.min, max: item.max }, pvc.spec?.resources?.requests ?? {}, pvc.spec?.resources?.limits ?? {}));
    }
  }
  return errs;
}

function forbidden(a: AdmissionAttributes, errs: string[]) {
  const name = a.object?.metadata?.name || a.object?.metadata?.generateName || a.name;
  // utilerrors.NewAggregate: one message alone, several in brackets.
  return errors.forbidden({ group: a.def.group, resource: a.def.plural }, name, errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
}

export function limitRangerPlugin(lookup: ObjectLookup): AdmissionPlugin {
  // Pods are defaulted and checked on create only: their containers' resources cannot change afterwards.
  const applies = (a: AdmissionAttributes) => !a.subresource && !!a.namespace && !!a.object &&
    ((isPod(a) && a.operation === 'CREATE') || (isClaim(a) && (a.operation === 'CREATE' || a.operation === 'UPDATE')));
  return {
    name: 'LimitRanger',
    async admit(a) {
      if (!applies(a) || !isPod(a)) return;
      const ranges = await lookup.list(refs.limitRanges, a.namespace);
      if (ranges.length === 0) return;
      const defaults = containerDefaults(ranges);
      const pod = a.object!;
      const notes: string[] = [];
      for (const c of arrayOf(pod.spec?.containers)) if (isObject(c)) notes.push(...mergeDefaults(c, 'container', defaults));
      for (const c of arrayOf(pod.spec?.initContainers)) if (isObject(c)) notes.push(...mergeDefaults(c, 'init container', defaults));
      if (notes.length) {
        pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [limitRangerAnnotation]: `LimitRanger plugin set: ${notes.join('; ')}` };
      }
    },
    async validate(a) {
      if (!applies(a)) return;
      const ranges = await lookup.list(refs.limitRanges, a.namespace);
      if (ranges.length === 0) return;
      const errs = isPod(a) ? validatePod(a.object!, ranges) : validateClaim(a.object!, ranges);
      if (errs.length) throw forbidden(a, errs);
    },
  };
}
