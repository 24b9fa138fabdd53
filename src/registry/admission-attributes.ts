// Builds the AdmissionAttributes of a write from what the generic store knows, as
// k8s.io/apiserver's admission.NewAttributesRecord does in the REST handlers: the operation,
// the object and its stored version, the request's user and dryRun, and the operation's
// options (CreateOptions, UpdateOptions, DeleteOptions) as webhooks receive them.
import type { KubeObject } from '../api/types.ts';
import type { ResourceDef } from './types.ts';
import { loopbackUser } from './admission-chain.ts';
import type { AdmissionAttributes, AdmissionOperation } from './admission.ts';
import type { UserInfo } from '../api/authorization.ts';

interface WriteLike {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: string;
  force?: boolean;
  user?: UserInfo;
}

interface DeleteLike {
  dryRun?: boolean;
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
  preconditions?: unknown;
  user?: UserInfo;
}

export interface AttributesInput {
  operation: AdmissionOperation;
  def: ResourceDef;
  object?: KubeObject;
  oldObject?: KubeObject;
  /** Defaults to the object's (or old object's) name and namespace. */
  name?: string;
  namespace?: string;
  subresource?: string;
  opts?: WriteLike;
  deleteRequest?: DeleteLike;
  warnings?: string[];
}

export function admissionAttributes(input: AttributesInput): AdmissionAttributes {
  const meta = input.object?.metadata ?? input.oldObject?.metadata;
  const request = input.deleteRequest ?? input.opts ?? {};
  return {
    operation: input.operation,
    def: input.def,
    subresource: input.subresource || undefined,
    // For generateName objects the name is empty until the store generates it, as kube's webhooks see it.
    name: input.name ?? meta?.name ?? '',
    namespace: input.def.namespaced ? (input.namespace ?? meta?.namespace) : undefined,
    object: input.object,
    oldObject: input.oldObject,
    options: operationOptions(input),
    user: request.user ?? loopbackUser,
    dryRun: !!request.dryRun,
    warnings: input.warnings ?? [],
  };
}

/** metav1.CreateOptions / UpdateOptions / DeleteOptions, as the AdmissionReview's `options` carries them. */
function operationOptions(input: AttributesInput): Record<string, unknown> {
  const kind = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions', CONNECT: '' }[input.operation];
  const out: Record<string, unknown> = { kind, apiVersion: 'meta.k8s.io/v1' };
  if (input.deleteRequest) {
    const d = input.deleteRequest;
    if (d.gracePeriodSeconds !== undefined) out.gracePeriodSeconds = d.gracePeriodSeconds;
    if (d.preconditions) out.preconditions = d.preconditions;
    if (d.orphanDependents !== undefined) out.orphanDependents = d.orphanDependents;
    if (d.propagationPolicy) out.propagationPolicy = d.propagationPolicy;
    if (d.dryRun) out.dryRun = ['All'];
    return out;
  }
  const o = input.opts ?? {};
  if (o.dryRun) out.dryRun = ['All'];
  if (o.fieldManager) out.fieldManager = o.fieldManager;
  if (o.fieldValidation) out.fieldValidation = o.fieldValidation;
  return out;
}
