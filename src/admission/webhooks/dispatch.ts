// The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins, as k8s.io/apiserver's
// webhook dispatchers: every webhook of every configuration (configurations by name, webhooks
// in order) whose rules and selectors match is called; mutating webhooks one after the other,
// each seeing the previous one's patch, validating webhooks all at once. A denial ends the
// request with `admission webhook "x" denied the request: <message>`; a failed call ends it
// with an InternalError under failurePolicy Fail and is ignored under Ignore.
import { errors, StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../../registry/object-meta.ts';
import { applyJsonPatch } from '../../registry/patch/json-patch.ts';
import type { ObjectLookup, ResourceRef } from '../lookup.ts';
import { refs } from '../lookup.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/admission.ts';
import { callWebhook, type ClientConfig } from './call.ts';
import { matchConditionsAllow } from './match-conditions.ts';
import { admissionReview, verifyResponse, type AdmissionResponse } from './review.ts';
import { namespaceSelectorMatches, objectSelectorMatches, rulesMatch, type RuleWithOperations } from './rules.ts';

export interface Webhook {
  name: string;
  clientConfig: ClientConfig;
  rules?: RuleWithOperations[];
  failurePolicy?: 'Fail' | 'Ignore';
  matchPolicy?: string;
  namespaceSelector?: unknown;
  objectSelector?: unknown;
  sideEffects?: string;
  timeoutSeconds?: number;
  admissionReviewVersions?: string[];
  reinvocationPolicy?: 'Never' | 'IfNeeded';
  matchConditions?: Array<{ name: string; expression: string }>;
}

/** The configurations' webhooks in kube's order: configurations sorted by name, webhooks as listed. */
async function webhooksOf(lookup: ObjectLookup, ref: ResourceRef): Promise<Webhook[]> {
  const configs = await lookup.list(ref);
  configs.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  return configs.flatMap((c) => (Array.isArray(c.webhooks) ? (c.webhooks as Webhook[]) : []));
}

/** ShouldCallHook: rules, then namespaceSelector, then objectSelector, then matchConditions. */
async function shouldCall(hook: Webhook, a: AdmissionAttributes, lookup: ObjectLookup): Promise<boolean> {
  if (!rulesMatch(hook.rules, a)) return false;
  if (!await namespaceSelectorMatches(hook.namespaceSelector, a, (ns) => lookup.namespaceLabels(ns))) return false;
  if (!objectSelectorMatches(hook.objectSelector, a)) return false;
  return matchConditionsAllow(hook, a);
}

/** A call that did not yield an answer, as webhookutil.ErrCallingWebhook. */
class CallingWebhookError extends Error {}

async function call(hook: Webhook, a: AdmissionAttributes, mutating: boolean): Promise<AdmissionResponse> {
  // Webhooks with side effects are not called on a dry run: the request fails instead.
  if (a.dryRun && hook.sideEffects !== 'None' && hook.sideEffects !== 'NoneOnDryRun') {
    throw errors.badRequest(`admission webhook "${hook.name}" does not support dry run`);
  }
  const timeout = Math.min(Math.max(hook.timeoutSeconds ?? 10, 1), 30);
  const { uid, review } = admissionReview(a);
  try {
    return verifyResponse(uid, await callWebhook(hook.clientConfig, timeout, review), mutating);
  } catch (err) {
    const reason = (err as Error).message;
    const wording = /^(Post |an error on the server)/.test(reason) ? `failed to call webhook: ${reason}` : `received invalid webhook response: ${reason}`;
    throw new CallingWebhookError(`failed calling webhook "${hook.name}": ${wording}`);
  }
}

/** webhookerrors.ToStatusErr: the webhook's Status, with at least 400 and kube's prefix. */
function denied(hook: Webhook, status: AdmissionResponse['status']): StatusError {
  const deniedBy = `admission webhook "${hook.name}" denied the request`;
  const message = status?.message ? `${deniedBy}: ${status.message}` : status?.reason ? `${deniedBy}: ${status.reason}` : `${deniedBy} without explanation`;
  const code = (status?.code ?? 0) < 400 ? 400 : status!.code!;
  const err = new StatusError(code, status?.reason ?? '', message, status?.details as never);
  if (!status?.reason) delete err.status.reason;
  return err;
}

/** Runs one hook; returns whether it changed the object. */
async function runHook(hook: Webhook, a: AdmissionAttributes, mutating: boolean): Promise<boolean> {
  let response: AdmissionResponse;
  try {
    response = await call(hook, a, mutating);
  } catch (err) {
    if (!(err instanceof CallingWebhookError)) throw err;
    if (hook.failurePolicy === 'Ignore') return false;
    throw errors.internal(err.message);
  }
  a.warnings?.push(...(response.warnings ?? []));
  if (!response.allowed) throw denied(hook, response.status);
  if (!mutating || !response.patch || !a.object) return false;
  const patch = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
  const patched = applyJsonPatch(structuredClone(a.object), patch) as KubeObject;
  if (jsonEqual(patched, a.object)) return false;
  replaceInPlace(a.object, patched);
  return true;
}

function replaceInPlace(target: KubeObject, next: KubeObject): void {
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, next);
}

export function mutatingWebhookPlugin(lookup: ObjectLookup): AdmissionPlugin {
  return {
    name: 'MutatingAdmissionWebhook',
    async admit(a) {
      const hooks = await webhooksOf(lookup, refs.mutatingWebhookConfigurations);
      if (hooks.length === 0) return;
      const called: Array<{ hook: Webhook; at: number }> = [];
      let lastChange = -1;
      for (const hook of hooks) {
        if (!await shouldCall(hook, a, lookup)) continue;
        called.push({ hook, at: called.length });
        if (await runHook(hook, a, true)) lastChange = called.length - 1;
      }
      // reinvocationPolicy IfNeeded: called once more when a later webhook changed the object.
      for (const { hook, at } of called) {
        if (hook.reinvocationPolicy === 'IfNeeded' && at < lastChange) await runHook(hook, a, true);
      }
    },
  };
}

export function validatingWebhookPlugin(lookup: ObjectLookup): AdmissionPlugin {
  return {
    name: 'ValidatingAdmissionWebhook',
    async validate(a) {
      const hooks = await webhooksOf(lookup, refs.validatingWebhookConfigurations);
      if (hooks.length === 0) return;
      const matching: Webhook[] = [];
      for (const hook of hooks) if (await shouldCall(hook, a, lookup)) matching.push(hook);
      const results = await Promise.allSettled(matching.map((hook) => runHook(hook, a, false)));
      // The first refusal in webhook order wins, as kube reports the first error from its channel.
      for (const r of results) if (r.status === 'rejected') throw r.reason;
    },
  };
}
