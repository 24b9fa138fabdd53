// The informer's indexed cache, as client-go's cache.Indexer: objects by `namespace/name`
// (just `name` when cluster-scoped, as MetaNamespaceKeyFunc), plus indexes that map an index
// value to the keys of the objects that produce it. JS is single-threaded, so every method
// runs to completion without locks. Callers must treat returned objects as read-only: they
// are the cache's own copies, shared with every other lister.
import type { KubeObject } from '../api/types.ts';
import { labelMatcher, type LabelSelector } from '../api/label-selector.ts';

/** The values an object is indexed under (none, one or many). */
export type IndexFunc<T extends KubeObject> = (obj: T) => string[];

export function objectKey(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : `${name}`;
}

/** The `namespace/name` key split back, as cache.SplitMetaNamespaceKey. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export const namespaceIndex = 'namespace';
export const labelIndex = 'label';
export const controllerIndex = 'controller';

/** The indexes every store has: by namespace, by `key=value` label, by controller owner uid. */
export function defaultIndexers<T extends KubeObject>(): Record<string, IndexFunc<T>> {
  return {
    [namespaceIndex]: (obj) => (obj.metadata.namespace ? [obj.metadata.namespace] : []),
    [labelIndex]: (obj) => Object.entries(obj.metadata.labels ?? {}).map(([k, v]) => `${k}=${v}`),
    // The owner that manages this object (controller: true), as controllers look up their children.
    [controllerIndex]: (obj) => (obj.metadata.ownerReferences ?? []).filter((o) => o.controller).map((o) => o.uid),
  };
}

export class Store<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → index value → keys. */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = defaultIndexers<T>()) {
    this.addIndexers(indexers);
  }

  /** Adds indexes, built at once over what the store already holds. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers.has(name)) throw new Error(`store: indexer "${name}" already exists`);
      this.indexers.set(name, fn);
      this.indices.set(name, new Map());
      for (const [key, obj] of this.items) this.indexOne(name, fn, key, obj);
    }
  }

  /** Adds or replaces an object; returns the version it replaced. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) this.indexOne(name, fn, key, obj);
    return old;
  }

  /** Removes by key or object; returns what was stored. */
  delete(keyOrObj: string | T): T | undefined {
    const key = typeof keyOrObj === 'string' ? keyOrObj : objectKey(keyOrObj);
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  /** Swaps the whole content for a list, as Indexer.Replace after a relist. */
  replace(objs: T[]): void {
    this.items.clear();
    for (const index of this.indices.values()) index.clear();
    for (const obj of objs) this.upsert(obj);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  get size(): number {
    return this.items.size;
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  /** Every object, or those whose labels match a selector. */
  list(selector?: string | LabelSelector): T[] {
    const all = [...this.items.values()];
    if (selector === undefined) return all;
    const match = labelMatcher(selector);
    return all.filter((obj) => match(obj.metadata.labels));
  }

  byNamespace(namespace: string, selector?: string | LabelSelector): T[] {
    const objs = this.byIndex(namespaceIndex, namespace);
    if (selector === undefined) return objs;
    const match = labelMatcher(selector);
    return objs.filter((obj) => match(obj.metadata.labels));
  }

  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((key) => this.items.get(key)!);
  }

  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`store: no indexer "${indexName}"`);
    return [...(index.get(value) ?? [])];
  }

  private indexOne(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const index = this.indices.get(name)!;
    for (const value of new Set(fn(obj))) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}
