// The TTL controller (kube-controller-manager's `ttl-controller`, pkg/controller/ttl): every
// node carries node.alpha.kubernetes.io/ttl, how long kubelets may cache the objects their
// pods use, chosen by cluster size with kube's boundaries and their overlaps (hysteresis: a
// step up past sizeMax, back down below sizeMin), so small clusters get 0 (watch everything).
import { objectKey, resources } from '../client/index.ts';
import type { Node } from '../api/core-v1.ts';
import { nodeInformer } from './informers.ts';
import type { ControllerDefinition } from './types.ts';

export const controllerName = 'ttl-controller';
export const ttlAnnotation = 'node.alpha.kubernetes.io/ttl';

/** kube's ttlBoundaries. */
export const ttlBoundaries = [
  { sizeMin: 0, sizeMax: 100, ttlSeconds: 0 },
  { sizeMin: 90, sizeMax: 500, ttlSeconds: 15 },
  { sizeMin: 450, sizeMax: 1000, ttlSeconds: 30 },
  { sizeMin: 900, sizeMax: 2000, ttlSeconds: 60 },
  { sizeMin: 1800, sizeMax: Number.MAX_SAFE_INTEGER, ttlSeconds: 300 },
];

/** The step after the node count changed from a given step (addNode / deleteNode). */
export function nextStep(step: number, nodeCount: number): number {
  while (step < ttlBoundaries.length - 1 && nodeCount > ttlBoundaries[step].sizeMax) step++;
  while (step > 0 && nodeCount < ttlBoundaries[step].sizeMin) step--;
  return step;
}

export const ttlController: ControllerDefinition = {
  name: controllerName,
  aliases: ['ttl'],
  workers: () => 5, // kube starts 5
  setup(ctx, queue) {
    const nodes = nodeInformer(ctx.factory);
    let count = 0;
    let step = 0;
    const resize = (delta: number) => {
      count += delta;
      const next = nextStep(step, count);
      if (next === step) return;
      step = next;
      for (const key of nodes.store.keys()) queue.add(key); // every node's TTL changes
    };
    nodes.addEventHandler({
      onAdd: (node) => { resize(1); queue.add(objectKey(node)); },
      onUpdate: (_old, node) => queue.add(objectKey(node)),
      onDelete: () => resize(-1),
    });
    return {
      async reconcile(key) {
        const node = nodes.store.get(key) as Node | undefined;
        if (!node) return;
        const desired = String(ttlBoundaries[step].ttlSeconds);
        if (node.metadata.annotations?.[ttlAnnotation] === desired) return;
        await ctx.client.patch(resources.nodes, node.metadata.name!, 'strategic', { metadata: { annotations: { [ttlAnnotation]: desired } } });
      },
    };
  },
};
