// The apiextensions controllers that run inside kube-apiserver, in one loop over CRDs:
// naming (status.acceptedNames, NamesAccepted), establishing (Established once the resource
// is served), the handler's install/uninstall of each served version in the catalog (so
// routes and discovery see it at once) with its OpenAPI, and the CRDFinalizer (on delete:
// Terminating, every custom resource deleted, the cleanup finalizer removed). Stored CRDs
// are installed before the server listens, so a restarted server serves them at once.
import type { Logger } from 'pino';
import { isStatusError } from '../api/errors.ts';
import { resourcePrefix } from '../registry/catalog.ts';
import { deepCopy, jsonEqual } from '../registry/object-meta.ts';
import type { Registry } from '../registry/registry.ts';
import type { ResourceDef } from '../registry/types.ts';
import { isStorageError, type WatchHandle } from '../storage/interface.ts';
import { exceedsNestingDepth } from '../api/json-limits.ts';
import { crdResource } from './crd-resource.ts';
import { customResourceDefs } from './custom-resource.ts';
import { acceptNames } from './naming.ts';
import { OpenAPIPublisher } from './openapi-publish.ts';
import { cleanupFinalizer, conditionOf, isConditionTrue, setCondition, type CustomResourceDefinition } from './types.ts';

/** The field manager kube-apiserver's own controllers write CRD status with. */
const manager = 'kube-apiserver';
/** How long the finalizer waits for custom resources with finalizers of their own (kube: 1 minute). */
const instanceDeletionWaitMs = 60_000;

interface Installed {
  defs: ResourceDef[];
  fingerprint: string;
}

export class CRDController {
  private readonly known = new Map<string, CustomResourceDefinition>();
  private readonly installed = new Map<string, Installed>();
  private readonly terminating = new Set<string>();
  private readonly publisher = new OpenAPIPublisher();
  private readonly pending = new Set<string>();
  /** Consecutive failures per CRD, for the retry back-off. */
  private readonly failures = new Map<string, number>();
  private running?: Promise<void>;
  private watch?: WatchHandle;
  private stopped = false;

  constructor(private readonly registry: Registry, private readonly log?: Logger) {}

  private get store() {
    return this.registry.store(crdResource);
  }

  /** Installs every stored CRD, then follows changes. */
  async start(): Promise<void> {
    const prefix = resourcePrefix(crdResource);
    const list = await this.registry.storage.list(prefix);
    // One CRD that cannot be served never keeps the others, or the server, from starting.
    for (const item of list.items) await this.reconcileOrReport(item.object.metadata.name!);
    this.watch = await this.registry.storage.watch(prefix, list.revision, (ev) => this.enqueue(ev.current.object.metadata.name!));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watch?.stop();
    await this.running;
  }

  private enqueue(name: string): void {
    if (this.stopped) return;
    this.pending.add(name);
    this.running ??= this.drain().finally(() => { this.running = undefined; });
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0 && !this.stopped) {
      const [name] = this.pending;
      this.pending.delete(name);
      if (!await this.reconcileOrReport(name)) {
        const failures = (this.failures.get(name) ?? 0) + 1;
        this.failures.set(name, failures);
        // Backed off as kube's rate-limited work queues do (5 ms doubling, at most 1000 s).
        setTimeout(() => this.enqueue(name), Math.min(5 * 2 ** failures, 1_000_000)).unref();
      } else {
        this.failures.delete(name);
      }
    }
  }

  /** Reconciles one CRD; a failure is logged once and listed among the unservable objects. */
  private async reconcileOrReport(name: string): Promise<boolean> {
    const key = `${resourcePrefix(crdResource)}${name}`;
    try {
      await this.reconcile(name);
      this.registry.unservable.clear(key);
      return true;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (this.registry.unservable.report(key, reason)) {
        this.log?.error({ err, crd: name }, 'cannot serve CustomResourceDefinition; delete or fix it');
      }
      return false;
    }
  }

  private async reconcile(name: string): Promise<void> {
    const stored = await this.store.get(undefined, name).catch((err) => {
      if (isStatusError(err, 'NotFound')) return undefined;
      throw err;
    });
    if (!stored) {
      this.uninstall(name);
      this.known.delete(name);
      return;
    }
    const crd = deepCopy(stored.object) as CustomResourceDefinition;
    this.known.set(name, crd);
    if (crd.metadata.deletionTimestamp) {
      this.terminating.add(name);
      if (crd.metadata.finalizers?.includes(cleanupFinalizer)) await this.finalize(crd);
      return;
    }
    this.terminating.delete(name);
    const builtins = this.registry.catalog.all().filter((d) => !d.custom && d !== crdResource);
    const naming = acceptNames(crd, [...this.known.values()], builtins);
    const next = deepCopy(crd);
    next.status = { ...next.status, acceptedNames: naming.acceptedNames };
    setCondition(next, naming.namesAccepted);
    if (naming.acceptedNames.plural && naming.acceptedNames.kind) {
      this.install(next);
      if (!isConditionTrue(next, 'Established')) {
        setCondition(next, { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' });
      }
    } else if (!conditionOf(next, 'Established')) {
      setCondition(next, { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' });
    }
    if (!jsonEqual(next.status, crd.status)) await this.writeStatus(next);
  }

  private async writeStatus(crd: CustomResourceDefinition): Promise<CustomResourceDefinition | undefined> {
    try {
      const res = await this.store.update(undefined, crd.metadata.name!, crd, { subresource: 'status', fieldManager: manager });
      this.known.set(crd.metadata.name!, res.object as CustomResourceDefinition);
      return res.object as CustomResourceDefinition;
    } catch (err) {
      // Changed or deleted in the meantime: its watch event brings it back here.
      if (isStatusError(err, 'Conflict') || isStatusError(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  /** Serves the CRD's versions with its accepted names (kube's crdHandler storage for the CRD). */
  private install(crd: CustomResourceDefinition): void {
    const name = crd.metadata.name!;
    const fingerprint = JSON.stringify([crd.spec, crd.status?.acceptedNames]);
    if (this.installed.get(name)?.fingerprint === fingerprint) return;
    let defs: ResourceDef[];
    try {
      defs = customResourceDefs(crd, { terminating: () => this.terminating.has(name) });
    } catch (err) {
      // Not served, so never Established, as kube's establishing controller waits for the handler.
      throw new Error(`cannot serve CustomResourceDefinition: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    this.removeDefs(name);
    const catalog = this.registry.catalog;
    const served = defs.filter((def) => {
      const existing = catalog.lookup(def.group, def.version, def.plural);
      return !existing || existing.custom !== undefined;
    });
    for (const def of served) catalog.add(def);
    this.installed.set(name, { defs: served, fingerprint });
    this.publisher.publish(crd);
  }

  private removeDefs(name: string): void {
    for (const def of this.installed.get(name)?.defs ?? []) {
      if (this.registry.catalog.lookup(def.group, def.version, def.plural) === def) {
        this.registry.catalog.remove(def.group, def.version, def.plural);
      }
      this.registry.forget(def);
    }
    this.installed.delete(name);
  }

  private uninstall(name: string): void {
    const crd = this.known.get(name);
    this.removeDefs(name);
    this.terminating.delete(name);
    if (crd) this.publisher.withdraw(crd);
  }

  /** kube's CRDFinalizer: delete every custom resource, then let the CRD go. */
  private async finalize(crd: CustomResourceDefinition): Promise<void> {
    const name = crd.metadata.name!;
    if (!this.installed.has(name) && exceedsNestingDepth(crd)) return this.removeUnservable(crd);
    setCondition(crd, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' });
    const updated = await this.writeStatus(crd);
    if (!updated) return;
    const current = deepCopy(updated);
    const def = this.installed.get(name)?.defs[0];
    if (!def || !isConditionTrue(current, 'Established')) {
      setCondition(current, { type: 'Terminating', status: 'False', reason: 'NeverEstablished', message: 'resource was never established' });
    } else {
      const remaining = await this.deleteInstances(def);
      if (remaining > 0) {
        setCondition(current, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionCheck',
          message: `could not confirm zero CustomResources remaining: timed out waiting for the condition` });
        await this.writeStatus(current);
        setTimeout(() => this.enqueue(name), 5000).unref();
        return;
      }
      setCondition(current, { type: 'Terminating', status: 'False', reason: 'InstanceDeletionCompleted', message: 'removed all instances' });
    }
    const done = await this.writeStatus(current);
    if (!done) return;
    const finalizers = (done.metadata.finalizers ?? []).filter((f) => f !== cleanupFinalizer);
    await this.store.patch(undefined, name, 'merge', {
      metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: done.metadata.resourceVersion },
    }, { fieldManager: manager }).catch((err) => {
      if (!isStatusError(err, 'Conflict') && !isStatusError(err, 'NotFound')) throw err;
    });
  }

  /**
   * A CRD stored by an older kubelite past today's nesting bound: it was never served, so it
   * has no instances, and no write path (status, finalizers) can take it. The user asked for
   * its deletion: remove it from storage directly, as the finalizer would have let it go.
   */
  private async removeUnservable(crd: CustomResourceDefinition): Promise<void> {
    const key = `${resourcePrefix(crdResource)}${crd.metadata.name!}`;
    await this.registry.storage.delete(key, {
      precondition: (current) => {
        if (current.object.metadata.uid !== crd.metadata.uid) throw new Error(`${key} was replaced`);
      },
    }).catch((err) => { if (!isStorageError(err, 'NotFound')) throw err; });
    this.registry.unservable.clear(key);
    this.log?.warn({ crd: crd.metadata.name }, 'removed a CustomResourceDefinition that could not be served, as asked');
  }

  /** Deletes every instance and waits for them to be gone; returns how many remain. */
  private async deleteInstances(def: ResourceDef): Promise<number> {
    await this.registry.deleteCollection(def, undefined, {}, {});
    const deadline = Date.now() + instanceDeletionWaitMs;
    for (;;) {
      const left = (await this.registry.list(def, undefined, {})).items.length;
      if (left === 0 || Date.now() >= deadline || this.stopped) return left;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Serves customresourcedefinitions and, from them, custom resources. */
export async function startApiExtensions(registry: Registry, log?: Logger): Promise<CRDController> {
  registry.catalog.add(crdResource);
  const controller = new CRDController(registry, log);
  await controller.start();
  return controller;
}
