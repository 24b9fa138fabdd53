// Which webhooks a request reaches, as k8s.io/apiserver's webhook predicates: a webhook's
// rules (operations, apiGroups, apiVersions, resources with `*`, `pods/*`, `*/*`, scope),
// then its namespaceSelector (against the labels of the request's namespace, or of the
// Namespace itself) and objectSelector (against the labels of the object or the old object).
import type { KubeObject } from '../../api/types.ts';
import { labelSelectorFromObject } from '../../registry/selectors/label-selector.ts';
import type { AdmissionAttributes } from '../../registry/admission.ts';

export interface RuleWithOperations {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: string;
}

const has = (list: string[] | undefined, value: string) => (list ?? []).some((v) => v === '*' || v === value);

/** rules.Matcher.Matches. */
export function ruleMatches(rule: RuleWithOperations, a: AdmissionAttributes): boolean {
  if (!has(rule.operations, a.operation)) return false;
  if (!has(rule.apiGroups, a.def.group) || !has(rule.apiVersions, a.def.version)) return false;
  const scope = rule.scope ?? '*';
  // A Namespace is cluster-scoped; kube checks the request's namespace, which is empty for it.
  if (scope === 'Cluster' && a.namespace) return false;
  if (scope === 'Namespaced' && !a.namespace) return false;
  const sub = a.subresource ?? '';
  return (rule.resources ?? []).some((r) => {
    const [res, rsub = ''] = r.split('/', 2);
    return (res === '*' || res === a.def.plural) && (rsub === '*' || rsub === sub);
  });
}

export function rulesMatch(rules: RuleWithOperations[] | undefined, a: AdmissionAttributes): boolean {
  return (rules ?? []).some((r) => ruleMatches(r, a));
}

/** objectSelector: matches when either the new or the old object's labels match (kube's MatchObjectSelector). */
export function objectSelectorMatches(selector: unknown, a: AdmissionAttributes): boolean {
  if (!selector || Object.keys(selector).length === 0) return true;
  const sel = labelSelectorFromObject(selector);
  const labelsOf = (o?: KubeObject) => o?.metadata?.labels ?? {};
  return (!!a.object && sel.matches(labelsOf(a.object))) || (!!a.oldObject && sel.matches(labelsOf(a.oldObject)));
}

/**
 * namespaceSelector (kube's MatchNamespaceSelector): cluster-scoped objects other than
 * Namespaces always match; a Namespace is matched by its own labels; anything else by the
 * labels of its namespace, looked up by `namespaceLabels`.
 */
export async function namespaceSelectorMatches(selector: unknown, a: AdmissionAttributes,
  namespaceLabels: (name: string) => Promise<Record<string, string> | undefined>): Promise<boolean> {
  if (!selector || Object.keys(selector).length === 0) return true;
  const isNamespace = a.def.group === '' && a.def.plural === 'namespaces';
  if (!a.namespace && !isNamespace) return true;
  const sel = labelSelectorFromObject(selector);
  if (isNamespace) {
    const obj = a.object ?? a.oldObject;
    return sel.matches(obj?.metadata?.labels ?? {});
  }
  return sel.matches((await namespaceLabels(a.namespace!)) ?? {});
}
