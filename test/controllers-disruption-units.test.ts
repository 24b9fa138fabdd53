// The disruption controller's arithmetic, as kube's disruption.go: expected and desired
// counts for each kind of budget, the fail-safe when a pod's controller is unknown, and the
// disruptedPods map (kept within DeletionTimeout, dropped once the pod goes or it expired).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  computeStatus, countHealthy, deletionTimeoutMs, expectedAndDesired, failSafeStatus, liveDisruptedPods, scaledValue,
  type PodDisruptionBudget,
} from '../src/controllers/disruption/status.ts';
import type { Pod } from '../src/api/core-v1.ts';

const pod = (name: string, ready = true, deleting = false): Pod => ({
  metadata: { name, namespace: 'default', ...(deleting && { deletionTimestamp: '2026-01-01T00:00:00Z' }) },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const pdb = (spec: PodDisruptionBudget['spec'], status?: PodDisruptionBudget['status']): PodDisruptionBudget => ({ metadata: { name: 'b', generation: 2 }, spec, status });
const scaleOf = () => ({ uid: 'rs-1', replicas: 5 });

describe('disruption status', () => {
  it('scales percentages up, as GetScaledValueFromIntOrPercent(roundUp=true)', () => {
    assert.equal(scaledValue('50%', 3), 2);
    assert.equal(scaledValue('10%', 5), 1);
    assert.equal(scaledValue(2, 100), 2);
    assert.throws(() => scaledValue('x%', 3));
  });

  it('measures integer minAvailable by the pods, the rest by the controllers\' scale', () => {
    const pods = [pod('a'), pod('b'), pod('c')];
    assert.deepEqual(expectedAndDesired(pdb({ minAvailable: 2 }), pods, scaleOf), { expected: 3, desired: 2 });
    assert.deepEqual(expectedAndDesired(pdb({ minAvailable: '60%' }), pods, scaleOf), { expected: 5, desired: 3 });
    assert.deepEqual(expectedAndDesired(pdb({ maxUnavailable: 1 }), pods, scaleOf), { expected: 5, desired: 4 });
    assert.deepEqual(expectedAndDesired(pdb({ maxUnavailable: '100%' }), pods, scaleOf), { expected: 5, desired: 0 });
  });

  it('allows healthy minus desired, never below zero, with kube\'s condition', () => {
    const status = computeStatus(pdb({ maxUnavailable: 1 }), { expected: 5, desired: 4, healthy: 5, disrupted: {} }, Date.now());
    assert.equal(status.disruptionsAllowed, 1);
    assert.equal(status.observedGeneration, 2);
    assert.deepEqual(status.conditions?.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'True', 'SufficientPods']]);
    const none = computeStatus(pdb({ minAvailable: 3 }), { expected: 3, desired: 3, healthy: 2, disrupted: {} }, Date.now());
    assert.equal(none.disruptionsAllowed, 0);
    assert.equal(none.conditions?.[0].reason, 'InsufficientPods');
  });

  it('fails safe with SyncFailed when a controller is unknown', () => {
    const status = failSafeStatus(pdb({ maxUnavailable: 1 }, { disruptionsAllowed: 2, currentHealthy: 3, desiredHealthy: 1, expectedPods: 3 }), new Error('found no controllers for pod "a"'), Date.now());
    assert.equal(status.disruptionsAllowed, 0);
    assert.equal(status.currentHealthy, 3);
    assert.deepEqual(status.conditions?.map((c) => [c.status, c.reason, c.message]), [['False', 'SyncFailed', 'found no controllers for pod "a"']]);
  });

  it('keeps a disrupted pod out of the healthy count until it goes or DeletionTimeout passes', () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    const recent = new Date(now - 30_000).toISOString();
    const stale = new Date(now - deletionTimeoutMs - 1000).toISOString();
    const pods = [pod('a'), pod('b'), pod('c', true, true), pod('d', false)];
    const budget = pdb({ minAvailable: 1 }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 1, expectedPods: 4, disruptedPods: { a: recent, b: stale, c: recent, gone: recent } });
    const { disrupted, recheckAt } = liveDisruptedPods(budget, pods, now);
    assert.deepEqual(disrupted, { a: recent }); // b expired, c is being deleted, gone is gone
    assert.equal(recheckAt, Date.parse(recent) + deletionTimeoutMs);
    assert.equal(countHealthy(pods, disrupted), 1); // b only: a disrupted, c deleting, d not ready
  });
});
