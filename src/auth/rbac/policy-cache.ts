// Every Role, ClusterRole, RoleBinding and ClusterRoleBinding in memory, kept in step with
// storage by a watch (kube-apiserver's RBAC authorizer reads the same objects from shared
// informers). Bindings are indexed by subject — `User:<name>` (ServiceAccount subjects under
// their user name) and `Group:<name>` — so authorizing a request looks only at the bindings
// that can apply to its user, however many bindings the cluster has.
import type { StorageEvent, Storage, WatchHandle } from '../../storage/interface.ts';
import { resourcePrefix } from '../../registry/catalog.ts';
import { rbacGroup, serviceAccountUsername, type BindingObject, type RoleObject, type Subject } from './types.ts';

type BindingIndex = Map<string, Set<BindingObject>>;

/** The index keys a subject is found under; none for a subject that can never apply. */
function subjectKeys(subject: Subject, bindingNamespace: string): string[] {
  switch (subject.kind) {
    case 'User': return [`User:${subject.name}`];
    case 'Group': return [`Group:${subject.name}`];
    case 'ServiceAccount': {
      // A RoleBinding's ServiceAccount subject without a namespace means the binding's own.
      const ns = subject.namespace || bindingNamespace;
      return ns ? [`User:${serviceAccountUsername(ns, subject.name)}`] : [];
    }
    default: return [];
  }
}

function indexBinding(index: BindingIndex, binding: BindingObject, add: boolean): void {
  const ns = binding.metadata.namespace ?? '';
  for (const subject of binding.subjects ?? []) {
    for (const key of subjectKeys(subject, ns)) {
      let set = index.get(key);
      if (add) {
        if (!set) index.set(key, (set = new Set()));
        set.add(binding);
      } else if (set) {
        set.delete(binding);
        if (set.size === 0) index.delete(key);
      }
    }
  }
}

export class PolicyCache {
  readonly clusterRoles = new Map<string, RoleObject>();
  /** Keyed `<namespace>/<name>`. */
  readonly roles = new Map<string, RoleObject>();
  private readonly clusterRoleBindings = new Map<string, BindingObject>();
  private readonly roleBindings = new Map<string, BindingObject>();
  private readonly clusterBindingIndex: BindingIndex = new Map();
  /** Per namespace, RoleBindings by subject. */
  private readonly roleBindingIndex = new Map<string, BindingIndex>();
  private readonly watches: WatchHandle[] = [];
  private readonly clusterRoleListeners: Array<(name: string) => void> = [];
  /** Bumped on every change to any role or binding: decisions remembered under an older one are stale. */
  generation = 0;

  static async start(storage: Storage): Promise<PolicyCache> {
    const cache = new PolicyCache();
    for (const plural of ['clusterroles', 'roles', 'clusterrolebindings', 'rolebindings']) {
      const prefix = resourcePrefix({ group: rbacGroup, plural });
      const initial = await storage.list(prefix);
      for (const item of initial.items) cache.apply(plural, item.object as RoleObject & BindingObject, undefined);
      cache.watches.push(await storage.watch(prefix, initial.revision, (ev) => cache.onEvent(plural, ev)));
    }
    return cache;
  }

  stop(): void {
    for (const w of this.watches.splice(0)) w.stop();
  }

  /** Called with a ClusterRole's name whenever one is added, changed or deleted (aggregation). */
  onClusterRoleChange(listener: (name: string) => void): void {
    this.clusterRoleListeners.push(listener);
  }

  /** The ClusterRoleBindings with a subject that may name this user or one of its groups. */
  clusterBindingsFor(username: string, groups: readonly string[]): Iterable<BindingObject> {
    return candidates(this.clusterBindingIndex, username, groups);
  }

  roleBindingsFor(namespace: string, username: string, groups: readonly string[]): Iterable<BindingObject> {
    const index = this.roleBindingIndex.get(namespace);
    return index ? candidates(index, username, groups) : [];
  }

  private onEvent(plural: string, ev: StorageEvent): void {
    const obj = ev.current.object as RoleObject & BindingObject;
    this.apply(plural, ev.type === 'DELETED' ? undefined : obj, ev.type === 'DELETED' ? obj : undefined);
  }

  private apply(plural: string, obj: (RoleObject & BindingObject) | undefined, deleted: (RoleObject & BindingObject) | undefined): void {
    this.generation++;
    const meta = (obj ?? deleted)!.metadata;
    const key = meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name!;
    switch (plural) {
      case 'clusterroles':
        if (obj) this.clusterRoles.set(key, obj);
        else this.clusterRoles.delete(key);
        for (const l of this.clusterRoleListeners) l(key);
        return;
      case 'roles':
        if (obj) this.roles.set(key, obj);
        else this.roles.delete(key);
        return;
      case 'clusterrolebindings':
        this.replaceBinding(this.clusterRoleBindings, this.clusterBindingIndex, key, obj);
        return;
      case 'rolebindings': {
        let index = this.roleBindingIndex.get(meta.namespace!);
        if (!index) this.roleBindingIndex.set(meta.namespace!, (index = new Map()));
        this.replaceBinding(this.roleBindings, index, key, obj);
        if (index.size === 0) this.roleBindingIndex.delete(meta.namespace!);
      }
    }
  }

  private replaceBinding(byKey: Map<string, BindingObject>, index: BindingIndex, key: string, obj: BindingObject | undefined): void {
    const old = byKey.get(key);
    if (old) indexBinding(index, old, false);
    if (obj) {
      byKey.set(key, obj);
      indexBinding(index, obj, true);
    } else {
      byKey.delete(key);
    }
  }
}

function* candidates(index: BindingIndex, username: string, groups: readonly string[]): Iterable<BindingObject> {
  const seen = new Set<BindingObject>();
  for (const key of [`User:${username}`, ...groups.map((g) => `Group:${g}`)]) {
    for (const binding of index.get(key) ?? []) {
      if (seen.has(binding)) continue;
      seen.add(binding);
      yield binding;
    }
  }
}
