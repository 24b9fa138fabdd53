// The graph builder's monitors, as kube's GraphBuilder.syncMonitors/startMonitors: one
// metadata-only informer (PartialObjectMetadata lists and watches) per deletable resource,
// feeding every add, update and delete to the graph. A discovery pass adds monitors for new
// resources (custom resources included) and stops those of resources no longer served.
import { SharedInformer, type ApiClient, type ResourceDescriptor } from '../../client/index.ts';
import type { ControllerLog } from '../types.ts';
import { apiVersionOf, descriptorOf, resourceKey } from './discovery.ts';
import type { GraphBuilder } from './graph-builder.ts';
import type { DiscoveredResource } from '../raw-api.ts';

export class Monitors {
  private readonly monitors = new Map<string, SharedInformer>();

  constructor(private readonly client: ApiClient, private readonly builder: GraphBuilder, private readonly log: ControllerLog) {}

  /** Starts monitors for resources not watched yet, stops those not listed; answers what changed. */
  sync(resources: DiscoveredResource[], keepUnlisted: (key: string) => boolean = () => false): { added: string[]; removed: string[] } {
    const wanted = new Map(resources.map((r) => [resourceKey(r), r]));
    const added: string[] = [];
    const removed: string[] = [];
    for (const [key, informer] of this.monitors) {
      if (wanted.has(key) || keepUnlisted(key)) continue;
      this.monitors.delete(key);
      void informer.stop();
      removed.push(key);
    }
    for (const [key, r] of wanted) {
      if (this.monitors.has(key)) continue;
      this.monitors.set(key, this.monitorFor(descriptorOf(r)).run());
      added.push(key);
    }
    return { added, removed };
  }

  /** Resolves once every current monitor has listed (IsSynced), or false if one was stopped. */
  async waitForSync(): Promise<boolean> {
    const results = await Promise.all([...this.monitors.values()].map((m) => m.waitForSync()));
    return results.every(Boolean);
  }

  async stop(): Promise<void> {
    const informers = [...this.monitors.values()];
    this.monitors.clear();
    await Promise.all(informers.map((i) => i.stop()));
  }

  get size(): number {
    return this.monitors.size;
  }

  private monitorFor(resource: ResourceDescriptor): SharedInformer {
    const informer = new SharedInformer(this.client, resource, {
      metadataOnly: true,
      // kube-controller-manager's metadata informer factory trims managedFields, as its shared one does.
      stripManagedFields: true,
      onError: (err, during) => this.log.debug({ resource: resourceKey(resource), during, err: String(err) }, 'garbage collector: monitor failure'),
    });
    const apiVersion = apiVersionOf(resource);
    const kind = resource.kind;
    informer.addEventHandler({
      onAdd: (obj) => this.builder.process({ type: 'add', apiVersion, kind, obj }),
      onUpdate: (oldObj, obj) => this.builder.process({ type: 'update', apiVersion, kind, obj, oldObj }),
      onDelete: (obj) => this.builder.process({ type: 'delete', apiVersion, kind, obj }),
    });
    return informer;
  }
}
