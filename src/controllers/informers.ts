// Informers several controllers share, with the indexes they look objects up by: pods by
// the node they are bound to (kube's `spec.nodeName` pod indexer in the controller manager).
import { resources, type InformerFactory, type SharedInformer } from '../client/index.ts';
import type { Node, Pod } from '../api/core-v1.ts';

export const nodeNameIndex = 'spec.nodeName';

const indexed = new WeakSet<object>();

/** The shared pod informer, indexed by spec.nodeName. */
export function podInformer(factory: InformerFactory): SharedInformer<Pod> {
  const informer = factory.informerFor<Pod>(resources.pods);
  if (!indexed.has(informer.store)) {
    informer.store.addIndexers({ [nodeNameIndex]: (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []) });
    indexed.add(informer.store);
  }
  return informer;
}

export function nodeInformer(factory: InformerFactory): SharedInformer<Node> {
  return factory.informerFor<Node>(resources.nodes);
}

/** The pods bound to a node, from the informer's cache. */
export function podsOnNode(pods: SharedInformer<Pod>, nodeName: string): Pod[] {
  return pods.store.byIndex(nodeNameIndex, nodeName);
}
