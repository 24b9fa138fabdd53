// The variables admission CEL expressions see (webhook matchConditions, ValidatingAdmissionPolicy
// validations), as k8s.io/apiserver's admission/plugin/cel: `object`, `oldObject`, `request`
// (the AdmissionRequest), and `params` / `namespaceObject` where the policy has them. Integers
// are CEL ints (BigInt in cel-js), everything else is JSON as stored.
import type { AdmissionAttributes } from '../registry/admission.ts';

export function celValue(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(celValue);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = celValue(v);
    return out;
  }
  return value;
}

export function admissionActivation(a: AdmissionAttributes, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const kind = { group: a.def.group, version: a.def.version, kind: a.def.kind };
  const resource = { group: a.def.group, version: a.def.version, resource: a.def.plural };
  const request = {
    kind, resource, requestKind: kind, requestResource: resource, subResource: a.subresource ?? '',
    name: a.name, namespace: a.namespace ?? '', operation: a.operation,
    userInfo: { username: a.user.username, uid: a.user.uid ?? '', groups: a.user.groups, extra: a.user.extra ?? {} },
    dryRun: a.dryRun, options: a.options ?? {},
  };
  return {
    object: a.operation === 'DELETE' ? null : celValue(a.object ?? null),
    oldObject: celValue(a.oldObject ?? null),
    request: celValue(request),
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, celValue(v)])),
  };
}
