// The default policy kube-apiserver reconciles at every start (its rbac/bootstrap-roles
// post-start hook): each default role and binding is created when missing; one that exists
// and is not annotated `rbac.authorization.kubernetes.io/autoupdate: "false"` gets back any
// rule, aggregation selector, subject, label or annotation it lacks — added, never removed.
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import { jsonEqual } from '../../api/json-equal.ts';
import type { Registry } from '../../registry/registry.ts';
import { clusterRoleBindingResource, clusterRoleResource, roleBindingResource, roleResource } from '../../registry/resources/rbac.ts';
import type { ResourceDef } from '../../registry/types.ts';
import {
  controllerRoleBindings, defaultClusterRoleBindings, defaultRoleBindings, defaultRoles, type DefaultBinding,
} from './bootstrap-bindings.ts';
import { controllerRoles, kubeliteControllerRoles } from './bootstrap-controllers.ts';
import { defaultClusterRoles } from './bootstrap-roles.ts';
import { covers } from './covers.ts';
import { rule } from './policy-rules.ts';
import { autoupdateAnnotation, bootstrappingLabel, rbacGroup, type BindingObject, type PolicyRule, type RoleObject } from './types.ts';

const apiVersion = `${rbacGroup}/v1`;
const defaultMetadata = { labels: { ...bootstrappingLabel }, annotations: { [autoupdateAnnotation]: 'true' } };

/** Every default object, as kube-apiserver (and kubeadm, and kubelite for its workers) would write it. */
export function defaultPolicyObjects(): { def: ResourceDef; object: KubeObject }[] {
  const out: { def: ResourceDef; object: KubeObject }[] = [];
  for (const role of defaultClusterRoles) {
    const object: RoleObject = {
      apiVersion, kind: 'ClusterRole',
      metadata: { name: role.name, labels: { ...defaultMetadata.labels, ...role.labels }, annotations: { ...defaultMetadata.annotations } },
    };
    if (role.aggregateFrom) object.aggregationRule = { clusterRoleSelectors: role.aggregateFrom.map((matchLabels) => ({ matchLabels })) };
    else object.rules = role.rules;
    out.push({ def: clusterRoleResource, object });
  }
  for (const [controller, rules] of Object.entries(controllerRoles)) {
    out.push({ def: clusterRoleResource, object: { apiVersion, kind: 'ClusterRole', metadata: { name: `system:controller:${controller}`, ...structuredClone(defaultMetadata) }, rules } });
  }
  out.push({ def: clusterRoleResource, object: { apiVersion, kind: 'ClusterRole', metadata: { name: 'kubelite:controller-manager' }, rules: controllerManagerRules() } });
  // kube-scheduler reads a pod's priority from the pod; kubelite's scheduler also watches
  // PriorityClasses (preemption policies), which system:kube-scheduler does not grant.
  out.push({ def: clusterRoleResource, object: { apiVersion, kind: 'ClusterRole', metadata: { name: 'kubelite:scheduler' }, rules: [rule('list watch', ['scheduling.k8s.io'], 'priorityclasses')] } });
  for (const role of defaultRoles) {
    out.push({ def: roleResource, object: { apiVersion, kind: 'Role', metadata: { name: role.name, namespace: role.namespace, ...structuredClone(defaultMetadata) }, rules: role.rules } });
  }
  const bindings = [...defaultClusterRoleBindings, ...controllerRoleBindings(Object.keys(controllerRoles))];
  for (const b of bindings) out.push({ def: clusterRoleBindingResource, object: bindingObject('ClusterRoleBinding', b) });
  for (const b of defaultRoleBindings) out.push({ def: roleBindingResource, object: bindingObject('RoleBinding', b) });
  return out;
}

/** What kubelite's shared controller identity may do: the rules of every controller it runs, each once. */
function controllerManagerRules(): PolicyRule[] {
  const rules: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const c of kubeliteControllerRoles) {
    for (const r of controllerRoles[c]) {
      const text = JSON.stringify(r);
      if (!seen.has(text)) {
        seen.add(text);
        rules.push(r);
      }
    }
  }
  // kubelite's hostpath provisioner (controllers/volume/hostpath-provisioner.ts) creates the default StorageClass when absent.
  rules.push(rule('create', ['storage.k8s.io'], 'storageclasses'));
  return rules;
}

function bindingObject(kind: string, b: DefaultBinding): BindingObject {
  const metadata = b.notBootstrapping ? { name: b.name } : { name: b.name, ...structuredClone(defaultMetadata) };
  return {
    apiVersion, kind, metadata: { ...metadata, ...(b.namespace && { namespace: b.namespace }) },
    roleRef: { apiGroup: rbacGroup, kind: b.roleRef.kind, name: b.roleRef.name },
    subjects: b.subjects.length ? b.subjects : undefined,
  };
}

/** The existing object with whatever of `expected` it lacks, or undefined when it lacks nothing. */
export function reconciled(existing: KubeObject, expected: KubeObject): KubeObject | undefined {
  if (existing.metadata.annotations?.[autoupdateAnnotation] === 'false') return undefined;
  // What a restart nearly always finds: the object as written before, which lacks nothing.
  if (holdsAllAsWritten(existing, expected)) return undefined;
  const next = structuredClone(existing) as RoleObject & BindingObject;
  const want = expected as RoleObject & BindingObject;
  let changed = false;
  for (const field of ['labels', 'annotations'] as const) {
    for (const [k, v] of Object.entries(expected.metadata[field] ?? {})) {
      if (next.metadata[field]?.[k] === undefined) {
        (next.metadata[field] ??= {})[k] = v;
        changed = true;
      }
    }
  }
  const missingRules = (want.rules ?? []).filter((r) => !covers(next.rules ?? [], [r]).covered);
  if (missingRules.length && !next.aggregationRule) {
    next.rules = [...(next.rules ?? []), ...missingRules];
    changed = true;
  }
  for (const selector of want.aggregationRule?.clusterRoleSelectors ?? []) {
    const selectors = (next.aggregationRule ??= { clusterRoleSelectors: [] }).clusterRoleSelectors ??= [];
    if (!selectors.some((s) => JSON.stringify(s) === JSON.stringify(selector))) {
      selectors.push(selector);
      changed = true;
    }
  }
  for (const subject of want.subjects ?? []) {
    const has = (next.subjects ?? []).some((s) => s.kind === subject.kind && s.name === subject.name && (s.namespace ?? '') === (subject.namespace ?? ''));
    if (!has) {
      next.subjects = [...(next.subjects ?? []), subject];
      changed = true;
    }
  }
  return changed ? next : undefined;
}

/**
 * Whether `existing` has every label and annotation of `expected` and the very rules,
 * aggregation rule and subjects it has: then nothing is missing, and the rule-by-rule
 * coverage check (most of the reconciliation's cost on a restart) is not needed.
 */
function holdsAllAsWritten(existing: KubeObject, expected: KubeObject): boolean {
  for (const field of ['labels', 'annotations'] as const) {
    for (const k of Object.keys(expected.metadata[field] ?? {})) if (existing.metadata[field]?.[k] === undefined) return false;
  }
  const has = existing as RoleObject & BindingObject;
  const want = expected as RoleObject & BindingObject;
  return jsonEqual(has.rules ?? [], want.rules ?? []) && jsonEqual(has.aggregationRule, want.aggregationRule)
    && jsonEqual(has.subjects ?? [], want.subjects ?? []);
}

export async function reconcileDefaultPolicy(registry: Registry): Promise<void> {
  // All at once: storage commits the writes in a few group commits instead of one sync each.
  await Promise.all(defaultPolicyObjects().map(async ({ def, object }) => {
    const store = registry.store(def);
    const { name, namespace } = object.metadata;
    const existing = await store.get(namespace, name!).catch(() => undefined);
    try {
      if (!existing) {
        await store.create(namespace, object, { serverBuilt: true });
        return;
      }
      const next = reconciled(existing.object, object);
      if (next) await store.update(namespace, name!, next, { serverBuilt: true });
    } catch (err) {
      // Another server of the same cluster reconciled it first.
      if (!isStatusError(err, 'AlreadyExists') && !isStatusError(err, 'Conflict')) throw err;
    }
  }));
}
