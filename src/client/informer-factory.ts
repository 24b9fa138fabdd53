// One informer per (resource, namespace, selectors) shared by every controller in a worker,
// as client-go's SharedInformerFactory: one LIST+WATCH per resource instead of one per consumer.
import type { KubeObject } from '../api/types.ts';
import { SharedInformer, type InformerOptions } from './informer.ts';
import type { ApiClient } from './rest.ts';
import type { ResourceDescriptor } from './resource.ts';

export type FactoryOptions = Pick<InformerOptions<KubeObject>, 'resyncPeriodMs' | 'pageSize' | 'backoff' | 'onError' | 'stripManagedFields'>;

export class InformerFactory {
  private readonly informers = new Map<string, SharedInformer<KubeObject>>();
  private started = false;

  constructor(private readonly client: ApiClient, private readonly defaults: FactoryOptions = {}) {}

  /** The shared informer for this resource and scope; created on first use, started if the factory is. */
  informerFor<T extends KubeObject>(resource: ResourceDescriptor<T>,
    scope: Pick<InformerOptions<T>, 'namespace' | 'labelSelector' | 'fieldSelector' | 'metadataOnly'> = {}): SharedInformer<T> {
    const key = [resource.group, resource.version, resource.resource, scope.namespace ?? '', scope.labelSelector ?? '', scope.fieldSelector ?? '',
      scope.metadataOnly ? 'metadata' : ''].join('|');
    let informer = this.informers.get(key) as SharedInformer<T> | undefined;
    if (!informer) {
      informer = new SharedInformer<T>(this.client, resource, { ...this.defaults, ...scope } as InformerOptions<T>);
      this.informers.set(key, informer as unknown as SharedInformer<KubeObject>);
      if (this.started) informer.run();
    }
    return informer;
  }

  /** Starts every informer requested so far, and any requested later. */
  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.run();
  }

  /** Resolves true when every informer has synced, false if any was stopped first. */
  async waitForSync(): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
    return results.every(Boolean);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
