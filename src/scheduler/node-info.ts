// What the scheduler knows of each node, as kube-scheduler's framework.NodeInfo: the Node,
// the pods on it (bound or assumed) and what they add up to — requested resources, host
// ports, pods with (anti-)affinity, pods per controller — kept up to date as pods come and go
// so that a filter or score looks at one node in O(1) instead of walking every pod.
import { labelMatcher, objectKey, type LabelSelector } from '../client/index.ts';
import { addResources, cloneResources, emptyResources, nonZeroRequests, podRequests, resourcesFromList, type NonZeroResources, type Resources } from '../api/pod-resources.ts';
import {
  taintNodeNotReady, taintNodeUnreachable, type Node, type Pod, type PodAffinityTerm, type Taint,
} from '../api/core-v1.ts';

type Labels = Record<string, string>;
type Matcher = (labels: Labels | undefined) => boolean;

/** An affinity term with its selectors parsed (framework.AffinityTerm). */
export interface AffinityTerm {
  topologyKey: string;
  /** undefined: a nil labelSelector, which selects nothing. */
  selector?: Matcher;
  namespaces: Set<string>;
  /** undefined: a nil namespaceSelector, which selects no namespace. */
  namespaceSelector?: Matcher;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** A pod with what scheduling needs of it computed once per version. */
export interface PodInfo {
  key: string;
  pod: Pod;
  namespace: string;
  labels: Labels;
  priority: number;
  requests: Resources;
  nonZero: NonZeroResources;
  hostPorts: HostPort[];
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
  /** uid of the controller owner (ReplicaSet, StatefulSet, Job, ...), for default spreading. */
  controllerUid?: string;
  terminating: boolean;
  /** ms since the epoch: status.startTime, else creation (MoreImportantPod's tie-breaker). */
  startTime: number;
}

function matcherOf(selector: LabelSelector | null | undefined): Matcher | undefined {
  return selector ? labelMatcher(selector) : undefined;
}

/** newAffinityTerm: no namespaces and no namespaceSelector mean the pod's own namespace. */
function affinityTerm(pod: Pod, term: PodAffinityTerm): AffinityTerm {
  const namespaces = new Set(term.namespaces ?? []);
  if (namespaces.size === 0 && !term.namespaceSelector) namespaces.add(pod.metadata.namespace ?? '');
  return { topologyKey: term.topologyKey, selector: matcherOf(term.labelSelector), namespaces, namespaceSelector: matcherOf(term.namespaceSelector) };
}

/** AffinityTerm.Matches: the pod is in one of the term's namespaces and its labels match. */
export function termMatches(term: AffinityTerm, pod: PodInfo, namespaceLabels: (ns: string) => Labels | undefined): boolean {
  if (!term.namespaces.has(pod.namespace) && !term.namespaceSelector?.(namespaceLabels(pod.namespace) ?? {})) return false;
  return term.selector?.(pod.labels) ?? false;
}

function hostPortsOf(pod: Pod): HostPort[] {
  const spec = pod.spec ?? {};
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  const ports: HostPort[] = [];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      ports.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return ports;
}

/** Builds the PodInfo; `priority` is resolved by the caller (spec.priority or the PriorityClass). */
export function newPodInfo(pod: Pod, priority = pod.spec?.priority ?? 0): PodInfo {
  const affinity = pod.spec?.affinity ?? {};
  const weighted = (t: { weight: number; podAffinityTerm: PodAffinityTerm }) => ({ ...affinityTerm(pod, t.podAffinityTerm), weight: t.weight });
  const started = Date.parse(pod.status?.startTime ?? pod.metadata.creationTimestamp ?? '');
  return {
    key: objectKey(pod),
    pod,
    namespace: pod.metadata.namespace ?? '',
    labels: pod.metadata.labels ?? {},
    priority,
    requests: podRequests(pod),
    nonZero: nonZeroRequests(pod),
    hostPorts: hostPortsOf(pod),
    requiredAffinity: (affinity.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t)),
    requiredAntiAffinity: (affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t)),
    preferredAffinity: (affinity.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(weighted),
    preferredAntiAffinity: (affinity.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(weighted),
    controllerUid: pod.metadata.ownerReferences?.find((o) => o.controller)?.uid,
    terminating: !!pod.metadata.deletionTimestamp,
    startTime: Number.isNaN(started) ? Date.now() : started,
  };
}

export function hasAffinityTerms(p: PodInfo): boolean {
  return p.requiredAffinity.length + p.requiredAntiAffinity.length + p.preferredAffinity.length + p.preferredAntiAffinity.length > 0;
}

/**
 * The taints a node is scheduled against: its own, plus the not-ready / unreachable
 * NoSchedule taint kube's node lifecycle controller puts on a node whose Ready condition is
 * False / Unknown (or missing) — so a NotReady node is filtered out exactly as in kube,
 * even before that controller (or with none) has tainted it.
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
  const key = ready === 'True' ? undefined : ready === 'False' ? taintNodeNotReady : taintNodeUnreachable;
  if (key && !taints.some((t) => t.key === key && t.effect === 'NoSchedule')) taints.push({ key, effect: 'NoSchedule' });
  return taints;
}

export class NodeInfo {
  node?: Node;
  labels: Labels = {};
  taints: Taint[] = [];
  allocatable: Resources = emptyResources();
  allowedPodNumber = 0;
  readonly pods = new Map<string, PodInfo>();
  requested: Resources = emptyResources();
  nonZeroRequested: NonZeroResources = { milliCPU: 0, memory: 0 };
  /** `protocol/port` → host IPs in use. */
  usedPorts = new Map<string, string[]>();
  /** Pods with any (anti-)affinity term, and those with required anti-affinity. */
  podsWithAffinity = new Set<PodInfo>();
  podsWithRequiredAntiAffinity = new Set<PodInfo>();
  /** Non-terminating pods per controller uid. */
  controllerCounts = new Map<string, number>();
  /** Bumped on every change: lets callers cache per-node work. */
  generation = 0;

  constructor(readonly name: string) {}

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata.labels ?? {};
    this.taints = effectiveTaints(node);
    this.allocatable = resourcesFromList(node.status?.allocatable);
    this.allowedPodNumber = Math.max(0, Number.parseInt(String(node.status?.allocatable?.pods ?? '0'), 10) || 0);
    this.generation++;
  }

  addPod(p: PodInfo): void {
    const old = this.pods.get(p.key);
    if (old) this.removePod(old.key);
    this.pods.set(p.key, p);
    this.account(p, 1);
  }

  removePod(key: string): PodInfo | undefined {
    const p = this.pods.get(key);
    if (!p) return undefined;
    this.pods.delete(key);
    this.account(p, -1);
    return p;
  }

  /** A copy whose pods can be added and removed without touching this one (preemption's dry run). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.labels = this.labels;
    c.taints = this.taints;
    c.allocatable = this.allocatable;
    c.allowedPodNumber = this.allowedPodNumber;
    for (const [k, p] of this.pods) c.pods.set(k, p);
    c.requested = cloneResources(this.requested);
    c.nonZeroRequested = { ...this.nonZeroRequested };
    for (const [k, ips] of this.usedPorts) c.usedPorts.set(k, [...ips]);
    c.podsWithAffinity = new Set(this.podsWithAffinity);
    c.podsWithRequiredAntiAffinity = new Set(this.podsWithRequiredAntiAffinity);
    c.controllerCounts = new Map(this.controllerCounts);
    c.generation = this.generation;
    return c;
  }

  private account(p: PodInfo, sign: 1 | -1): void {
    addResources(this.requested, p.requests, sign);
    this.nonZeroRequested.milliCPU += sign * p.nonZero.milliCPU;
    this.nonZeroRequested.memory += sign * p.nonZero.memory;
    for (const hp of p.hostPorts) {
      const k = `${hp.protocol}/${hp.port}`;
      const ips = this.usedPorts.get(k) ?? [];
      if (sign > 0) ips.push(hp.ip);
      else ips.splice(ips.indexOf(hp.ip), 1);
      if (ips.length) this.usedPorts.set(k, ips);
      else this.usedPorts.delete(k);
    }
    const set = (s: Set<PodInfo>, on: boolean) => (on ? (sign > 0 ? s.add(p) : s.delete(p)) : undefined);
    set(this.podsWithAffinity, hasAffinityTerms(p));
    set(this.podsWithRequiredAntiAffinity, p.requiredAntiAffinity.length > 0);
    if (p.controllerUid && !p.terminating) {
      const n = (this.controllerCounts.get(p.controllerUid) ?? 0) + sign;
      if (n > 0) this.controllerCounts.set(p.controllerUid, n);
      else this.controllerCounts.delete(p.controllerUid);
    }
    this.generation++;
  }
}
