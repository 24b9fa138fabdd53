// The cluster at a glance: every node a box with its pods inside, coloured by phase and
// readiness; requests against allocatable as bars; taints and cordon; a node whose kubelet
// stopped heartbeating (Ready not True) goes grey. Pods appear in a box when the scheduler
// binds them (the pods watch brings spec.nodeName). Past a threshold a node shows counts per
// state instead of one square per pod, so 1,000 pods stay readable.
import { ErrorBox, Bar, Badge, Empty } from '../components/common.tsx';
import { collectionPath, useLiveList } from '../informer.ts';
import { formatBytes, formatCpu, parseQuantity, podRequest } from '../quantity.ts';
import { objectHref } from '../router.ts';
import { nodeReady, podReason, podState, type PodState } from '../pod-status.ts';
import { namespace, useValue } from '../state.ts';
import type { KubeObject } from '../types.ts';

/** Above this many pods on one node, the node shows counts per state instead of squares. */
const squaresPerNodeLimit = 60;
const states: PodState[] = ['ready', 'running', 'pending', 'succeeded', 'failed', 'terminating', 'unknown'];

function PodSquare({ pod }: { pod: KubeObject }) {
  const state = podState(pod);
  const { name, namespace: ns } = pod.metadata;
  return (
    <a class={`pod ${state}`} href={objectHref({ group: '', version: 'v1', plural: 'pods', namespace: ns, name: name! }, 'flow')}
      title={`${ns}/${name}: ${podReason(pod)}`} data-pod={name} data-state={state} aria-label={`pod ${ns}/${name} ${podReason(pod)}`} />
  );
}

function StateCounts({ pods }: { pods: KubeObject[] }) {
  const counts = new Map<PodState, number>();
  for (const p of pods) counts.set(podState(p), (counts.get(podState(p)) ?? 0) + 1);
  return (
    <div class="state-counts">
      {states.filter((s) => counts.get(s)).map((s) => (
        <span key={s} class="state-count"><span class={`pod ${s}`} /> {counts.get(s)} {s}</span>
      ))}
    </div>
  );
}

function NodeBox({ node, pods }: { node: KubeObject; pods: KubeObject[] }) {
  const ready = nodeReady(node);
  const alloc = node.status?.allocatable ?? {};
  const active = pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const cpu = active.reduce((t, p) => t + podRequest(p, 'cpu'), 0);
  const memory = active.reduce((t, p) => t + podRequest(p, 'memory'), 0);
  const taints: { key: string; value?: string; effect: string }[] = node.spec?.taints ?? [];
  const name = node.metadata.name!;
  return (
    <section class={`node ${ready ? '' : 'not-ready'}`} data-node={name} aria-label={`node ${name}`}>
      <header>
        <a href={objectHref({ group: '', version: 'v1', plural: 'nodes', name }, 'yaml')} class="node-name">{name}</a>
        {ready ? <Badge kind="ok">Ready</Badge> : <Badge kind="bad">NotReady</Badge>}
        {node.spec?.unschedulable && <Badge kind="warn">cordoned</Badge>}
      </header>
      <Bar label="cpu" used={cpu} total={parseQuantity(alloc.cpu)} format={formatCpu} />
      <Bar label="mem" used={memory} total={parseQuantity(alloc.memory)} format={formatBytes} />
      <Bar label="pods" used={active.length} total={parseQuantity(alloc.pods)} format={(n) => String(Math.round(n))} />
      {taints.length > 0 && (
        <div class="taints">{taints.map((t) => <span key={t.key + t.effect} class="taint" title="taint">{t.key}{t.value ? `=${t.value}` : ''}:{t.effect}</span>)}</div>
      )}
      {pods.length > squaresPerNodeLimit ? <StateCounts pods={pods} /> : (
        <div class="pods">{pods.map((p) => <PodSquare key={p.metadata.uid} pod={p} />)}</div>
      )}
    </section>
  );
}

function Legend() {
  return (
    <div class="legend" aria-label="legend">
      {states.map((s) => <span key={s}><span class={`pod ${s}`} /> {s}</span>)}
    </div>
  );
}

export function ClusterView() {
  const ns = useValue(namespace);
  const nodes = useLiveList('/api/v1/nodes');
  const pods = useLiveList(collectionPath('', 'v1', 'pods', ns || undefined));
  const byNode = new Map<string, KubeObject[]>();
  const unscheduled: KubeObject[] = [];
  const sortedPods = pods.items.sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name!.localeCompare(b.metadata.name!));
  for (const pod of sortedPods) {
    const node = pod.spec?.nodeName;
    if (!node) { unscheduled.push(pod); continue; }
    if (!byNode.has(node)) byNode.set(node, []);
    byNode.get(node)!.push(pod);
  }
  const sortedNodes = nodes.items.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
  const ready = sortedNodes.filter(nodeReady).length;
  return (
    <div class="cluster">
      <div class="toolbar">
        <h2>Cluster</h2>
        <span class="muted">{sortedNodes.length} nodes ({ready} ready) · {pods.items.length} pods{ns ? ` in ${ns}` : ''}</span>
        <Legend />
      </div>
      <ErrorBox error={nodes.error} />
      <ErrorBox error={pods.error} />
      {nodes.synced && sortedNodes.length === 0 && <Empty>No nodes registered yet.</Empty>}
      <div class="nodes">
        {sortedNodes.map((n) => <NodeBox key={n.metadata.uid} node={n} pods={byNode.get(n.metadata.name!) ?? []} />)}
        {unscheduled.length > 0 && (
          <section class="node unscheduled" aria-label="unscheduled pods">
            <header><span class="node-name">Unscheduled</span><Badge kind="warn">{unscheduled.length} pending</Badge></header>
            {unscheduled.length > squaresPerNodeLimit ? <StateCounts pods={unscheduled} /> : (
              <div class="pods">{unscheduled.map((p) => <PodSquare key={p.metadata.uid} pod={p} />)}</div>
            )}
          </section>
        )}
      </div>
    </div>
  );
}
