// The node lifecycle controller's bookkeeping, as kube's nodelifecycle does it: when did the
// controller last see a sign of life from a node (a new Ready heartbeat or a renewed Lease),
// measured on the controller's own clock so that skew between node and control plane does
// not matter; which conditions a silent node gets; the NoSchedule taints that mirror node
// conditions; and the health of each zone, which decides how fast nodes may be tainted
// NoExecute.
import type { KubeObject } from '../api/types.ts';
import type { Node, Taint } from '../api/core-v1.ts';

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string | null;
  lastTransitionTime?: string | null;
}

export interface NodeHealth {
  /** Controller time (ms) of the last sign of life. */
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  /** The Ready condition as last observed. */
  ready?: NodeCondition;
  /** The Lease's renewTime as last observed. */
  leaseRenewTime?: string;
}

export const conditionTypes = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export function nodeConditions(node: Node): NodeCondition[] {
  return (node.status?.conditions ?? []) as NodeCondition[];
}

export function readyCondition(node: Node): NodeCondition | undefined {
  return nodeConditions(node).find((c) => c.type === 'Ready');
}

export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * tryUpdateNodeHealth's observation step: the node's health after seeing `node` and its
 * `lease` at `now`. A changed Ready heartbeat or a newer lease renewTime is a sign of life.
 */
export function observeNode(saved: NodeHealth | undefined, node: Node, lease: KubeObject | undefined, now: number): NodeHealth {
  const observed = readyCondition(node);
  let health: NodeHealth;
  if (!saved) {
    // A node seen for the first time (or after a controller restart) gets a full grace period.
    health = { probeTimestamp: now, readyTransitionTimestamp: now, ready: observed };
  } else if (!saved.ready !== !observed) {
    health = { ...saved, probeTimestamp: now, readyTransitionTimestamp: now, ready: observed };
  } else if (saved.ready && observed && saved.ready.lastHeartbeatTime !== observed.lastHeartbeatTime) {
    const transitioned = saved.ready.lastTransitionTime !== observed.lastTransitionTime;
    health = { ...saved, probeTimestamp: now, readyTransitionTimestamp: transitioned ? now : saved.readyTransitionTimestamp, ready: observed };
  } else {
    health = { ...saved };
  }
  const renewTime = lease?.spec?.renewTime as string | undefined;
  if (renewTime && (!saved?.leaseRenewTime || Date.parse(saved.leaseRenewTime) < Date.parse(renewTime))) {
    health.leaseRenewTime = renewTime;
    health.probeTimestamp = now;
  }
  return health;
}

/**
 * The conditions of a node that stopped posting status: Ready and the pressure conditions
 * turn Unknown (NodeStatusUnknown), or are added as Unknown (NodeStatusNeverUpdated).
 */
export function unknownConditions(node: Node, now: number): NodeCondition[] {
  const conditions = nodeConditions(node).map((c) => ({ ...c }));
  for (const type of conditionTypes) {
    const current = conditions.find((c) => c.type === type);
    if (!current) {
      conditions.push({
        type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata.creationTimestamp ?? null, lastTransitionTime: rfc3339(now),
      });
    } else if (current.status !== 'Unknown') {
      Object.assign(current, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: rfc3339(now) });
    }
  }
  return conditions;
}

// Well-known taints (k8s.io/api/core/v1 well_known_taints.go).
export const taintNotReady = 'node.kubernetes.io/not-ready';
export const taintUnreachable = 'node.kubernetes.io/unreachable';

/** nodeConditionToTaintKeyStatusMap + the unschedulable taint: NoSchedule taints that mirror node state. */
const noScheduleTaintFor: { key: string; when: (node: Node) => boolean }[] = [
  { key: taintNotReady, when: (n) => readyCondition(n)?.status === 'False' },
  { key: taintUnreachable, when: (n) => readyCondition(n)?.status === 'Unknown' },
  { key: 'node.kubernetes.io/memory-pressure', when: (n) => hasCondition(n, 'MemoryPressure', 'True') },
  { key: 'node.kubernetes.io/disk-pressure', when: (n) => hasCondition(n, 'DiskPressure', 'True') },
  { key: 'node.kubernetes.io/pid-pressure', when: (n) => hasCondition(n, 'PIDPressure', 'True') },
  { key: 'node.kubernetes.io/network-unavailable', when: (n) => hasCondition(n, 'NetworkUnavailable', 'True') },
  { key: 'node.kubernetes.io/unschedulable', when: (n) => n.spec?.unschedulable === true },
];

function hasCondition(node: Node, type: string, status: string): boolean {
  return nodeConditions(node).some((c) => c.type === type && c.status === status);
}

const isManaged = (t: Taint, keys: Set<string>, effect: Taint['effect']) => t.effect === effect && keys.has(t.key);
const noScheduleKeys = new Set(noScheduleTaintFor.map((t) => t.key));
const noExecuteKeys = new Set([taintNotReady, taintUnreachable]);

/** doNoScheduleTaintingPass: the node's taints with the managed NoSchedule ones as its state says. */
export function withNoScheduleTaints(node: Node): Taint[] {
  const taints = (node.spec?.taints ?? []).filter((t) => !isManaged(t, noScheduleKeys, 'NoSchedule') || noScheduleTaintFor.find((m) => m.key === t.key)!.when(node));
  for (const { key, when } of noScheduleTaintFor) {
    if (when(node) && !taints.some((t) => t.key === key && t.effect === 'NoSchedule')) taints.push({ key, effect: 'NoSchedule' });
  }
  return taints;
}

/**
 * processTaintBaseEviction's choice: the NoExecute taint a node's Ready status calls for
 * (not-ready for False, unreachable for Unknown, none for True); null leaves the taints as
 * they are (no Ready condition yet: the node is still in its startup grace period).
 */
export function wantedNoExecuteTaint(node: Node): string | undefined | null {
  const status = readyCondition(node)?.status;
  if (!status) return null;
  return status === 'True' ? undefined : status === 'False' ? taintNotReady : taintUnreachable;
}

/** The taints with the managed NoExecute taint set to `key` (none when undefined); timeAdded is kept or set now. */
export function withNoExecuteTaint(taints: Taint[], key: string | undefined, now: number): Taint[] {
  const out = taints.filter((t) => !isManaged(t, noExecuteKeys, 'NoExecute') || t.key === key);
  if (key && !out.some((t) => t.key === key && t.effect === 'NoExecute')) out.push({ key, effect: 'NoExecute', timeAdded: rfc3339(now) });
  return out;
}

export function hasNoExecuteTaint(node: Node, key: string): boolean {
  return (node.spec?.taints ?? []).some((t) => t.key === key && t.effect === 'NoExecute');
}

export type ZoneState = 'Initial' | 'Normal' | 'FullDisruption' | 'PartialDisruption';

/** GetZoneKey: region and zone from the topology labels (or their deprecated beta forms). */
export function zoneOf(node: Node): string {
  const labels = node.metadata.labels ?? {};
  const region = labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\u0000:${zone}`;
}

/** ComputeZoneState: fully disrupted when no node is ready, partially when at least 3 and `threshold` of them are not. */
export function computeZoneState(readyStatuses: (string | undefined)[], unhealthyZoneThreshold: number): ZoneState {
  const notReady = readyStatuses.filter((s) => s !== 'True').length;
  const ready = readyStatuses.length - notReady;
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / readyStatuses.length >= unhealthyZoneThreshold) return 'PartialDisruption';
  return 'Normal';
}

/**
 * A rate limiter with TryAccept, as flowcontrol's token bucket with burst 1 that the
 * zone NoExecute tainters use; qps 0 accepts nothing (tainting stopped).
 */
export class ZoneLimiter {
  private tokens = 1;
  private last = performance.now();
  constructor(private qps: number) {}

  swap(qps: number): void {
    if (qps === this.qps) return;
    this.refill();
    this.qps = qps;
  }

  /** Takes a token if one is there; otherwise answers how long (ms) until one is, or Infinity. */
  tryAccept(): { ok: true } | { ok: false; waitMs: number } {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, waitMs: this.qps > 0 ? ((1 - this.tokens) / this.qps) * 1000 : Infinity };
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(1, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }
}
