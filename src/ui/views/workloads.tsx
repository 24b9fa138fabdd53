// Workloads as their owners' trees: Deployment → ReplicaSets (its revision history) → Pods,
// StatefulSets, DaemonSets and Jobs → Pods, CronJobs → Jobs → Pods, each with its rollout
// progress and the actions kubectl has for it. Ownership is read from ownerReferences, as
// the garbage collector reads it.
import { useState } from 'preact/hooks';
import { Badge, Empty, ErrorBox } from '../components/common.tsx';
import { collectionPath, useLiveList } from '../informer.ts';
import { podReason, podState, age } from '../pod-status.ts';
import { objectHref } from '../router.ts';
import { namespace, useValue } from '../state.ts';
import type { KubeObject } from '../types.ts';
import { WorkloadActions, type WorkloadKind } from './workload-actions.tsx';

const kinds: WorkloadKind[] = [
  { kind: 'Deployment', group: 'apps', plural: 'deployments', scalable: true, hasTemplate: true, rollout: true, pausable: true },
  { kind: 'StatefulSet', group: 'apps', plural: 'statefulsets', scalable: true, hasTemplate: true, rollout: true },
  { kind: 'DaemonSet', group: 'apps', plural: 'daemonsets', hasTemplate: true, rollout: true },
  { kind: 'Job', group: 'batch', plural: 'jobs', suspendable: true },
  { kind: 'CronJob', group: 'batch', plural: 'cronjobs', suspendable: true, hasTemplate: true },
];

type Children = Map<string, KubeObject[]>;

function childrenByOwner(objects: KubeObject[]): Children {
  const map: Children = new Map();
  for (const o of objects) {
    for (const ref of o.metadata.ownerReferences ?? []) {
      if (!ref.controller) continue;
      if (!map.has(ref.uid)) map.set(ref.uid, []);
      map.get(ref.uid)!.push(o);
    }
  }
  return map;
}

function PodRow({ pod }: { pod: KubeObject }) {
  const m = pod.metadata;
  return (
    <li class="tree-pod">
      <span class={`pod ${podState(pod)}`} />
      <a href={objectHref({ group: '', version: 'v1', plural: 'pods', namespace: m.namespace, name: m.name! }, 'flow')}>{m.name}</a>
      <span class="muted">{podReason(pod)} · {pod.spec?.nodeName ?? 'unscheduled'} · {age(m.creationTimestamp)}</span>
    </li>
  );
}

/** Past this many pods an owner lists the first ones and offers the rest, so a 1,000-replica tree stays light. */
const podsShown = 50;

function PodList({ pods }: { pods: KubeObject[] }) {
  const [all, setAll] = useState(false);
  const shown = all ? pods : pods.slice(0, podsShown);
  return (
    <ul class="tree">
      {shown.map((p) => <PodRow key={p.metadata.uid} pod={p} />)}
      {pods.length > shown.length && <li><button class="link" onClick={() => setAll(true)}>show all {pods.length} pods</button></li>}
    </ul>
  );
}

function revision(o: KubeObject): number {
  return Number(o.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
}

function images(template: any): string {
  return (template?.spec?.containers ?? []).map((c: any) => c.image).join(', ');
}

function Progress({ kind, obj }: { kind: WorkloadKind; obj: KubeObject }) {
  const s = obj.status ?? {};
  if (kind.kind === 'Deployment') {
    const ru = obj.spec?.strategy?.rollingUpdate;
    const strategy = obj.spec?.strategy?.type === 'Recreate' ? 'Recreate' : `RollingUpdate · maxSurge ${ru?.maxSurge ?? '25%'} · maxUnavailable ${ru?.maxUnavailable ?? '25%'}`;
    const progressing = (s.conditions ?? []).find((c: any) => c.type === 'Progressing');
    return (
      <span class="progress" data-progress>
        <b data-ready>{s.readyReplicas ?? 0}/{obj.spec?.replicas ?? 0}</b> ready · {s.updatedReplicas ?? 0} up-to-date · {s.availableReplicas ?? 0} available
        <span class="muted"> · {strategy}{progressing ? ` · ${progressing.reason}` : ''}{obj.spec?.paused ? ' · paused' : ''}</span>
      </span>
    );
  }
  if (kind.kind === 'StatefulSet') return <span class="progress"><b>{s.readyReplicas ?? 0}/{obj.spec?.replicas ?? 0}</b> ready · {s.updatedReplicas ?? 0} updated · revision {s.updateRevision ?? ''}</span>;
  if (kind.kind === 'DaemonSet') return <span class="progress"><b>{s.numberReady ?? 0}/{s.desiredNumberScheduled ?? 0}</b> ready · {s.updatedNumberScheduled ?? 0} updated</span>;
  if (kind.kind === 'Job') return <span class="progress"><b>{s.succeeded ?? 0}/{obj.spec?.completions ?? 1}</b> succeeded · {s.active ?? 0} active · {s.failed ?? 0} failed{obj.spec?.suspend ? ' · suspended' : ''}</span>;
  return <span class="progress">{obj.spec?.schedule} · {(s.active ?? []).length} active · last {age(s.lastScheduleTime)} ago{obj.spec?.suspend ? ' · suspended' : ''}</span>;
}

function WorkloadItem({ kind, obj, children }: { kind: WorkloadKind; obj: KubeObject; children: Children }) {
  const m = obj.metadata;
  const [open, setOpen] = useState(true);
  const direct = children.get(m.uid!) ?? [];
  const intermediate = kind.kind === 'Deployment' || kind.kind === 'CronJob';
  const ordered = kind.kind === 'Deployment' ? [...direct].sort((a, b) => revision(b) - revision(a)) : direct;
  return (
    <li class="workload" data-workload={m.name}>
      <div class="workload-head">
        <button class="twisty" aria-expanded={open} aria-label={open ? 'collapse' : 'expand'} onClick={() => setOpen(!open)}>{open ? '▾' : '▸'}</button>
        <a class="workload-name" href={objectHref({ group: kind.group, version: 'v1', plural: kind.plural, namespace: m.namespace, name: m.name! })}>{m.name}</a>
        <span class="muted">{m.namespace}</span>
        <Progress kind={kind} obj={obj} />
      </div>
      <WorkloadActions kind={kind} obj={obj} children={direct} />
      {open && (
        <ul class="tree">
          {intermediate ? ordered.map((child) => {
            const pods = children.get(child.metadata.uid!) ?? [];
            const rev = kind.kind === 'Deployment' ? revision(child) : undefined;
            return (
              <li key={child.metadata.uid} class="tree-owner" data-child={child.metadata.name}>
                <span class="kind-tag">{child.kind ?? (kind.kind === 'Deployment' ? 'ReplicaSet' : 'Job')}</span>
                <a href={objectHref({ group: kind.kind === 'Deployment' ? 'apps' : 'batch', version: 'v1', plural: kind.kind === 'Deployment' ? 'replicasets' : 'jobs', namespace: child.metadata.namespace, name: child.metadata.name! })}>{child.metadata.name}</a>
                {rev !== undefined && <Badge kind={rev === revision(obj) ? 'ok' : 'muted'}>revision {rev}</Badge>}
                <span class="muted">{child.status?.readyReplicas ?? child.status?.succeeded ?? 0}/{child.spec?.replicas ?? child.spec?.completions ?? 1} · {images(child.spec?.template)} · {age(child.metadata.creationTimestamp)}</span>
                {pods.length > 0 && <PodList pods={pods} />}
              </li>
            );
          }) : <li><PodList pods={direct.filter((c) => c.kind === 'Pod')} /></li>}
        </ul>
      )}
    </li>
  );
}

export function WorkloadsView() {
  const ns = useValue(namespace) || undefined;
  const [tab, setTab] = useState(0);
  const kind = kinds[tab];
  const owners = useLiveList(collectionPath(kind.group, 'v1', kind.plural, ns));
  const middle = useLiveList(kind.kind === 'Deployment' ? collectionPath('apps', 'v1', 'replicasets', ns) : kind.kind === 'CronJob' ? collectionPath('batch', 'v1', 'jobs', ns) : null);
  const pods = useLiveList(collectionPath('', 'v1', 'pods', ns));
  // List items carry no kind; the tree needs to tell ReplicaSets and Jobs from Pods.
  const middleItems = middle.items.map((o) => ({ ...o, kind: kind.kind === 'Deployment' ? 'ReplicaSet' : 'Job' }));
  const podItems = pods.items.map((o) => ({ ...o, kind: 'Pod' }));
  const children = childrenByOwner([...middleItems, ...podItems]);
  const items = owners.items.sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name!.localeCompare(b.metadata.name!));
  return (
    <div class="workloads">
      <div class="toolbar">
        <h2>Workloads</h2>
        <div class="tabs" role="tablist">
          {kinds.map((k, i) => <button key={k.kind} role="tab" aria-selected={i === tab} class={i === tab ? 'active' : ''} onClick={() => setTab(i)}>{k.kind}s</button>)}
        </div>
      </div>
      <ErrorBox error={owners.error} />
      {owners.synced && items.length === 0 && <Empty>No {kind.kind}s{ns ? ` in ${ns}` : ''}.</Empty>}
      <ul class="workload-list">
        {items.map((o) => <WorkloadItem key={o.metadata.uid} kind={kind} obj={o} children={children} />)}
      </ul>
    </div>
  );
}
