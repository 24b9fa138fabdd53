// The controllers' decisions as pure functions, on hand-built objects: which controllers
// run, option checking, toleration arithmetic, zone states, node health bookkeeping, the
// taints that mirror node conditions, and namespace condition merging.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isControllerEnabled, parseOptions } from '../src/controllers/index.ts';
import { mergeConditions } from '../src/controllers/namespace-deleter.ts';
import {
  computeZoneState, observeNode, unknownConditions, wantedNoExecuteTaint, withNoExecuteTaint, withNoScheduleTaints, zoneOf,
} from '../src/controllers/node-health.ts';
import { matchingTolerations, minTolerationMs } from '../src/controllers/taint-eviction.ts';
import type { Node } from '../src/api/core-v1.ts';

const node = (ready?: string, extra: Partial<Node> = {}): Node => ({
  metadata: { name: 'n', creationTimestamp: '2024-01-01T00:00:00Z' },
  ...extra,
  status: ready ? { conditions: [{ type: 'Ready', status: ready, lastHeartbeatTime: 'h1', lastTransitionTime: 't1' } as never] } : {},
});

describe('controller manager options', () => {
  it('selects controllers as --controllers does', () => {
    assert.equal(isControllerEnabled('namespace-controller', ['*']), true);
    assert.equal(isControllerEnabled('namespace-controller', ['*', '-namespace']), false);
    assert.equal(isControllerEnabled('namespace-controller', ['node-lifecycle']), false);
    assert.equal(isControllerEnabled('namespace-controller', ['namespace-controller']), true);
  });

  it('defaults options and rejects wrong ones', () => {
    assert.equal(parseOptions({}).nodeMonitorGracePeriodSeconds, 40);
    assert.equal(parseOptions({ nodeMonitorGracePeriodSeconds: 2 }).nodeMonitorGracePeriodSeconds, 2);
    assert.throws(() => parseOptions({ nodeMonitorGracePeriodSeconds: '40s' }), /nodeMonitorGracePeriodSeconds/);
    assert.throws(() => parseOptions({ controllers: 'namespace' }), /controllers/);
  });
});

describe('taint eviction arithmetic', () => {
  const taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' as const };
  it('matches tolerations per taint and takes the shortest tolerationSeconds', () => {
    assert.deepEqual(matchingTolerations([taint], []), { allTolerated: false, used: [] });
    const { allTolerated, used } = matchingTolerations([taint, { key: 'x', effect: 'NoExecute' }], [
      { key: taint.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { operator: 'Exists', tolerationSeconds: 20 },
    ]);
    assert.equal(allTolerated, true);
    assert.equal(minTolerationMs(used), 20_000);
    assert.equal(minTolerationMs([{ operator: 'Exists' }]), -1, 'forever');
    assert.equal(minTolerationMs([{ operator: 'Exists', tolerationSeconds: -5 }, { operator: 'Exists' }]), 0);
  });
});

describe('node health', () => {
  it('computes zone states as kube does', () => {
    assert.equal(computeZoneState(['True', 'Unknown'], 0.55), 'Normal');
    assert.equal(computeZoneState(['Unknown', undefined], 0.55), 'FullDisruption');
    assert.equal(computeZoneState(['True', 'False', 'False', 'Unknown'], 0.55), 'PartialDisruption');
    assert.equal(computeZoneState(['True', 'True', 'True', 'False', 'False', 'Unknown'], 0.55), 'Normal');
    assert.equal(zoneOf(node(undefined, { metadata: { labels: { 'topology.kubernetes.io/zone': 'a' } } })), ':\u0000:a');
  });

  it('counts a new heartbeat or a renewed lease as a sign of life, nothing else', () => {
    const first = observeNode(undefined, node('True'), undefined, 1000);
    assert.equal(first.probeTimestamp, 1000);
    assert.equal(observeNode(first, node('True'), undefined, 5000).probeTimestamp, 1000, 'same heartbeat');
    const lease = { metadata: { name: 'n' }, spec: { renewTime: '2024-01-01T00:00:01.000000Z' } };
    const renewed = observeNode(first, node('True'), lease, 6000);
    assert.equal(renewed.probeTimestamp, 6000);
    assert.equal(observeNode(renewed, node('True'), lease, 9000).probeTimestamp, 6000, 'same lease');
  });

  it('turns conditions Unknown, adding those never posted', () => {
    const conditions = unknownConditions(node('True'), Date.parse('2024-01-02T00:00:00Z'));
    const ready = conditions.find((c) => c.type === 'Ready')!;
    assert.deepEqual([ready.status, ready.reason, ready.message, ready.lastHeartbeatTime], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.', 'h1']);
    const memory = conditions.find((c) => c.type === 'MemoryPressure')!;
    assert.deepEqual([memory.status, memory.reason, memory.message], ['Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.']);
  });

  it('derives the managed taints from conditions and keeps the others', () => {
    const n = node('False', { spec: { unschedulable: true, taints: [{ key: 'mine', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] } });
    assert.deepEqual(withNoScheduleTaints(n).map((t) => t.key), ['mine', 'node.kubernetes.io/not-ready', 'node.kubernetes.io/unschedulable']);
    assert.equal(wantedNoExecuteTaint(n), 'node.kubernetes.io/not-ready');
    assert.equal(wantedNoExecuteTaint(node('True')), undefined);
    assert.equal(wantedNoExecuteTaint(node()), null, 'no Ready condition yet: leave taints alone');
    const swapped = withNoExecuteTaint([{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }], 'node.kubernetes.io/not-ready', 0);
    assert.deepEqual(swapped.map((t) => [t.key, t.timeAdded]), [['node.kubernetes.io/not-ready', '1970-01-01T00:00:00Z']]);
  });
});

describe('namespace conditions', () => {
  it('keeps lastTransitionTime of an unchanged condition and moves it on change', () => {
    const old = [{ type: 'NamespaceContentRemaining', status: 'True' as const, reason: 'SomeResourcesRemain', message: 'm', lastTransitionTime: 'then' }];
    assert.deepEqual(mergeConditions(old, [{ ...old[0], lastTransitionTime: undefined }]), old);
    const changed = mergeConditions(old, [{ type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'ok' }], 0);
    assert.equal(changed[0].lastTransitionTime, '1970-01-01T00:00:00Z');
  });
});
