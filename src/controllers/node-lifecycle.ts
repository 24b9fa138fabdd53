// The node lifecycle controller (kube-controller-manager's `node-lifecycle-controller`):
// watches Nodes and their Leases in kube-node-lease; a node that shows no sign of life (no
// new Ready heartbeat, no lease renewal) for nodeMonitorGracePeriod (nodeStartupGracePeriod
// if it never posted status) gets Ready and the pressure conditions set to Unknown, a
// NodeNotReady event, and its pods marked not ready. Its taints follow its conditions: the
// NoSchedule ones at once (not-ready, unreachable, pressure, unschedulable), the NoExecute
// not-ready/unreachable ones through a per-zone rate limiter — nodeEvictionRate, slower or
// none in a partially disrupted zone, and none at all while every zone is fully disrupted
// (then the control plane, not the nodes, is the likely culprit). The taint eviction
// controller deletes the pods the NoExecute taints call for.
// Level-triggered: the key is the node name; a periodic pass re-checks every node and the zones.
import type { KubeObject } from '../api/types.ts';
import { isNotFound, resources, type SharedInformer } from '../client/index.ts';
import type { Node, Pod } from '../api/core-v1.ts';
import { referenceTo, type EventRecorder } from './events.ts';
import { nodeInformer, podInformer, podsOnNode } from './informers.ts';
import {
  computeZoneState, hasNoExecuteTaint, observeNode, readyCondition, rfc3339, unknownConditions, wantedNoExecuteTaint,
  withNoExecuteTaint, withNoScheduleTaints, ZoneLimiter, zoneOf, type NodeHealth, type ZoneState,
} from './node-health.ts';
import type { ControllerContext, ControllerDefinition } from './types.ts';

export const controllerName = 'node-lifecycle-controller';
/** The event source kube's node lifecycle controller writes as. */
const eventComponent = 'node-controller';
const leaseNamespace = 'kube-node-lease';
const excludeDisruptionLabel = 'node.kubernetes.io/exclude-disruption';

export const nodeLifecycleController: ControllerDefinition = {
  name: controllerName,
  workers: () => 1,
  setup(ctx, queue) {
    return new NodeLifecycle(ctx, (name) => queue.add(name));
  },
};

class NodeLifecycle {
  private readonly nodes: SharedInformer<Node>;
  private readonly leases: SharedInformer<KubeObject>;
  private readonly pods: SharedInformer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly health = new Map<string, NodeHealth>();
  /** Nodes the controller has announced (RegisteredNode), by name → uid. */
  private readonly known = new Map<string, string | undefined>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private readonly zoneLimiters = new Map<string, ZoneLimiter>();
  /** Nodes that went not ready whose pods are still to be marked not ready. */
  private readonly podsToMarkNotReady = new Set<string>();
  /** Every zone fully disrupted: kube's "master disruption mode", no NoExecute taints. */
  private allDisrupted = false;
  private timer?: NodeJS.Timeout;

  constructor(private readonly ctx: ControllerContext, private readonly enqueue: (name: string) => void) {
    this.nodes = nodeInformer(ctx.factory);
    this.leases = ctx.factory.informerFor(resources.leases, { namespace: leaseNamespace });
    this.pods = podInformer(ctx.factory);
    this.recorder = ctx.recorder(eventComponent);
    const byName = (obj: KubeObject) => this.enqueue(obj.metadata.name!);
    this.nodes.addEventHandler({ onAdd: byName, onUpdate: (_old, obj) => byName(obj), onDelete: byName });
    this.leases.addEventHandler({ onAdd: byName, onUpdate: (_old, obj) => byName(obj) });
  }

  private get options() {
    return this.ctx.options;
  }

  start(): void {
    this.monitorPass();
    this.timer = setInterval(() => this.monitorPass(), this.options.nodeMonitorPeriodSeconds * 1000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** monitorNodeHealth's zone part: recompute each zone's state, set its rate, then re-check every node. */
  private monitorPass(): void {
    const zones = new Map<string, (string | undefined)[]>();
    const nodes = this.nodes.store.list();
    for (const node of nodes) {
      if (node.metadata.labels?.[excludeDisruptionLabel] !== undefined) continue;
      const zone = zoneOf(node);
      if (!zones.has(zone)) zones.set(zone, []);
      zones.get(zone)!.push(readyCondition(node)?.status);
    }
    const newStates = new Map([...zones].map(([zone, statuses]) => [zone, computeZoneState(statuses, this.options.unhealthyZoneThreshold)]));
    const allAre = newStates.size > 0 && [...newStates.values()].every((s) => s === 'FullDisruption');
    if (allAre && !this.allDisrupted) {
      this.ctx.log.warn(`${controllerName}: every node is not ready; entering master disruption mode (no NoExecute taints)`);
      for (const limiter of this.zoneLimiters.values()) limiter.swap(0);
    } else if (!allAre && this.allDisrupted) {
      this.ctx.log.info(`${controllerName}: some nodes are ready; exiting master disruption mode`);
      // Every node gets a fresh grace period, as kube resets the probe timestamps.
      const now = Date.now();
      for (const h of this.health.values()) Object.assign(h, { probeTimestamp: now, readyTransitionTimestamp: now });
    }
    this.allDisrupted = allAre;
    this.zoneStates.clear();
    for (const [zone, state] of newStates) {
      this.zoneStates.set(zone, state);
      if (!allAre) this.limiter(zone).swap(this.zoneRate(state, zones.get(zone)!.length));
    }
    for (const node of nodes) this.enqueue(node.metadata.name!);
  }

  /** setLimiterInZone: the NoExecute tainting rate a zone gets in its state. */
  private zoneRate(state: ZoneState, zoneSize: number): number {
    if (state !== 'PartialDisruption') return this.options.nodeEvictionRate;
    return zoneSize > this.options.largeClusterSizeThreshold ? this.options.secondaryNodeEvictionRate : 0;
  }

  private limiter(zone: string): ZoneLimiter {
    let limiter = this.zoneLimiters.get(zone);
    if (!limiter) this.zoneLimiters.set(zone, (limiter = new ZoneLimiter(this.allDisrupted ? 0 : this.options.nodeEvictionRate)));
    return limiter;
  }

  async reconcile(name: string): Promise<{ requeueAfter?: number } | void> {
    const cached = this.nodes.store.get(name);
    if (!cached) return this.forget(name);
    if (!this.known.has(name)) {
      this.known.set(name, cached.metadata.uid);
      this.nodeEvent(name, cached.metadata.uid, 'RegisteredNode', `Registered Node ${name} in Controller`);
    }
    // No copy: nothing below mutates the cached Node (the helpers build new conditions and
    // taints), and at 1,000 nodes this runs ~300 times a second (the 5 s pass and every Lease renewal).
    let node: Node = cached;
    const now = Date.now();
    const observedReady = readyCondition(node);
    const health = observeNode(this.health.get(name), node, this.leases.store.get(`${leaseNamespace}/${name}`), now);
    this.health.set(name, health);
    const graceMs = (observedReady ? this.options.nodeMonitorGracePeriodSeconds : this.options.nodeStartupGracePeriodSeconds) * 1000;
    const deadline = health.probeTimestamp + graceMs;

    if (now > deadline) node = await this.markUnknown(node, now);
    const currentReady = readyCondition(node);
    if (observedReady?.status === 'True' && currentReady?.status !== 'True') {
      this.nodeEvent(name, node.metadata.uid, 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      this.podsToMarkNotReady.add(name);
    }
    if (this.podsToMarkNotReady.has(name)) {
      // Kept until it succeeds (kube's needsRetry), unless the node came back meanwhile.
      if (currentReady?.status !== 'True') await this.markPodsNotReady(name);
      this.podsToMarkNotReady.delete(name);
    }

    const requeue = await this.updateTaints(node, now);
    const untilDeadline = deadline - now;
    const nextCheck = Math.min(requeue ?? Infinity, untilDeadline > 0 ? untilDeadline + 10 : Infinity);
    return nextCheck < this.options.nodeMonitorPeriodSeconds * 1000 ? { requeueAfter: nextCheck } : undefined;
  }

  private forget(name: string): void {
    if (!this.known.has(name)) return;
    this.nodeEvent(name, this.known.get(name), 'RemovingNode', `Removing Node ${name} from Controller`);
    this.known.delete(name);
    this.health.delete(name);
    this.podsToMarkNotReady.delete(name);
  }

  /** The silent node's conditions to Unknown through nodes/status; answers the updated node. */
  private async markUnknown(node: Node, now: number): Promise<Node> {
    const conditions = unknownConditions(node, now);
    if (JSON.stringify(conditions) === JSON.stringify(node.status?.conditions ?? [])) return node;
    this.ctx.log.info({ node: node.metadata.name }, `${controllerName}: node stopped posting status; marking it Unknown`);
    const updated = await this.ctx.client.updateStatus(resources.nodes, { ...node, status: { ...node.status, conditions } }) as Node;
    const health = this.health.get(node.metadata.name!)!;
    health.readyTransitionTimestamp = now;
    return updated;
  }

  /** MarkPodsNotReady: the Ready condition of every pod on the node to False, with a NodeNotReady event. */
  private async markPodsNotReady(nodeName: string): Promise<void> {
    const errors: unknown[] = [];
    for (const pod of podsOnNode(this.pods, nodeName)) {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False' || pod.metadata.deletionTimestamp) continue;
      const condition = { type: 'Ready', status: 'False', lastTransitionTime: rfc3339(Date.now()) };
      try {
        await this.ctx.client.patch(resources.pods, pod.metadata.name!, 'strategic', { metadata: { uid: pod.metadata.uid }, status: { conditions: [condition] } },
          { namespace: pod.metadata.namespace, subresource: 'status' });
        this.recorder.event(referenceTo(pod, 'Pod'), 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isNotFound(err)) errors.push(err);
      }
    }
    if (errors.length) throw new Error(`marking pods on node ${nodeName} not ready: ${errors.map(String).join('; ')}`);
  }

  /**
   * The NoSchedule taints as the node's state says, and the NoExecute taint as its Ready
   * status says when the zone's limiter allows adding one; answers when to retry a taint
   * the limiter held back.
   */
  private async updateTaints(node: Node, now: number): Promise<number | undefined> {
    let taints = withNoScheduleTaints(node);
    let retryIn: number | undefined;
    const wanted = this.allDisrupted ? undefined : wantedNoExecuteTaint(node);
    if (wanted !== null) {
      if (wanted && !hasNoExecuteTaint(node, wanted)) {
        const accepted = this.limiter(zoneOf(node)).tryAccept();
        if (accepted.ok) taints = withNoExecuteTaint(taints, wanted, now);
        else retryIn = Math.max(10, accepted.waitMs);
      } else taints = withNoExecuteTaint(taints, wanted, now);
    }
    if (JSON.stringify(taints) !== JSON.stringify(node.spec?.taints ?? [])) {
      this.ctx.log.info({ node: node.metadata.name, taints: taints.map((t) => `${t.key}:${t.effect}`) }, `${controllerName}: updating node taints`);
      await this.ctx.client.update(resources.nodes, { ...node, spec: { ...node.spec, taints: taints.length ? taints : undefined } });
    }
    return retryIn;
  }

  private nodeEvent(name: string, uid: string | undefined, reason: string, message: string): void {
    const ref = { apiVersion: 'v1', kind: 'Node', name, uid };
    this.recorder.event(ref, 'Normal', reason, reason === 'NodeNotReady' ? message : `Node ${name} event: ${message}`);
  }
}

