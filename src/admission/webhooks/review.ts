// The admission.k8s.io/v1 AdmissionReview a webhook receives, built from the attributes as
// k8s.io/apiserver's request.CreateV1AdmissionReview does, and the checks on its answer.
import { randomUUID } from 'node:crypto';
import type { AdmissionAttributes } from '../../registry/admission.ts';

export interface AdmissionResponse {
  uid?: string;
  allowed?: boolean;
  status?: { code?: number; message?: string; reason?: string; status?: string; details?: unknown };
  patch?: string;
  patchType?: string;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

export function admissionReview(a: AdmissionAttributes): { uid: string; review: Record<string, unknown> } {
  const uid = randomUUID();
  const kind = { group: a.def.group, version: a.def.version, kind: a.def.kind };
  const resource = { group: a.def.group, version: a.def.version, resource: a.def.plural };
  const request: Record<string, unknown> = {
    uid, kind, resource,
    requestKind: kind, requestResource: resource,
    name: a.name, operation: a.operation,
    userInfo: { username: a.user.username, uid: a.user.uid, groups: a.user.groups, extra: a.user.extra },
    object: a.operation === 'DELETE' ? null : a.object ?? null,
    oldObject: a.oldObject ?? null,
    dryRun: a.dryRun,
    options: a.options ?? null,
  };
  if (a.subresource) request.subResource = a.subresource;
  if (a.namespace) request.namespace = a.namespace;
  if (!a.name) delete request.name;
  return { uid, review: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request } };
}

/** VerifyAdmissionResponse: the answer must be an AdmissionReview v1 for this request's uid. */
export function verifyResponse(uid: string, body: unknown, mutating: boolean): AdmissionResponse {
  const review = body as { apiVersion?: string; kind?: string; response?: AdmissionResponse } | undefined;
  if (review?.apiVersion !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview') {
    throw new Error(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${review?.apiVersion ?? ''}, Kind=${review?.kind ?? ''}`);
  }
  const response = review.response;
  if (!response) throw new Error('webhook response was absent');
  if (response.uid !== uid) throw new Error(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(response.uid ?? '')}`);
  if (!mutating && (response.patch || response.patchType)) {
    throw new Error('validating webhook may not return a patch');
  }
  if (response.patch && response.patchType !== 'JSONPatch') {
    throw new Error(`expected patchType ${JSON.stringify('JSONPatch')}, got ${JSON.stringify(response.patchType ?? '')}`);
  }
  return response;
}
