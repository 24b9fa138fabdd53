// The HorizontalPodAutoscaler controller: its replica arithmetic as unit tests (tolerance,
// missing and unready pods, behavior policies and stabilization), then end to end through
// kubectl against a server running kubelets, the scheduler, and the ReplicaSet and HPA
// controllers on short periods: scale-up from annotated usage, the maxReplicas limit,
// scale-down after the stabilization window, and a target without cpu requests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { ReplicaNormalizer } from '../src/controllers/podautoscaler/behavior.ts';
import { rawResourceReplicas, resourceReplicas, type CalculatorOptions, type PodMetrics } from '../src/controllers/podautoscaler/replica-calculator.ts';
import type { Pod } from '../src/api/core-v1.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';

const t0 = Date.parse('2025-01-01T00:00:00Z');
const calc: CalculatorOptions = { tolerance: 0.1, cpuInitializationPeriodMs: 300_000, delayOfInitialReadinessStatusMs: 30_000, now: t0 + 3_600_000 };

/** A Running pod, Ready since an hour ago, requesting `cpu` millicores. */
function pod(name: string, cpu = 100, opts: { phase?: string; ready?: 'True' | 'False'; readySince?: number; started?: number } = {}): Pod {
  const transition = new Date(opts.readySince ?? t0).toISOString();
  return {
    metadata: { name, namespace: 'default', labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: `${cpu}m` } } }] },
    status: {
      phase: opts.phase ?? 'Running', startTime: new Date(opts.started ?? t0).toISOString(),
      conditions: [{ type: 'Ready', status: opts.ready ?? 'True', lastTransitionTime: transition }],
    },
  } as Pod;
}

function metrics(values: Record<string, number>, at = calc.now): PodMetrics {
  return new Map(Object.entries(values).map(([name, value]) => [name, { value, timestamp: at, windowMs: 15_000 }]));
}

describe('replica calculation', () => {
  it('scales by the usage ratio over the ready pods, rounding up', () => {
    const p = resourceReplicas(2, 50, 'cpu', [pod('a'), pod('b')], metrics({ a: 80, b: 70 }), calc);
    assert.equal(p.utilization, 75);
    assert.equal(p.rawAverage, 75);
    assert.equal(p.replicas, 3); // ceil(1.5 × 2)
  });

  it('keeps the count within the 10% tolerance', () => {
    assert.equal(resourceReplicas(4, 50, 'cpu', [pod('a'), pod('b'), pod('c'), pod('d')], metrics({ a: 54, b: 54, c: 54, d: 54 }), calc).replicas, 4);
    assert.equal(resourceReplicas(4, 50, 'cpu', [pod('a'), pod('b'), pod('c'), pod('d')], metrics({ a: 56, b: 56, c: 56, d: 56 }), calc).replicas, 5);
  });

  it('assumes missing pods use 100% of their request when scaling down, 0 when scaling up', () => {
    // Down: 2 pods at 10%, 2 missing counted at 100% → (10+10+100+100)/400 = 55% of a 50% target: within tolerance.
    const down = resourceReplicas(4, 50, 'cpu', [pod('a'), pod('b'), pod('c'), pod('d')], metrics({ a: 10, b: 10 }), calc);
    assert.equal(down.replicas, 4);
    // Up: 2 pods at 200%, 2 missing counted at 0 → 100% over 50% → ceil(2 × 4) = 8.
    const up = resourceReplicas(4, 50, 'cpu', [pod('a'), pod('b'), pod('c'), pod('d')], metrics({ a: 200, b: 200 }), calc);
    assert.equal(up.replicas, 8);
    assert.equal(up.utilization, 200); // status reports the measured pods only
  });

  it('counts unready pods as 0 only when scaling up, and ignores terminating and failed pods', () => {
    const pending = pod('p', 100, { phase: 'Pending' });
    const failed = pod('f', 100, { phase: 'Failed' });
    const up = resourceReplicas(3, 50, 'cpu', [pod('a'), pod('b'), pending, failed], metrics({ a: 100, b: 100, f: 900 }), calc);
    assert.equal(up.replicas, 4); // (100+100+0)/300 = 66% → ratio 1.33 → ceil(1.33 × 3)
    const down = resourceReplicas(3, 50, 'cpu', [pod('a'), pod('b'), pending], metrics({ a: 10, b: 10 }), calc);
    assert.equal(down.replicas, 1); // unready pods do not hold a scale-down: ceil(0.2 × 2)
  });

  it('distrusts cpu of a pod that just became ready within its initialization period', () => {
    const fresh = pod('n', 100, { started: calc.now - 60_000, readySince: calc.now - 5_000 }); // sample predates ready + window
    const p = resourceReplicas(2, 50, 'cpu', [pod('a'), fresh], metrics({ a: 100, n: 500 }), calc);
    assert.equal(p.utilization, 100); // the fresh pod's 500% is not used
    // Scaling up with an unready pod counts it at 0: (100 + 0)/200 = 50%, on target, so no change.
    assert.equal(p.replicas, 2);
  });

  it('fails with kube\'s message when a container has no request', () => {
    const p = pod('a');
    p.spec!.containers![0].resources = {};
    assert.throws(() => resourceReplicas(1, 50, 'cpu', [p], metrics({ a: 10 }), calc), /missing request for cpu in container c of Pod a/);
    assert.throws(() => resourceReplicas(1, 50, 'cpu', [], metrics({ a: 10 }), calc), /no pods returned by selector while calculating replica count/);
    assert.throws(() => resourceReplicas(1, 50, 'cpu', [pod('a', 100, { phase: 'Pending' })], metrics({ a: 10 }), calc), /did not receive metrics for targeted pods/);
  });

  it('scales an AverageValue target by the average usage per pod', () => {
    const p = rawResourceReplicas(2, 100, 'cpu', [pod('a'), pod('b')], metrics({ a: 300, b: 100 }), calc);
    assert.deepEqual([p.replicas, p.rawAverage], [4, 200]);
  });
});

describe('replica normalization', () => {
  const behaviorDefaults = () => ({
    scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max' as const, policies: [{ type: 'Pods' as const, value: 4, periodSeconds: 15 }, { type: 'Percent' as const, value: 100, periodSeconds: 15 }] },
    scaleDown: { selectPolicy: 'Max' as const, policies: [{ type: 'Percent' as const, value: 100, periodSeconds: 15 }] },
  });

  it('without behavior: limits a scale-up to max(2 × current, 4) and holds a scale-down for the stabilization window', () => {
    let now = t0;
    const n = new ReplicaNormalizer(300_000, () => now);
    n.recordInitial('k', 2);
    const up = n.normalize({ key: 'k', minReplicas: 1, maxReplicas: 20, currentReplicas: 2, desiredReplicas: 10 });
    assert.equal(up.replicas, 4);
    assert.deepEqual(up.scalingLimited, { status: 'True', reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' });
    now += 60_000;
    const held = n.normalize({ key: 'k', minReplicas: 1, maxReplicas: 20, currentReplicas: 4, desiredReplicas: 1 });
    assert.equal(held.replicas, 8); // the highest recent recommendation (10), capped by the scale-up limit 2 × 4
    assert.equal(held.ableToScale.reason, 'ScaleDownStabilized');
    now += 301_000;
    const down = n.normalize({ key: 'k', minReplicas: 2, maxReplicas: 20, currentReplicas: 4, desiredReplicas: 1 });
    assert.equal(down.replicas, 2);
    assert.deepEqual([down.ableToScale.reason, down.scalingLimited.reason], ['ReadyForNewScale', 'TooFewReplicas']);
  });

  it('with the default behavior: scale-up by max(4 pods, 100%) per 15 s, counting earlier scale events', () => {
    let now = t0;
    const n = new ReplicaNormalizer(300_000, () => now);
    const behavior = behaviorDefaults();
    const first = n.normalize({ key: 'k', behavior, minReplicas: 1, maxReplicas: 100, currentReplicas: 10, desiredReplicas: 50 });
    assert.equal(first.replicas, 20); // 100% of 10 beats 4 pods
    n.recordScale('k', behavior, 10, 20);
    now += 5_000;
    const second = n.normalize({ key: 'k', behavior, minReplicas: 1, maxReplicas: 100, currentReplicas: 20, desiredReplicas: 50 });
    assert.equal(second.replicas, 20); // the period started at 10: the limit is still 20
    assert.equal(second.scalingLimited.reason, 'ScaleUpLimit');
    now += 11_000;
    assert.equal(n.normalize({ key: 'k', behavior, minReplicas: 1, maxReplicas: 100, currentReplicas: 20, desiredReplicas: 50 }).replicas, 40);
  });

  it('selectPolicy Min picks the smallest change, Disabled none', () => {
    const now = t0;
    const n = new ReplicaNormalizer(0, () => now);
    const min = { ...behaviorDefaults(), scaleUp: { ...behaviorDefaults().scaleUp, selectPolicy: 'Min' as const } };
    assert.equal(n.normalize({ key: 'a', behavior: min, minReplicas: 1, maxReplicas: 100, currentReplicas: 10, desiredReplicas: 50 }).replicas, 14);
    const disabled = { ...behaviorDefaults(), scaleDown: { selectPolicy: 'Disabled' as const, stabilizationWindowSeconds: 0 } };
    assert.equal(n.normalize({ key: 'b', behavior: disabled, minReplicas: 1, maxReplicas: 100, currentReplicas: 10, desiredReplicas: 2 }).replicas, 10);
  });

  it('a scaleDown Pods policy removes at most that many pods per period; the scaleUp window holds the lowest recommendation', () => {
    let now = t0;
    const n = new ReplicaNormalizer(0, () => now);
    const behavior = {
      scaleUp: { stabilizationWindowSeconds: 60, selectPolicy: 'Max' as const, policies: [{ type: 'Pods' as const, value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max' as const, policies: [{ type: 'Pods' as const, value: 2, periodSeconds: 60 }] },
    };
    const down = n.normalize({ key: 'k', behavior, minReplicas: 1, maxReplicas: 100, currentReplicas: 10, desiredReplicas: 3 });
    assert.deepEqual([down.replicas, down.scalingLimited.reason], [8, 'ScaleDownLimit']);
    n.recordScale('k', behavior, 10, 8);
    now += 10_000;
    // Up to 20 now, but 3 was recommended 10 s ago, within the 60 s scale-up window: stay.
    const up = n.normalize({ key: 'k', behavior, minReplicas: 1, maxReplicas: 100, currentReplicas: 8, desiredReplicas: 20 });
    assert.deepEqual([up.replicas, up.ableToScale.reason], [8, 'ScaleUpStabilized']);
  });
});

const workload = (name: string, cpuUsage: string, requests = '\n          resources: { requests: { cpu: 100m } }') => `
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: ${name} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} }, annotations: { kubelite.dev/cpu-usage: ${cpuUsage} } }
    spec:
      containers:
        - name: c
          image: nginx${requests}
`;

const hpa = (name: string) => `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: ${name} }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: ReplicaSet, name: ${name} }
  minReplicas: 1
  maxReplicas: 5
  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } } }]
`;

describe('horizontal pod autoscaler controller', { timeout: hangGuard(50_000) }, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      nodes: 2, scheduler: true,
      controllers: {
        controllers: ['replicaset', 'horizontalpodautoscaling'],
        horizontalPodAutoscalerSyncPeriodSeconds: 0.5,
        horizontalPodAutoscalerDownscaleStabilizationSeconds: 3,
        horizontalPodAutoscalerCpuInitializationPeriodSeconds: 0,
        horizontalPodAutoscalerInitialReadinessDelaySeconds: 0,
      },
    });
  });

  after(async () => {
    await server?.stop();
  });

  const getJson = <T = KubeObject>(path: string) => server.getJson<T>(path);
  const getHpa = (name: string) => getJson(`/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/${name}`);
  const condition = (obj: KubeObject, type: string) => obj.status?.conditions?.find((c: { type: string }) => c.type === type);
  async function events(reason: string, name: string): Promise<string[]> {
    const list = await getJson<{ items: { reason?: string; message?: string; involvedObject?: { kind?: string; name?: string }; source?: { component?: string } }[] }>('/api/v1/namespaces/default/events');
    return list.items.filter((e) => e.reason === reason && e.involvedObject?.kind === 'HorizontalPodAutoscaler' && e.involvedObject.name === name)
      .map((e) => `${e.source?.component}: ${e.message}`);
  }

  it('scales a ReplicaSet up from its pods\' usage, stops at maxReplicas, and back down after the stabilization window', async () => {
    assert.equal((await server.kubectl(['create', '-f', '-'], { input: workload('web', '200m') })).code, 0);
    // kubectl autoscale creates through autoscaling/v1 (stored as v2, as kube does).
    const autoscale = await server.kubectl(['autoscale', 'rs', 'web', '--cpu-percent=50', '--min=1', '--max=5']);
    assert.equal(autoscale.stdout, 'horizontalpodautoscaler.autoscaling/web autoscaled\n', autoscale.stderr);

    // 200% of request against a 50% target: ×4, to 4 (the scale-up limit), then to 5 (maxReplicas).
    const limited = await until('the HPA at maxReplicas', async () => {
      const h = await getHpa('web');
      return h.status?.currentReplicas === 5 && condition(h, 'ScalingLimited')?.status === 'True' && h;
    }, 30_000);
    assert.equal(condition(limited, 'ScalingLimited').reason, 'TooManyReplicas');
    assert.equal(condition(limited, 'ScalingLimited').message, 'the desired replica count is more than the maximum replica count');
    assert.equal(condition(limited, 'ScalingActive').reason, 'ValidMetricFound');
    assert.equal(condition(limited, 'ScalingActive').message, 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)');
    assert.equal(limited.status.desiredReplicas, 5);
    assert.ok(limited.status.lastScaleTime);
    assert.deepEqual(limited.status.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 200, averageValue: '200m' } } }]);
    const rescales = await until('rescale events', async () => {
      const e = await events('SuccessfulRescale', 'web');
      return e.length >= 2 && e;
    });
    assert.ok(rescales.includes('horizontal-pod-autoscaler: New size: 4; reason: cpu resource utilization (percentage of request) above target'), rescales.join('\n'));
    const v1 = await getJson('/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web');
    assert.deepEqual([v1.spec.targetCPUUtilizationPercentage, v1.status.currentCPUUtilizationPercentage, v1.status.currentReplicas], [50, 200, 5]);
    assert.equal(JSON.parse(v1.metadata.annotations?.['autoscaling.alpha.kubernetes.io/conditions'] ?? '[]').length, 3);
    const rs = await getJson('/apis/apps/v1/namespaces/default/replicasets/web');
    assert.equal(rs.spec.replicas, 5);

    const table = await server.kubectl(['get', 'hpa', 'web']);
    assert.match(table.stdout, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\n/);
    assert.match(table.stdout, /\nweb\s+ReplicaSet\/web\s+cpu: 200%\/50%\s+1\s+5\s+5\s+\d+s\n/);

    // Usage drops to 10% everywhere: after the (3 s) downscale stabilization window, down to minReplicas.
    assert.equal((await server.kubectl(['patch', 'rs', 'web', '--type=merge', '-p', '{"spec":{"template":{"metadata":{"annotations":{"kubelite.dev/cpu-usage":"10m"}}}}}'])).code, 0);
    assert.equal((await server.kubectl(['annotate', 'pods', '-l', 'app=web', '--overwrite', 'kubelite.dev/cpu-usage=10m'])).code, 0);
    const down = await until('the scale-down', async () => {
      const h = await getHpa('web');
      return h.status?.currentReplicas === 1 && h;
    }, 30_000);
    assert.equal(down.status.desiredReplicas, 1);
    const downEvents = await events('SuccessfulRescale', 'web');
    assert.ok(downEvents.includes('horizontal-pod-autoscaler: New size: 1; reason: All metrics below target'), downEvents.join('\n'));
  });

  it('reports pods without cpu requests as kube does', async () => {
    assert.equal((await server.kubectl(['create', '-f', '-'], { input: workload('norequests', '50m', '') })).code, 0);
    assert.equal((await server.kubectl(['create', '-f', '-'], { input: hpa('norequests') })).code, 0);
    // Until its pod runs there are no metrics at all; then the missing request is the problem.
    const h = await until('ScalingActive=False for the missing request', async () => {
      const obj = await getHpa('norequests');
      return condition(obj, 'ScalingActive')?.status === 'False' && /missing request/.test(condition(obj, 'ScalingActive').message) && obj;
    }, 20_000);
    const active = condition(h, 'ScalingActive');
    assert.equal(active.reason, 'FailedGetResourceMetric');
    assert.match(active.message, /^the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container c of Pod norequests-[a-z0-9]+$/);
    assert.equal(condition(h, 'AbleToScale').reason, 'SucceededGetScale');
    assert.deepEqual(h.status.currentMetrics, [{ type: '' }]);
    const table = await server.kubectl(['get', 'hpa', 'norequests']);
    assert.match(table.stdout, /cpu: <unknown>\/50%/);
  });
});
