// Strategic merge patch as kube-apiserver v1.32 applies it (k8s.io/apimachinery strategicpatch,
// server options), with patch strategies and merge keys from the OpenAPI definitions. Expected
// results are written by hand from the Kubernetes docs ("Update API Objects in Place Using kubectl
// patch"), the strategic-merge-patch design doc and strategicpatch's rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../src/api/errors.ts';
import { applyStrategicMergePatch } from '../src/registry/patch/strategic-merge.ts';

const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';
const POD = 'io.k8s.api.core.v1.Pod';

type Case = [name: string, doc: unknown, patch: unknown, expected: unknown];

function runCases(definition: string, cases: Case[]): void {
  for (const [name, doc, patch, expected] of cases) {
    const before = structuredClone({ doc, patch });
    assert.deepEqual(applyStrategicMergePatch(doc, patch, definition), expected, name);
    assert.deepEqual({ doc, patch }, before, `${name}: inputs unchanged`);
  }
}

function failsWith(fn: () => unknown, code: number, reason: string | undefined, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StatusError, `not a StatusError: ${String(err)}`);
    assert.deepEqual([err.status.code, err.status.reason, err.message], [code, reason, message]);
    return true;
  });
}

/** A pod template in a Deployment, as in the docs' patch-demo. */
function deployment(podSpec: Record<string, unknown>, spec: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'patch-demo' },
    spec: { replicas: 2, ...spec, template: { metadata: { labels: { app: 'nginx' } }, spec: podSpec } },
  };
}

function podSpecPatch(podSpec: Record<string, unknown>): unknown {
  return { spec: { template: { spec: podSpec } } };
}

function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'p' }): unknown {
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

const named = (...names: string[]) => names.map((name) => ({ name, image: name.toLowerCase() }));

test('the kubectl patch docs examples', () => {
  const nginx = { name: 'patch-demo-ctr', image: 'nginx' };
  const redis = { name: 'patch-demo-ctr-2', image: 'redis' };
  const dedicated = { effect: 'NoSchedule', key: 'dedicated', value: 'test-team' };
  const disktype = { effect: 'NoSchedule', key: 'disktype', value: 'ssd' };
  runCases(DEPLOYMENT, [
    ['patch-file-containers: a new container merges by name, the patch item first',
      deployment({ containers: [nginx], tolerations: [dedicated] }),
      podSpecPatch({ containers: [redis] }),
      deployment({ containers: [redis, nginx], tolerations: [dedicated] })],
    ['patch-file-tolerations: tolerations have no patch strategy and are replaced',
      deployment({ containers: [nginx], tolerations: [dedicated] }),
      podSpecPatch({ tolerations: [disktype] }),
      deployment({ containers: [nginx], tolerations: [disktype] })],
    ['patch-file-no-retainkeys: without $retainKeys the strategy merges (validation then rejects it)',
      deployment({ containers: [nginx] }, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '30%' } } }),
      { spec: { strategy: { type: 'Recreate' } } },
      deployment({ containers: [nginx] }, { strategy: { type: 'Recreate', rollingUpdate: { maxSurge: '30%' } } })],
    ['patch-file-retainkeys: only the retained keys of the strategy stay',
      deployment({ containers: [nginx] }, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '30%' } } }),
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      deployment({ containers: [nginx] }, { strategy: { type: 'Recreate' } })],
  ]);
});

test('maps merge; null deletes; $patch on a map', () => {
  runCases(POD, [
    ['labels: null deletes one, a new one is added',
      pod({}, { name: 'p', labels: { app: 'web', tier: 'fe' } }),
      { metadata: { labels: { tier: null, track: 'stable' } } },
      pod({}, { name: 'p', labels: { app: 'web', track: 'stable' } })],
    ['null for a missing key is ignored',
      pod({}, { name: 'p' }), { metadata: { labels: null } }, pod({}, { name: 'p' })],
    ['a map that lands where there was none loses its nulls',
      pod({}, { name: 'p' }), { metadata: { annotations: { a: null, b: 'x' } } }, pod({}, { name: 'p', annotations: { b: 'x' } })],
    ['$patch: replace on a map replaces it',
      pod({}, { name: 'p', labels: { app: 'web', tier: 'fe' } }),
      { metadata: { labels: { $patch: 'replace', only: 'this' } } },
      pod({}, { name: 'p', labels: { only: 'this' } })],
    ['$patch: delete on a map empties it',
      pod({}, { name: 'p', labels: { app: 'web' } }), { metadata: { labels: { $patch: 'delete' } } }, pod({}, { name: 'p', labels: {} })],
    ['$patch: delete on a map the object lacks leaves nothing',
      pod({}, { name: 'p' }), { metadata: { labels: { $patch: 'delete' } } }, pod({}, { name: 'p' })],
    ['a scalar replaces a map (types differ)',
      pod({ nodeSelector: { a: 'b' } }), { spec: { nodeSelector: 'x' } }, pod({ nodeSelector: 'x' })],
    ['fields the schema does not know merge as plain maps, their lists are replaced',
      pod({ x: { a: 1, l: [1, 2] } }), { spec: { x: { b: 2, l: [3] } } }, pod({ x: { a: 1, b: 2, l: [3] } })],
  ]);
});

test('containers merge by name', () => {
  runCases(POD, [
    ['an image change merges into the named container',
      pod({ containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }, { name: 'log', image: 'busybox' }] }),
      { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
      pod({ containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }, { name: 'log', image: 'busybox' }] })],
    ['$patch: delete removes the named container',
      pod({ containers: named('A', 'B', 'C') }),
      { spec: { containers: [{ name: 'B', $patch: 'delete' }] } },
      pod({ containers: named('A', 'C') })],
    ['{"$patch": "replace"} replaces the whole list with the other elements',
      pod({ containers: named('A', 'B') }),
      { spec: { containers: [{ name: 'C', image: 'c' }, { $patch: 'replace' }] } },
      pod({ containers: named('C') })],
    ['the patch items keep their order; server-only items follow the live order',
      pod({ containers: named('A', 'B', 'C') }),
      { spec: { containers: [{ name: 'C', image: 'c2' }, { name: 'A', image: 'a2' }] } },
      pod({ containers: [{ name: 'B', image: 'b' }, { name: 'C', image: 'c2' }, { name: 'A', image: 'a2' }] })],
    ['ports merge by containerPort',
      pod({ containers: [{ name: 'web', ports: [{ containerPort: 80, protocol: 'TCP' }] }] }),
      { spec: { containers: [{ name: 'web', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] }] } },
      pod({ containers: [{ name: 'web', ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443 }] }] })],
    ['a new port comes before the server-only ones',
      pod({ containers: [{ name: 'web', ports: [{ containerPort: 80 }] }] }),
      { spec: { containers: [{ name: 'web', ports: [{ containerPort: 443 }] }] } },
      pod({ containers: [{ name: 'web', ports: [{ containerPort: 443 }, { containerPort: 80 }] }] })],
    ['env: $patch: delete removes a variable by name',
      pod({ containers: [{ name: 'web', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] }),
      { spec: { containers: [{ name: 'web', env: [{ name: 'A', $patch: 'delete' }] }] } },
      pod({ containers: [{ name: 'web', env: [{ name: 'B', value: '2' }] }] })],
    ['an empty merge list changes nothing',
      pod({ containers: named('A') }), { spec: { containers: [] } }, pod({ containers: named('A') })],
    ['null deletes a merge list',
      pod({ containers: named('A'), initContainers: named('I') }), { spec: { initContainers: null } }, pod({ containers: named('A') })],
    ['volumes: $retainKeys in an element switches the volume source',
      pod({ volumes: [{ name: 'data', emptyDir: {} }] }),
      { spec: { volumes: [{ name: 'data', $retainKeys: ['hostPath', 'name'], hostPath: { path: '/x' } }] } },
      pod({ volumes: [{ name: 'data', hostPath: { path: '/x' } }] })],
  ]);
});

test('$setElementOrder', () => {
  runCases(POD, [
    ['reorders a list the patch does not otherwise change',
      pod({ containers: named('A', 'B') }),
      { spec: { '$setElementOrder/containers': [{ name: 'B' }, { name: 'A' }] } },
      pod({ containers: named('B', 'A') })],
    ['server-only items keep their place relative to the live order',
      pod({ containers: named('A', 'S', 'B') }),
      { spec: { '$setElementOrder/containers': [{ name: 'B' }, { name: 'A' }] } },
      pod({ containers: named('S', 'B', 'A') })],
    ['with changes, additions and deletions (as kubectl apply sends them)',
      pod({ containers: named('A', 'S', 'B') }),
      { spec: { '$setElementOrder/containers': [{ name: 'B' }, { name: 'D' }], containers: [{ name: 'D', image: 'd' }, { name: 'A', $patch: 'delete' }] } },
      pod({ containers: named('S', 'B', 'D') })],
    // strategicpatch deletes in place and appends into the freed room, which the live list's
    // slice then sees: D is compared as if it stood where the deleted A's slot moved to.
    ['a server-only item ordered against an added one in a deleted item\'s slot (Go slice aliasing)',
      pod({ containers: named('A', 'B', 'S') }),
      { spec: { '$setElementOrder/containers': [{ name: 'B' }, { name: 'D' }], containers: [{ name: 'D', image: 'd' }, { name: 'A', $patch: 'delete' }] } },
      pod({ containers: named('B', 'S', 'D') })],
    ['of a primitive list',
      pod({}, { name: 'p', finalizers: ['a', 'b', 'c'] }),
      { metadata: { '$setElementOrder/finalizers': ['c', 'a'] } },
      pod({}, { name: 'p', finalizers: ['b', 'c', 'a'] })],
    ['of a list the object lacks: the patch list without directives',
      pod({}),
      { spec: { '$setElementOrder/containers': [{ name: 'B' }, { name: 'A' }], containers: [{ name: 'B', image: 'b' }, { $patch: 'x' }, { name: 'A', image: 'a' }] } },
      pod({ containers: named('B', 'A') })],
  ]);
});

test('lists of primitives with the merge strategy (finalizers)', () => {
  const withFinalizers = (finalizers: string[]) => pod({}, { name: 'p', finalizers });
  runCases(POD, [
    ['union, the patch items first unless the live order says otherwise',
      withFinalizers(['a', 'b']), { metadata: { finalizers: ['c', 'a'] } }, withFinalizers(['c', 'a', 'b'])],
    ['union without duplicates',
      withFinalizers(['a', 'b']), { metadata: { finalizers: ['b', 'c'] } }, withFinalizers(['a', 'b', 'c'])],
    ['$deleteFromPrimitiveList removes values',
      withFinalizers(['a', 'b', 'c']), { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'x'] } }, withFinalizers(['a', 'c'])],
    ['$deleteFromPrimitiveList and an addition together',
      withFinalizers(['x', 'y']), { metadata: { finalizers: ['z'], '$deleteFromPrimitiveList/finalizers': ['x'] } }, withFinalizers(['z', 'y'])],
    ['$deleteFromPrimitiveList of a missing list does nothing',
      pod({}, { name: 'p' }), { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, pod({}, { name: 'p' })],
    ['a list with no strategy (args) is replaced',
      pod({ containers: [{ name: 'a', args: ['1', '2'] }] }), { spec: { containers: [{ name: 'a', args: ['3'] }] } },
      pod({ containers: [{ name: 'a', args: ['3'] }] })],
  ]);
});

test('patch strategy replace on a map (PodDisruptionBudget spec.selector)', () => {
  runCases('io.k8s.api.policy.v1.PodDisruptionBudget', [
    ['the selector is replaced, not merged',
      { spec: { selector: { matchLabels: { a: '1' } }, minAvailable: 1 } },
      { spec: { selector: { matchLabels: { b: '2' } } } },
      { spec: { selector: { matchLabels: { b: '2' } }, minAvailable: 1 } }],
  ]);
});

test('what kubectl apply sends when a manifest changes', () => {
  // Manifest: image nginx:1.25 → nginx:1.27, the sidecar container removed, Recreate strategy.
  const live = deployment(
    { containers: [{ name: 'web', image: 'nginx:1.25' }, { name: 'sidecar', image: 'envoy' }, { name: 'injected', image: 'mesh' }] },
    { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } },
  );
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Deployment"}\n' } },
    spec: {
      strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' },
      template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ image: 'nginx:1.27', name: 'web' }, { $patch: 'delete', name: 'sidecar' }] } },
    },
  };
  runCases(DEPLOYMENT, [['apply', live, patch, {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'patch-demo', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"kind":"Deployment"}\n' } },
    spec: {
      replicas: 2, strategy: { type: 'Recreate' },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'injected', image: 'mesh' }] } },
    },
  }]]);
});

test('errors as kube-apiserver answers them', () => {
  const apply = (doc: unknown, patch: unknown) => () => applyStrategicMergePatch(doc, patch, POD);
  const live = pod({ containers: named('A') });
  // Plain strategicpatch errors (a 500 in kube) are the patch's fault: 400 BadRequest with kube's text (issue 16).
  failsWith(apply(live, { spec: { containers: [{ image: 'redis' }] } }), 400, 'BadRequest',
    'map: map[image:redis] does not contain declared merge key: name');
  failsWith(apply(live, { spec: { containers: [{ $patch: 'delete', image: 'x' }] } }), 400, 'BadRequest',
    'map: map[$patch:delete image:x] does not contain declared merge key: name');
  failsWith(apply(pod({ containers: [{ name: 'a', ports: [{ containerPort: 80 }] }] }),
    { spec: { containers: [{ name: 'a', ports: [{ hostPort: 8080, protocol: 'UDP' }] }] } }), 400, 'BadRequest',
  'map: map[hostPort:8080 protocol:UDP] does not contain declared merge key: containerPort');
  failsWith(apply(live, { spec: { containers: [{ name: 'A', $patch: 'merge' }] } }), 400, 'BadRequest',
    'merging lists cannot yet be specified in the patch');
  failsWith(apply(live, { spec: { $patch: 'bogus', a: 1 } }), 400, 'BadRequest',
    'unknown patch type: bogus in map: map[$patch:bogus a:1]');
  failsWith(apply(live, { spec: { '$setElementOrder/containers': [{ name: 'A' }], containers: [{ name: 'B' }] } }), 400, 'BadRequest',
    'The order in patch list:\n[map[name:B]]\n doesn\'t match $setElementOrder list:\n[map[name:A]]\n');
  failsWith(apply(pod({}, { name: 'p', finalizers: ['a'] }), { metadata: { finalizers: [1] } }), 400, 'BadRequest',
    'list element types are not identical: [[a] [1]]');
  // The mergepatch sentinels: 400, and lists of lists a bare 422.
  failsWith(apply(live, { spec: { $retainKeys: 'containers' } }), 400, 'BadRequest', 'invalid patch format of retainKeys');
  failsWith(apply(live, { spec: { $retainKeys: ['volumes'], containers: [] } }), 400, 'BadRequest', 'invalid patch format of retainKeys');
  failsWith(apply(live, { metadata: { $deleteFromPrimitiveList: ['a'] } }), 400, 'BadRequest', 'invalid patch format of primitive list');
  failsWith(apply(live, { spec: { '$setElementOrderX/containers': [] } }), 400, 'BadRequest', 'invalid patch format of setElementOrder list');
  failsWith(apply(pod({}, { name: 'p', finalizers: ['a'] }), { metadata: { finalizers: [['b']] } }), 400, 'BadRequest',
    'list element types are not identical: [[a] [[b]]]');
  failsWith(apply(pod({}, { name: 'p', finalizers: [] }), { metadata: { finalizers: [['b']] } }), 422, 'Invalid',
    'the server rejected our request due to an error in our request');
  failsWith(apply(pod({}, { name: 'p', finalizers: [] }), { metadata: { '$setElementOrder/finalizers': [], finalizers: [] } }), 400, 'BadRequest',
    'no elements in any of the given slices');
  // The patch must decode as a JSON object.
  failsWith(apply(live, []), 400, 'BadRequest', 'json: cannot unmarshal array into Go value of type map[string]interface {}');
  failsWith(apply(live, 'x'), 400, 'BadRequest', 'json: cannot unmarshal string into Go value of type map[string]interface {}');
  assert.deepEqual(applyStrategicMergePatch(live, null, POD), live);
});

test('a plain strategicpatch error is a 400 Status with its text, never a 5xx', () => {
  assert.throws(() => applyStrategicMergePatch(pod({ containers: named('A') }), { spec: { containers: [{}] } }, POD), (err: unknown) => {
    assert.ok(err instanceof StatusError);
    assert.deepEqual(JSON.parse(JSON.stringify(err.status)), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 400, reason: 'BadRequest',
      message: 'map: map[] does not contain declared merge key: name',
    });
    return true;
  });
});

test('__proto__ stays data and the inputs are not touched', () => {
  const patch = JSON.parse('{"metadata":{"labels":{"__proto__":{"polluted":"yes"},"a":"1"}}}') as unknown;
  const doc = pod({}, { name: 'p', labels: { b: '2' } });
  const out = applyStrategicMergePatch(doc, patch, POD) as { metadata: { labels: Record<string, unknown> } };
  assert.ok(Object.prototype.hasOwnProperty.call(out.metadata.labels, '__proto__'));
  assert.equal(Object.getPrototypeOf(out.metadata.labels), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(doc, pod({}, { name: 'p', labels: { b: '2' } }));
});
