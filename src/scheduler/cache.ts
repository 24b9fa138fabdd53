// The scheduler's cache (kube-scheduler's internal/cache + its nominator): node infos built
// from the node and pod informers, pods the scheduler has "assumed" onto a node before the
// binding is visible in the API, and pods nominated to a node by preemption. Scheduling reads
// it as a Snapshot; JS runs one scheduling cycle at a time, so the live cache is the snapshot.
import type { PodInfo } from './node-info.ts';
import { NodeInfo } from './node-info.ts';
import type { Node } from '../api/core-v1.ts';

type Labels = Record<string, string>;

/** What filters and scores read: every node that exists, and the cluster around them. */
export interface Snapshot {
  /** Nodes that have a Node object, in a stable order. */
  readonly nodes: NodeInfo[];
  get(name: string): NodeInfo | undefined;
  namespaceLabels(namespace: string): Labels | undefined;
  /** Pods that preemption nominated to this node and that are not bound yet. */
  nominatedPods(nodeName: string): PodInfo[];
}

/** The snapshot with one node's info replaced (preemption's "what if these pods were gone"). */
export function withNodeInfo(snapshot: Snapshot, replacement: NodeInfo): Snapshot {
  return {
    nodes: snapshot.nodes.map((n) => (n.name === replacement.name ? replacement : n)),
    get: (name) => (name === replacement.name ? replacement : snapshot.get(name)),
    namespaceLabels: (ns) => snapshot.namespaceLabels(ns),
    nominatedPods: (name) => snapshot.nominatedPods(name),
  };
}

export class SchedulerCache implements Snapshot {
  private readonly infos = new Map<string, NodeInfo>();
  private readonly podNodes = new Map<string, string>();
  private readonly assumedPods = new Set<string>();
  private readonly nominations = new Map<string, { nodeName: string; pod: PodInfo }>();
  private nodeList?: NodeInfo[];

  constructor(private readonly nsLabels: (namespace: string) => Labels | undefined = () => undefined) {}

  get nodes(): NodeInfo[] {
    this.nodeList ??= [...this.infos.values()].filter((n) => n.node).sort((a, b) => (a.name < b.name ? -1 : 1));
    return this.nodeList;
  }

  get(name: string): NodeInfo | undefined {
    const info = this.infos.get(name);
    return info?.node ? info : undefined;
  }

  namespaceLabels(namespace: string): Labels | undefined {
    return this.nsLabels(namespace);
  }

  nominatedPods(nodeName: string): PodInfo[] {
    const pods: PodInfo[] = [];
    for (const n of this.nominations.values()) if (n.nodeName === nodeName) pods.push(n.pod);
    return pods;
  }

  setNode(node: Node): void {
    const name = node.metadata.name ?? '';
    this.infoFor(name).setNode(node);
    this.nodeList = undefined;
  }

  /** A node that goes keeps its info while pods still point at it (as kube's cache does). */
  removeNode(name: string): void {
    const info = this.infos.get(name);
    if (!info) return;
    info.node = undefined;
    if (info.pods.size === 0) this.infos.delete(name);
    this.nodeList = undefined;
  }

  /** A pod bound to a node (seen in the API); confirms an assumed pod. */
  setPod(pod: PodInfo, nodeName: string): void {
    this.removePod(pod.key);
    this.infoFor(nodeName).addPod(pod);
    this.podNodes.set(pod.key, nodeName);
    this.nominations.delete(pod.key);
  }

  removePod(key: string): void {
    const nodeName = this.podNodes.get(key);
    this.assumedPods.delete(key);
    if (nodeName === undefined) return;
    this.podNodes.delete(key);
    const info = this.infos.get(nodeName);
    info?.removePod(key);
    if (info && !info.node && info.pods.size === 0) this.infos.delete(nodeName);
  }

  /** Counts a pod on the node it is being bound to, before the API says so (Cache.AssumePod). */
  assume(pod: PodInfo, nodeName: string): void {
    this.setPod(pod, nodeName);
    this.assumedPods.add(pod.key);
  }

  /** Undoes assume() after a failed binding (Cache.ForgetPod). */
  forget(key: string): void {
    if (this.assumedPods.has(key)) this.removePod(key);
  }

  isAssumed(key: string): boolean {
    return this.assumedPods.has(key);
  }

  nodeOf(key: string): string | undefined {
    return this.podNodes.get(key);
  }

  /** Records (or with no node, clears) a pending pod's nomination. */
  nominate(pod: PodInfo, nodeName: string | undefined): void {
    if (nodeName) this.nominations.set(pod.key, { nodeName, pod });
    else this.nominations.delete(pod.key);
  }

  clearNomination(key: string): void {
    this.nominations.delete(key);
  }

  nominatedNodeOf(key: string): string | undefined {
    return this.nominations.get(key)?.nodeName;
  }

  private infoFor(name: string): NodeInfo {
    let info = this.infos.get(name);
    if (!info) {
      info = new NodeInfo(name);
      this.infos.set(name, info);
    }
    return info;
  }
}
