// The scheduler's filters, scores, preemption and messages on hand-built clusters, with the
// outcomes kube-scheduler 1.32 gives for the same nodes and pods.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fitErrorMessage, newPodInfo, numFeasibleNodesToFind, podRequests, preempt, SchedulerCache, schedulePod, SchedulingQueue,
  type FitError, type Node, type Pod, type Taint, type Toleration,
} from '../src/scheduler/index.ts';

/** mulberry32: a seeded PRNG, so tie-breaks are the same on every run. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  ready?: 'True' | 'False' | 'Unknown';
  extra?: Record<string, string>;
}

function node(name: string, o: NodeOpts = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: {
      allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', ...o.extra },
      conditions: [{ type: 'Ready', status: o.ready ?? 'True' }],
    },
  };
}

interface PodOpts {
  namespace?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: NonNullable<Pod['spec']>['affinity'];
  tolerations?: Toleration[];
  hostPort?: number;
  priority?: number;
  owner?: string;
  created?: string;
  spread?: NonNullable<Pod['spec']>['topologySpreadConstraints'];
  extra?: Record<string, string>;
}

let uid = 0;
function pod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = { ...o.extra };
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: o.namespace ?? 'default', uid: `uid-${++uid}`, labels: o.labels,
      creationTimestamp: o.created ?? '2025-01-01T00:00:00Z',
      ownerReferences: o.owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `rs-${o.owner}`, controller: true }] : undefined,
    },
    spec: {
      nodeName: o.nodeName,
      nodeSelector: o.nodeSelector,
      affinity: o.affinity,
      tolerations: o.tolerations,
      priority: o.priority ?? 0,
      topologySpreadConstraints: o.spread,
      containers: [{ name: 'app', image: 'nginx', resources: { requests }, ports: o.hostPort ? [{ containerPort: 80, hostPort: o.hostPort }] : undefined }],
    },
  };
}

function cluster(nodes: Node[], pods: Pod[] = []): SchedulerCache {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.setNode(n);
  for (const p of pods) cache.setPod(newPodInfo(p), p.spec!.nodeName!);
  return cache;
}

const threeNodes = (o: NodeOpts = {}) => ['node-1', 'node-2', 'node-3'].map((n) => node(n, o));

/** Schedules and assumes the pod, as the scheduler does; the chosen node or the FailedScheduling message. */
function place(cache: SchedulerCache, p: Pod, random = prng(1)): string {
  const info = newPodInfo(p);
  const result = schedulePod(cache, info, { random });
  if ('nodeName' in result) {
    cache.assume(info, result.nodeName);
    return result.nodeName;
  }
  const outcome = preempt(cache, info, result.fitError);
  if ('message' in outcome) result.fitError.postFilterMsg = outcome.message;
  return fitErrorMessage(result.fitError);
}

function spreadOf(cache: SchedulerCache): Record<string, number> {
  return Object.fromEntries(cache.nodes.map((n) => [n.name, n.pods.size]));
}

describe('scheduler: FailedScheduling messages', () => {
  it('a pod asking more cpu than any node has: "3 Insufficient cpu", and no victims', () => {
    const cache = cluster(threeNodes({ cpu: '2' }));
    assert.equal(place(cache, pod('big', { cpu: '3' })),
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.');
  });

  it('counts every reason of a node and sorts "<count> <reason>" as strings', () => {
    const cache = cluster([
      node('a', { cpu: '1', memory: '1Gi' }), node('b', { cpu: '1', memory: '1Gi' }),
      node('c', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    ]);
    assert.equal(place(cache, pod('p', { cpu: '2', memory: '2Gi' })),
      '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu, 2 Insufficient memory. '
      + 'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.');
  });

  it('sorts counts as text, like Go sort.Strings ("10 ..." before "2 ...")', () => {
    const err: FitError = { numAllNodes: 12, statuses: new Map() };
    for (let i = 0; i < 10; i++) err.statuses.set(`n${i}`, { code: 'Unschedulable', reasons: ['Too many pods'], plugin: 'NodeResourcesFit' });
    for (let i = 10; i < 12; i++) err.statuses.set(`n${i}`, { code: 'Unschedulable', reasons: ['Insufficient cpu'], plugin: 'NodeResourcesFit' });
    assert.equal(fitErrorMessage(err), '0/12 nodes are available: 10 Too many pods, 2 Insufficient cpu.');
  });

  it('cordoned and not-ready nodes report kube\'s reasons', () => {
    const cache = cluster([node('a', { unschedulable: true }), node('b', { ready: 'False' }), node('c', { ready: 'Unknown' })]);
    assert.equal(place(cache, pod('p')),
      '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, '
      + '1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 1 node(s) were unschedulable. '
      + 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
  });

  it('a pod that may not preempt says so', () => {
    const cache = cluster(threeNodes({ cpu: '1' }));
    const p = pod('p', { cpu: '2' });
    p.spec!.preemptionPolicy = 'Never';
    assert.equal(place(cache, p), '0/3 nodes are available: 3 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
  });
});

describe('scheduler: filters', () => {
  it('taints: NoSchedule and NoExecute keep untolerating pods off, tolerations let them on', () => {
    const taint: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
    const cache = cluster([node('tainted', { taints: [taint] }), node('plain')]);
    for (let i = 0; i < 5; i++) assert.equal(place(cache, pod(`p${i}`)), 'plain');
    const only = cluster([node('tainted', { taints: [{ ...taint, effect: 'NoExecute' }] })]);
    assert.match(place(only, pod('x')), /1 node\(s\) had untolerated taint \{dedicated: gpu\}/);
    assert.equal(place(only, pod('y', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu' }] })), 'tainted');
    assert.equal(place(only, pod('z', { tolerations: [{ operator: 'Exists' }] })), 'tainted');
    assert.match(place(only, pod('w', { tolerations: [{ key: 'dedicated', value: 'cpu' }] })), /untolerated taint/);
  });

  it('nodeSelector and required node affinity, including Gt/Lt and NotIn', () => {
    const cache = cluster([
      node('a', { labels: { disk: 'ssd', gen: '3' } }), node('b', { labels: { disk: 'hdd', gen: '5' } }), node('c', { labels: { gen: 'x' } }),
    ]);
    assert.equal(place(cache, pod('s', { nodeSelector: { disk: 'ssd' } })), 'a');
    const affinity = (operator: 'Gt' | 'Lt' | 'NotIn' | 'DoesNotExist', values?: string[], key = 'gen') => ({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator, values }] }] } },
    });
    assert.equal(place(cache, pod('gt', { affinity: affinity('Gt', ['4']) })), 'b');
    assert.equal(place(cache, pod('lt', { affinity: affinity('Lt', ['4']) })), 'a'); // 'x' is no integer: no match
    assert.equal(place(cache, pod('none', { affinity: affinity('DoesNotExist', undefined, 'disk') })), 'c');
    assert.equal(place(cache, pod('miss', { nodeSelector: { disk: 'nvme' } })),
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
  });

  it('required anti-affinity on hostname puts one replica per node, then none fits', () => {
    const cache = cluster(threeNodes());
    const anti = {
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] },
    };
    const placed = [0, 1, 2].map((i) => place(cache, pod(`web-${i}`, { labels: { app: 'web' }, affinity: anti })));
    assert.deepEqual([...placed].sort(), ['node-1', 'node-2', 'node-3']);
    assert.equal(place(cache, pod('web-3', { labels: { app: 'web' }, affinity: anti })),
      "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.");
    // A pod without anti-affinity of its own is kept off by the existing pods' rule only if it matches it.
    assert.match(place(cache, pod('other', { labels: { app: 'web' } })), /3 node\(s\) didn't satisfy existing pods anti-affinity rules/);
    assert.match(place(cache, pod('db', { labels: { app: 'db' } })), /^node-\d$/);
  });

  it('required pod affinity follows the selected pods into their zone; the first of a group may go anywhere', () => {
    const cache = cluster([
      node('a1', { labels: { 'topology.kubernetes.io/zone': 'a' } }), node('a2', { labels: { 'topology.kubernetes.io/zone': 'a' } }),
      node('b1', { labels: { 'topology.kubernetes.io/zone': 'b' } }),
    ], [pod('db', { labels: { app: 'db' }, nodeName: 'b1' })]);
    const withDb = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'topology.kubernetes.io/zone' }] } };
    for (let i = 0; i < 3; i++) assert.equal(place(cache, pod(`api-${i}`, { affinity: withDb })), 'b1');
    const self = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'topology.kubernetes.io/zone' }] } };
    const first = place(cache, pod('cache-0', { labels: { app: 'cache' }, affinity: self }));
    const zoneOf = (n: string) => (n === 'b1' ? 'b' : 'a');
    for (let i = 1; i < 4; i++) assert.equal(zoneOf(place(cache, pod(`cache-${i}`, { labels: { app: 'cache' }, affinity: self }))), zoneOf(first));
    assert.match(place(cache, pod('lonely', { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'none' } }, topologyKey: 'topology.kubernetes.io/zone' }] } } })),
      /3 node\(s\) didn't match pod affinity rules\. preemption: 0\/3 nodes are available: 3 Preemption is not helpful for scheduling\.$/);
  });

  it('resources: requests against allocatable minus what is placed; extended resources; pod count', () => {
    const cache = cluster([node('a', { cpu: '2', memory: '4Gi', pods: '3', extra: { 'example.com/gpu': '1' } })]);
    assert.equal(place(cache, pod('p1', { cpu: '1500m', memory: '1Gi' })), 'a');
    assert.match(place(cache, pod('p2', { cpu: '600m' })), /^0\/1 nodes are available: 1 Insufficient cpu\./);
    assert.equal(place(cache, pod('p3', { cpu: '500m', extra: { 'example.com/gpu': '1' } })), 'a');
    assert.match(place(cache, pod('p4', { extra: { 'example.com/gpu': '1' } })), /1 Insufficient example\.com\/gpu\./);
    assert.match(place(cache, pod('p5', { extra: { 'example.com/fpga': '1' } })), /1 Insufficient example\.com\/fpga\./);
    assert.equal(place(cache, pod('p6')), 'a'); // no requests: only the pod count matters
    assert.match(place(cache, pod('p7')), /^0\/1 nodes are available: 1 Too many pods\./);
  });

  it('init containers count by kube\'s max rule, sidecars add up', () => {
    const p = pod('init', { cpu: '100m', memory: '64Mi' });
    p.spec!.initContainers = [
      { name: 'migrate', resources: { requests: { cpu: '2', memory: '32Mi' } } },
      { name: 'proxy', restartPolicy: 'Always', resources: { requests: { cpu: '200m', memory: '128Mi' } } },
      { name: 'warm', resources: { requests: { cpu: '500m', memory: '1Gi' } } },
    ];
    p.spec!.overhead = { cpu: '10m' };
    const r = podRequests(p);
    // cpu: max(100m + 200m sidecar, 2, 200m + 500m) = 2 → +10m overhead; memory: max(192Mi, 32Mi, 128Mi + 1Gi).
    assert.equal(r.milliCPU, 2010);
    assert.equal(r.memory, (128 + 1024) * 2 ** 20);
    const cache = cluster([node('small', { cpu: '1' }), node('big', { cpu: '3' })]);
    assert.equal(place(cache, p), 'big');
  });

  it('host ports: the same port and protocol conflict unless both name different host IPs', () => {
    const cache = cluster([node('a'), node('b')], [pod('web', { hostPort: 8080, nodeName: 'a' })]);
    for (let i = 0; i < 3; i++) {
      const p = pod(`x${i}`, { hostPort: 8080 });
      const got = place(cache, p);
      if (i === 0) assert.equal(got, 'b');
      else assert.equal(got, "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports. "
        + 'preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
    }
    const udp = pod('udp', { hostPort: 8080 });
    udp.spec!.containers![0].ports![0].protocol = 'UDP';
    assert.match(place(cache, udp), /^[ab]$/);
  });

  it('topology spread DoNotSchedule keeps the skew within maxSkew', () => {
    const zones = [node('a', { labels: { zone: 'z1' } }), node('b', { labels: { zone: 'z1' } }), node('c', { labels: { zone: 'z2' } })];
    const cache = cluster(zones);
    const spread = [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { matchLabels: { app: 's' } } }];
    const zone = (n: string) => (n === 'c' ? 'z2' : 'z1');
    const counts: Record<string, number> = { z1: 0, z2: 0 };
    for (let i = 0; i < 6; i++) counts[zone(place(cache, pod(`s${i}`, { labels: { app: 's' }, spread })))]++;
    assert.deepEqual(counts, { z1: 3, z2: 3 });
    const unlabeled = cluster([node('x')]);
    assert.match(place(unlabeled, pod('s', { labels: { app: 's' }, spread })), /1 node\(s\) didn't match pod topology spread constraints \(missing required label\)\./);
  });
});

describe('scheduler: scores', () => {
  it('spreads 9 pods of one ReplicaSet over 3 equal nodes 3/3/3', () => {
    for (const seed of [1, 2, 3]) {
      const cache = cluster(threeNodes());
      const random = prng(seed);
      for (let i = 0; i < 9; i++) place(cache, pod(`web-${i}`, { owner: 'web', cpu: '100m', memory: '128Mi', labels: { app: 'web' } }), random);
      assert.deepEqual(spreadOf(cache), { 'node-1': 3, 'node-2': 3, 'node-3': 3 });
    }
  });

  it('spreads a controller\'s pods even when they request nothing, and beside other load', () => {
    const busy = [0, 1, 2].map((i) => pod(`busy-${i}`, { nodeName: 'node-1', cpu: '100m' }));
    const cache = cluster(threeNodes(), busy);
    for (let i = 0; i < 6; i++) place(cache, pod(`be-${i}`, { owner: 'be' }));
    const perNode = cache.nodes.map((n) => [...n.pods.values()].filter((p) => p.controllerUid === 'rs-be').length);
    assert.deepEqual(perNode, [2, 2, 2]);
  });

  it('least allocated: a pod goes to the emptiest node', () => {
    const cache = cluster(threeNodes(), [
      pod('a', { nodeName: 'node-1', cpu: '2', memory: '4Gi' }), pod('b', { nodeName: 'node-2', cpu: '1', memory: '1Gi' }),
    ]);
    assert.equal(place(cache, pod('p', { cpu: '500m', memory: '512Mi' })), 'node-3');
  });

  it('preferred node affinity and PreferNoSchedule taints steer placement', () => {
    const cache = cluster([node('a', { labels: { tier: 'fast' } }), node('b'), node('c', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] })]);
    const prefer = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 80, preference: { matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['fast'] }] } }] } };
    assert.equal(place(cache, pod('fast', { affinity: prefer })), 'a');
    const results = new Set<string>();
    for (let i = 0; i < 20; i++) results.add(place(cluster([node('b'), node('c', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] })]), pod(`p${i}`), prng(i)));
    assert.deepEqual([...results], ['b']);
  });

  it('preferred pod anti-affinity spreads pods that would otherwise tie', () => {
    const cache = cluster(threeNodes());
    const anti = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'x' } }, topologyKey: 'kubernetes.io/hostname' } }] } };
    const nodes = [0, 1, 2].map((i) => place(cache, pod(`x${i}`, { labels: { app: 'x' }, affinity: anti })));
    assert.equal(new Set(nodes).size, 3);
  });

  it('equal nodes are picked at random', () => {
    const picks = new Set<string>();
    for (let seed = 0; seed < 30; seed++) picks.add(place(cluster(threeNodes()), pod('p'), prng(seed)));
    assert.equal(picks.size, 3);
  });
});

describe('scheduler: preemption', () => {
  it('evicts the fewest, least important pods on the best node', () => {
    const cache = cluster([node('a', { cpu: '2' }), node('b', { cpu: '2' })], [
      pod('a-low-1', { nodeName: 'a', cpu: '1', priority: 10 }), pod('a-low-2', { nodeName: 'a', cpu: '1', priority: 10 }),
      pod('b-mid', { nodeName: 'b', cpu: '1', priority: 100 }), pod('b-low', { nodeName: 'b', cpu: '1', priority: 1 }),
    ]);
    const high = newPodInfo(pod('high', { cpu: '1', priority: 1000 }));
    const result = schedulePod(cache, high);
    assert.ok('fitError' in result);
    const outcome = preempt(cache, high, result.fitError);
    assert.ok('candidate' in outcome);
    // On a only 10s must go, on b the 100 one stays: b-low (priority 1) is the cheapest victim set.
    assert.equal(outcome.candidate.nodeName, 'b');
    assert.deepEqual(outcome.candidate.victims.map((v) => v.pod.metadata.name), ['b-low']);
  });

  it('never evicts pods of equal or higher priority', () => {
    const cache = cluster([node('a', { cpu: '1' })], [pod('peer', { nodeName: 'a', cpu: '1', priority: 5 })]);
    assert.equal(place(cache, pod('p', { cpu: '1', priority: 5 })),
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
    // Lower-priority pods that are not enough to make room: the filter's reason is kept.
    const tight = cluster([node('a', { cpu: '2' })], [pod('low', { nodeName: 'a', cpu: '500m', priority: 1 }), pod('peer', { nodeName: 'a', cpu: '1500m', priority: 5 })]);
    assert.equal(place(tight, pod('p', { cpu: '1', priority: 5 })),
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.');
  });

  it('a nominated pod holds its room against lower-priority pods', () => {
    const cache = cluster([node('a', { cpu: '1' }), node('b', { cpu: '1' })]);
    const nominated = newPodInfo(pod('nominee', { cpu: '1', priority: 100 }));
    cache.nominate(nominated, 'a');
    assert.equal(place(cache, pod('low', { cpu: '1', priority: 1 })), 'b');
  });
});

describe('scheduler: queue', () => {
  it('pops by priority, then by age', async () => {
    const q = new SchedulingQueue();
    q.add(pod('old-low', { priority: 1 }), 1);
    q.add(pod('high', { priority: 100 }), 100);
    q.add(pod('new-low', { priority: 1 }), 1);
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await q.pop())!.pod.metadata.name);
    q.close();
    assert.deepEqual(order, ['high', 'old-low', 'new-low']);
  });

  it('backs off 1s, 2s, 4s ... up to 10s and retries unschedulable pods on cluster events', async () => {
    const q = new SchedulingQueue({ initialBackoffMs: 20, maxBackoffMs: 50 });
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => q.backoffDuration(n)), [20, 40, 50, 50, 50]);
    q.add(pod('p'), 0);
    const first = (await q.pop())!;
    q.failed(first.key, ['NodeResourcesFit']);
    assert.equal(q.moveAllToActiveOrBackoff((qp) => qp.unschedulablePlugins.has('TaintToleration')), 0);
    assert.equal(q.moveAllToActiveOrBackoff((qp) => qp.unschedulablePlugins.has('NodeResourcesFit')), 1);
    const started = Date.now();
    const again = (await q.pop())!;
    assert.equal(again.key, 'default/p');
    assert.ok(Date.now() - started >= 10, 'retried only after its backoff');
    q.close();
  });
});

describe('scheduler: percentageOfNodesToScore', () => {
  it('stops at numFeasibleNodesToFind feasible nodes, as kube: all below 100, adaptive above', () => {
    assert.equal(numFeasibleNodesToFind(10), 10);
    assert.equal(numFeasibleNodesToFind(99), 99);
    assert.equal(numFeasibleNodesToFind(150), 100, 'never fewer than 100');
    assert.equal(numFeasibleNodesToFind(1000), 420, '50% minus 1% per 125 nodes');
    assert.equal(numFeasibleNodesToFind(10_000), 500, 'at least 5%');
    assert.equal(numFeasibleNodesToFind(1000, 10), 100);
    assert.equal(numFeasibleNodesToFind(1000, 30), 300);
  });

  it('samples a large cluster in turn: each search starts where the last one stopped', () => {
    const names = Array.from({ length: 250 }, (_, i) => `n${String(i).padStart(3, '0')}`);
    const cache = cluster(names.map((n) => node(n)));
    const rotation = { nextStartNodeIndex: 0 };
    const first = schedulePod(cache, newPodInfo(pod('p1')), { random: prng(1), rotation });
    assert.ok('nodeName' in first);
    // 250 nodes: 50% − 2% = 48% of them, 120.
    assert.deepEqual([first.evaluatedNodes, first.feasibleNodes], [120, 120]);
    assert.ok(names.indexOf(first.nodeName) < 120, 'picked among the first 120 nodes');
    assert.equal(rotation.nextStartNodeIndex, 120);
    const second = schedulePod(cache, newPodInfo(pod('p2')), { random: prng(1), rotation });
    assert.ok('nodeName' in second);
    assert.ok(names.indexOf(second.nodeName) >= 120 && names.indexOf(second.nodeName) < 240, 'picked among the next 120');
    schedulePod(cache, newPodInfo(pod('p3')), { random: prng(1), rotation });
    assert.equal(rotation.nextStartNodeIndex, 110, 'wraps around');
  });

  it('filters every node before it says a pod fits nowhere', () => {
    const cache = cluster(Array.from({ length: 200 }, (_, i) => node(`n${i}`, { cpu: '1' })));
    const result = schedulePod(cache, newPodInfo(pod('big', { cpu: '2' })), { rotation: { nextStartNodeIndex: 77 } });
    assert.ok('fitError' in result);
    assert.equal(fitErrorMessage(result.fitError), '0/200 nodes are available: 200 Insufficient cpu.');
  });
});
