// The ValidatingAdmissionPolicy plugin (admissionregistration.k8s.io/v1, GA in 1.30): each
// ValidatingAdmissionPolicyBinding applies its policy to the requests both match
// (matchConstraints, then the binding's matchResources; rules, namespaceSelector,
// objectSelector), the policy's matchConditions gate it, and each CEL validation over
// `object`, `oldObject` and `request` must be true. A failure is handled by the binding's
// validationActions: Deny refuses as kube does,
//   deployments.apps "x" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: failed expression: object.spec.replicas <= 5
// with reason Invalid (422) unless the validation names another; Warn adds a Warning.
// Policies with a paramKind are evaluated with `params` null (parameter resources are not
// resolved by kubelite).
import { StatusError } from '../../api/errors.ts';
import { compileExpression } from '../../apiextensions/cel.ts';
import { qualifiedResource } from '../../api/errors.ts';
import { admissionActivation } from '../cel-activation.ts';
import type { ObjectLookup } from '../lookup.ts';
import { refs } from '../lookup.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/admission.ts';
import { namespaceSelectorMatches, objectSelectorMatches, rulesMatch, type RuleWithOperations } from '../webhooks/rules.ts';

interface MatchResources {
  resourceRules?: Array<RuleWithOperations & { resourceNames?: string[] }>;
  excludeResourceRules?: Array<RuleWithOperations & { resourceNames?: string[] }>;
  namespaceSelector?: unknown;
  objectSelector?: unknown;
}

const programs = new Map<string, ReturnType<typeof compileExpression>>();
function run(expression: string, vars: Record<string, unknown>): unknown {
  let p = programs.get(expression);
  if (!p) {
    p = compileExpression(expression);
    programs.set(expression, p);
  }
  return p(vars);
}

const reasonCodes: Record<string, number> = { Unauthorized: 401, Forbidden: 403, Invalid: 422, RequestEntityTooLarge: 413 };

async function matches(m: MatchResources | undefined, a: AdmissionAttributes, lookup: ObjectLookup): Promise<boolean> {
  if (!m) return true;
  const named = (rules: MatchResources['resourceRules']) => (rules ?? []).filter((r) => !r.resourceNames?.length || r.resourceNames.includes(a.name));
  if (m.resourceRules && !rulesMatch(named(m.resourceRules), a)) return false;
  if (m.excludeResourceRules && rulesMatch(named(m.excludeResourceRules), a)) return false;
  if (!await namespaceSelectorMatches(m.namespaceSelector, a, (ns) => lookup.namespaceLabels(ns))) return false;
  return objectSelectorMatches(m.objectSelector, a);
}

export function validatingAdmissionPolicyPlugin(lookup: ObjectLookup): AdmissionPlugin {
  return {
    name: 'ValidatingAdmissionPolicy',
    async validate(a) {
      const bindings = await lookup.list(refs.validatingAdmissionPolicyBindings);
      if (bindings.length === 0) return;
      const policies = new Map((await lookup.list(refs.validatingAdmissionPolicies)).map((p) => [p.metadata.name!, p]));
      for (const binding of bindings) {
        const policy = policies.get(binding.spec?.policyName);
        if (!policy) continue;
        const spec = policy.spec ?? {};
        if (!await matches(spec.matchConstraints, a, lookup) || !await matches(binding.spec?.matchResources, a, lookup)) continue;
        const vars = admissionActivation(a, { params: null });
        const actions: string[] = binding.spec?.validationActions ?? [];
        const ignore = spec.failurePolicy === 'Ignore';
        const gate = (spec.matchConditions ?? []).every((c: { expression: string }) => {
          try {
            return run(c.expression, vars) === true;
          } catch {
            return !ignore; // an erroring condition applies the policy under Fail
          }
        });
        if (!gate) continue;
        for (const v of spec.validations ?? []) {
          let ok: boolean;
          let message = v.message || `failed expression: ${String(v.expression).trim()}`;
          try {
            ok = run(v.expression, vars) === true;
          } catch (err) {
            if (ignore) continue;
            ok = false;
            message = `expression '${v.expression}' resulted in error: ${(err as Error).message.split('\n')[0]}`;
          }
          if (ok) continue;
          if (v.messageExpression) {
            try {
              const m = run(v.messageExpression, vars);
              if (typeof m === 'string' && m.trim()) message = m;
            } catch { /* the static message stands, as in kube */ }
          }
          const text = `ValidatingAdmissionPolicy '${policy.metadata.name}' with binding '${binding.metadata.name}' denied request: ${message}`;
          if (actions.includes('Warn')) {
            a.warnings?.push(`Validation failed for ValidatingAdmissionPolicy '${policy.metadata.name}' with binding '${binding.metadata.name}': ${message}`);
          }
          if (actions.includes('Deny')) {
            const reason = v.reason || 'Invalid';
            const name = a.object?.metadata?.name || a.object?.metadata?.generateName || a.name;
            const gr = { group: a.def.group, resource: a.def.plural };
            const subject = name ? `${qualifiedResource(gr)} "${name}"` : qualifiedResource(gr);
            throw new StatusError(reasonCodes[reason] ?? 422, reason, `${subject} is forbidden: ${text}`, {
              name: name || undefined, group: a.def.group || undefined, kind: a.def.plural, causes: [{ message: text }],
            });
          }
        }
      }
    },
  };
}
