// Which nodes a DaemonSet's pods belong on, and what those pods look like, as kube's
// daemon controller and pkg/controller/daemon/util decide: a daemon pod tolerates the node
// conditions a daemon must ride out (AddOrUpdateDaemonPodTolerations), is pinned to its node
// by a required node affinity on metadata.name (the scheduler binds it), and carries the
// template hash and generation it was made from.
import type { KubeObject } from '../../api/types.ts';
import { podMatchesNodeSelectorAndAffinity, toleratesTaint } from '../../api/node-predicates.ts';
import type { Affinity, Node, Pod, Taint, Toleration } from '../../api/core-v1.ts';
import { hashLabel, templateGenerationAnnotation, templateGenerationLabel, type DaemonSet, type PodTemplate } from './types.ts';

/** The tolerations every daemon pod gets, in kube's order; the last only with hostNetwork. */
const daemonTolerations: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];
const hostNetworkToleration: Toleration = { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' };

/** Toleration.MatchToleration: the same key, operator, value and effect. */
const sameToleration = (a: Toleration, b: Toleration) =>
  (a.key ?? '') === (b.key ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');

/** AddOrUpdateTolerationInPodSpec for each daemon toleration: a matching one is replaced (its tolerationSeconds dropped). */
export function addDaemonPodTolerations(spec: NonNullable<PodTemplate['spec']>): void {
  const wanted = spec.hostNetwork ? [...daemonTolerations, hostNetworkToleration] : daemonTolerations;
  let tolerations = [...(spec.tolerations ?? [])];
  for (const t of wanted) {
    const i = tolerations.findIndex((have) => sameToleration(have, t));
    if (i < 0) tolerations.push({ ...t });
    else if (tolerations[i].tolerationSeconds !== undefined) tolerations = tolerations.map((have, j) => (j === i ? { ...t } : have));
  }
  spec.tolerations = tolerations;
}

/** NewPod: what the predicates judge — the template with the daemon tolerations, bound to the node. */
function newPod(ds: DaemonSet, nodeName: string): Pod {
  const spec = structuredClone(ds.spec.template?.spec ?? {}) as NonNullable<PodTemplate['spec']>;
  spec.nodeName = nodeName;
  addDaemonPodTolerations(spec);
  return { metadata: { ...ds.spec.template?.metadata, namespace: ds.metadata.namespace }, spec };
}

const untolerated = (taints: Taint[], tolerations: Toleration[], effects: string[]) =>
  taints.some((taint) => effects.includes(taint.effect) && !tolerations.some((t) => toleratesTaint(t, taint)));

/**
 * NodeShouldRunDaemonPod: shouldRun when the node matches the pod's node selector and required
 * affinity and it tolerates the node's NoSchedule and NoExecute taints; shouldContinueRunning
 * (an existing pod may stay) when only NoSchedule taints are not tolerated.
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const pod = newPod(ds, node.metadata.name!);
  if (!podMatchesNodeSelectorAndAffinity(pod, { name: node.metadata.name!, labels: node.metadata.labels ?? {} })) {
    return { shouldRun: false, shouldContinueRunning: false };
  }
  const taints = node.spec?.taints ?? [];
  const tolerations = pod.spec?.tolerations ?? [];
  if (!untolerated(taints, tolerations, ['NoSchedule', 'NoExecute'])) return { shouldRun: true, shouldContinueRunning: true };
  return { shouldRun: false, shouldContinueRunning: !untolerated(taints, tolerations, ['NoExecute']) };
}

/** The template generation the strategy keeps in an annotation (GetTemplateGeneration). */
export function templateGeneration(ds: DaemonSet): number | undefined {
  const n = Number.parseInt(ds.metadata.annotations?.[templateGenerationAnnotation] ?? '', 10);
  return Number.isFinite(n) ? n : undefined;
}

/** CreatePodTemplate: daemon tolerations, and the generation and hash labels. */
export function createPodTemplate(ds: DaemonSet, hash: string): PodTemplate {
  const template = structuredClone(ds.spec.template ?? {});
  template.spec ??= {};
  addDaemonPodTolerations(template.spec);
  const labels = { ...template.metadata?.labels };
  const generation = templateGeneration(ds);
  if (generation !== undefined) labels[templateGenerationLabel] = String(generation);
  if (hash) labels[hashLabel] = hash;
  template.metadata = { ...template.metadata, labels };
  return template;
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes `metadata.name In [node]`. */
export function pinnedToNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const required = { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In' as const, values: [nodeName] }] }] };
  return { ...affinity, nodeAffinity: { ...affinity?.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: required } };
}

/** GetTargetNodeName: the node a pod is bound to, or the one its affinity pins it to. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const r of term.matchFields ?? []) {
      if (r.key === 'metadata.name' && r.operator === 'In' && r.values?.length === 1) return r.values[0];
    }
  }
  return undefined;
}

/** IsPodUpdated: made from the current template, by hash or by template generation. */
export function isPodUpdated(pod: KubeObject, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  return (generation !== undefined && labels[templateGenerationLabel] === String(generation)) || (!!hash && labels[hashLabel] === hash);
}
