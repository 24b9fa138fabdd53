// The deployment controller's pure parts: the pod-template-hash, maxSurge/maxUnavailable
// resolution, how far a new ReplicaSet may grow, proportional scaling (cases of kube's
// sync_test.go TestScale), the revision bookkeeping and the conditions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deploymentTimedOut, newCondition, setCondition } from '../src/controllers/deployment/conditions.ts';
import { canonicalJson, computeHash } from '../src/controllers/deployment/hash.ts';
import { proportionalSizes } from '../src/controllers/deployment/proportion.ts';
import { maxSurge, maxUnavailable, newRSNewReplicas, resolveFenceposts, scaledValue } from '../src/controllers/deployment/replicas.ts';
import { equalIgnoreHash, findNewReplicaSet, setNewReplicaSetAnnotations } from '../src/controllers/deployment/revisions.ts';
import type { Deployment, DeploymentStatus, IntOrString, ReplicaSet } from '../src/controllers/deployment/types.ts';

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } };

function deployment(replicas: number, surge: IntOrString = 0, unavailable: IntOrString = 0, extra: Partial<Deployment['spec']> = {}): Deployment {
  return {
    metadata: { name: 'foo', namespace: 'default', generation: 1 },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } }, ...extra },
  };
}

function rs(name: string, replicas: number, created: string, maxReplicas?: number): ReplicaSet {
  return {
    metadata: { name, uid: name, creationTimestamp: created, annotations: maxReplicas === undefined ? {} : { 'deployment.kubernetes.io/max-replicas': String(maxReplicas) } },
    spec: { replicas, template },
  };
}

describe('pod-template-hash', () => {
  it('is stable, in the safe alphabet, and changes with the template and the collision count', () => {
    const h = computeHash(template);
    assert.equal(computeHash(structuredClone(template)), h);
    assert.match(h, /^[bcdfghjkmnpqrstvwxz2456789]{1,10}$/);
    assert.notEqual(computeHash({ ...template, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } }), h);
    assert.notEqual(computeHash(template, 1), h);
    assert.notEqual(computeHash(template, 1), computeHash(template, 2));
  });

  it('does not depend on key order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } }), '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
    assert.equal(computeHash({ spec: template.spec, metadata: template.metadata }), computeHash(template));
  });

  it('maps each decimal digit through rand.SafeEncodeString (27 letters: no vowels, no look-alikes)', () => {
    assert.match(computeHash(template), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(computeHash(template, 1) === computeHash(template), false, 'the collision count changes the hash');
  });
});

describe('maxSurge and maxUnavailable', () => {
  it('scales percentages: surge rounds up, unavailable rounds down', () => {
    assert.equal(scaledValue('25%', 5, true), 2);
    assert.equal(scaledValue('25%', 5, false), 1);
    assert.equal(scaledValue(3, 5, true), 3);
    assert.deepEqual(resolveFenceposts('25%', '25%', 5), [2, 1]);
    assert.deepEqual(resolveFenceposts('10%', '10%', 3), [1, 0]);
  });

  it('turns two zeros into one unavailable, so a rollout can move', () => {
    assert.deepEqual(resolveFenceposts('0%', '10%', 3), [0, 1]);
    assert.deepEqual(resolveFenceposts(0, 0, 3), [0, 1]);
  });

  it('caps maxUnavailable at replicas, and both are 0 for Recreate', () => {
    assert.equal(maxUnavailable(deployment(2, 0, 5)), 2);
    assert.equal(maxUnavailable(deployment(0, 1, 1)), 0);
    const recreate = deployment(5, '25%', '25%', { strategy: { type: 'Recreate' } });
    assert.equal(maxSurge(recreate), 0);
    assert.equal(maxUnavailable(recreate), 0);
  });

  it('grows the new ReplicaSet up to replicas + maxSurge in all', () => {
    const d = deployment(5, '25%', '25%');
    const old = rs('old', 5, '2024-01-01T00:00:00Z');
    const fresh = rs('new', 0, '2024-01-01T00:01:00Z');
    assert.equal(newRSNewReplicas(d, [old, fresh], fresh), 2);
    assert.equal(newRSNewReplicas(d, [rs('old', 4, '2024-01-01T00:00:00Z'), rs('new', 2, '2024-01-01T00:01:00Z')], rs('new', 2, '')), 3);
    assert.equal(newRSNewReplicas(d, [rs('old', 5, ''), rs('new', 2, '')], rs('new', 2, '')), 2, 'at the cap: no growth');
    assert.equal(newRSNewReplicas(d, [rs('old', 0, ''), rs('new', 4, '')], rs('new', 4, '')), 5, 'never past replicas');
  });
});

describe('proportional scaling (kube TestScale)', () => {
  const older = '2024-01-01T00:00:00Z', old = '2024-01-01T00:01:00Z', newer = '2024-01-01T00:02:00Z';
  const sizes = (d: Deployment, rss: ReplicaSet[]) => Object.fromEntries(proportionalSizes(d, rss).map(({ rs, size }) => [rs.metadata.name, size]));

  it('5 → 10', () => {
    assert.deepEqual(sizes(deployment(10), [rs('foo-v2', 2, newer, 5), rs('foo-v1', 3, old, 5)]), { 'foo-v2': 4, 'foo-v1': 6 });
  });
  it('5 → 3', () => {
    assert.deepEqual(sizes(deployment(3), [rs('foo-v2', 2, newer, 5), rs('foo-v1', 3, old, 5)]), { 'foo-v2': 1, 'foo-v1': 2 });
  });
  it('9 → 4', () => {
    assert.deepEqual(sizes(deployment(4), [rs('foo-v2', 8, newer, 9), rs('foo-v1', 1, old, 9)]), { 'foo-v2': 4, 'foo-v1': 0 });
  });
  it('7 → 10: among equals, the newer grows first', () => {
    assert.deepEqual(sizes(deployment(10), [rs('foo-v3', 2, newer, 7), rs('foo-v2', 3, old, 7), rs('foo-v1', 2, older, 7)]), { 'foo-v3': 3, 'foo-v2': 4, 'foo-v1': 3 });
  });
  it('13 → 8', () => {
    assert.deepEqual(sizes(deployment(8), [rs('foo-v3', 2, newer, 13), rs('foo-v2', 8, old, 13), rs('foo-v1', 3, older, 13)]), { 'foo-v3': 1, 'foo-v2': 5, 'foo-v1': 2 });
  });
  it('to 0: every ReplicaSet goes to 0', () => {
    assert.deepEqual(sizes(deployment(0, 1, 0), [rs('foo-v2', 3, newer, 6), rs('foo-v1', 3, old, 6)]), { 'foo-v2': 0, 'foo-v1': 0 });
  });
  it('with maxSurge: 4+1 → 8+1 is old 4→7, new 1→2', () => {
    assert.deepEqual(sizes(deployment(8, 1, 0), [rs('new', 1, newer, 5), rs('old', 4, old, 5)]), { new: 2, old: 7 });
  });
});

describe('revisions', () => {
  it('finds the new ReplicaSet by template, the hash label aside, oldest first', () => {
    const d = deployment(3);
    const hashed = { ...template, metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } } };
    const a = { ...rs('a', 1, '2024-01-01T00:00:01Z'), spec: { replicas: 1, template: hashed } };
    const b = { ...rs('b', 1, '2024-01-01T00:00:00Z'), spec: { replicas: 1, template: hashed } };
    assert.ok(equalIgnoreHash(hashed, template));
    assert.equal(findNewReplicaSet(d, [a, b])?.metadata.name, 'b');
    assert.equal(findNewReplicaSet({ ...d, spec: { ...d.spec, template: { ...template, spec: { containers: [] } } } }, [a, b]), undefined);
  });

  it('raises the revision of a reused template and keeps the old one in revision-history', () => {
    const d = deployment(3, 1, 0);
    d.metadata.annotations = { 'kubernetes.io/change-cause': 'why', 'deployment.kubernetes.io/revision': '9', 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
    const fresh = rs('new', 0, '');
    assert.equal(setNewReplicaSetAnnotations(d, fresh, 1, false), true);
    assert.deepEqual(fresh.metadata.annotations, {
      'kubernetes.io/change-cause': 'why', 'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
    });
    const reused = rs('reused', 0, '');
    reused.metadata.annotations = { 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/revision-history': '' };
    setNewReplicaSetAnnotations(d, reused, 3, true);
    assert.equal(reused.metadata.annotations['deployment.kubernetes.io/revision'], '3');
    assert.equal(reused.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');
    setNewReplicaSetAnnotations(d, reused, 5, true);
    assert.equal(reused.metadata.annotations['deployment.kubernetes.io/revision-history'], '1,3');
    assert.equal(setNewReplicaSetAnnotations(d, reused, 4, true), false, 'never lowered');
  });
});

describe('conditions', () => {
  it('keeps lastTransitionTime while the status stays, and ignores the same reason', () => {
    const status: DeploymentStatus = {};
    setCondition(status, newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'a', Date.parse('2024-01-01T00:00:00Z')));
    setCondition(status, newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'b', Date.parse('2024-01-01T00:01:00Z')));
    assert.equal(status.conditions![0]!.lastTransitionTime, '2024-01-01T00:00:00Z');
    assert.equal(status.conditions![0]!.lastUpdateTime, '2024-01-01T00:01:00Z');
    setCondition(status, newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'c', Date.parse('2024-01-01T00:02:00Z')));
    assert.equal(status.conditions![0]!.message, 'b');
  });

  it('times out progressDeadlineSeconds after the last progress, never after completion', () => {
    const d = deployment(3, 1, 0, { progressDeadlineSeconds: 10 });
    const at = Date.parse('2024-01-01T00:00:00Z');
    const status: DeploymentStatus = { conditions: [newCondition('Progressing', 'True', 'ReplicaSetUpdated', '', at)] };
    assert.equal(deploymentTimedOut(d, status, at + 10_000), false);
    assert.equal(deploymentTimedOut(d, status, at + 10_001), true);
    const complete: DeploymentStatus = { conditions: [newCondition('Progressing', 'True', 'NewReplicaSetAvailable', '', at)] };
    assert.equal(deploymentTimedOut(d, complete, at + 60_000), false);
  });
});
