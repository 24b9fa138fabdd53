// The REST API over plain HTTP, as curl users see it: bodies in JSON and YAML, every bad
// input answered with a 4xx Status, and the server still up afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './support/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

const cmPath = '/api/v1/namespaces/default/configmaps';

async function post(path: string, body: string, contentType = 'application/json', accept = 'application/json') {
  const res = await server.request(path, { method: 'POST', body, headers: { 'Content-Type': contentType, Accept: accept } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text(), headers: res.headers };
}

function status(text: string) {
  const s = JSON.parse(text);
  assert.equal(s.kind, 'Status');
  assert.equal(s.apiVersion, 'v1');
  assert.equal(s.status, 'Failure');
  return s;
}

describe('HTTP API', () => {
  it('creates and gets with a JSON body', async () => {
    const res = await post(cmPath, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'json-cm' }, data: { a: '1' } }));
    assert.equal(res.status, 201);
    const created = JSON.parse(res.text);
    assert.equal(created.metadata.name, 'json-cm');
    assert.match(created.metadata.resourceVersion, /^\d+$/);
    const got = await (await server.request(`${cmPath}/json-cm`)).json() as any;
    assert.deepEqual(got.data, { a: '1' });
    assert.equal(got.metadata.uid, created.metadata.uid);
  });

  it('creates with a YAML body and answers in YAML when asked', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yaml-cm\ndata:\n  greeting: hello\n';
    const res = await post(cmPath, yaml, 'application/yaml', 'application/yaml');
    assert.equal(res.status, 201);
    assert.match(res.type, /^application\/yaml/);
    assert.match(res.text, /greeting: hello/);
    const got = await server.request(`${cmPath}/yaml-cm`, { headers: { Accept: 'application/yaml' } });
    assert.match(await got.text(), /^apiVersion: v1\n/);
  });

  it('generateName gives a unique name', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
    const a = JSON.parse((await post(cmPath, body)).text);
    const b = JSON.parse((await post(cmPath, body)).text);
    assert.match(a.metadata.name, /^gen-[a-z0-9]{5}$/);
    assert.notEqual(a.metadata.name, b.metadata.name);
  });

  it('a malformed body is a 400 BadRequest', async () => {
    const res = await post(cmPath, '{"apiVersion": "v1", "kind": ');
    assert.equal(res.status, 400);
    assert.equal(status(res.text).reason, 'BadRequest');
    const yaml = await post(cmPath, 'metadata: [unclosed', 'application/yaml');
    assert.equal(yaml.status, 400);
  });

  it('an invalid name is a 422 Invalid naming the field', async () => {
    const res = await post(cmPath, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Valid' } }));
    assert.equal(res.status, 422);
    const s = status(res.text);
    assert.equal(s.reason, 'Invalid');
    assert.equal(s.details.kind, 'ConfigMap');
    assert.equal(s.details.causes[0].field, 'metadata.name');
    assert.equal(s.details.causes[0].reason, 'FieldValueInvalid');
  });

  it('a body of the wrong kind is a 400', async () => {
    const res = await post(cmPath, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }));
    assert.equal(res.status, 400);
    assert.equal(status(res.text).reason, 'BadRequest');
  });

  it('an unknown resource is a 404', async () => {
    const res = await post('/api/v1/namespaces/default/widgets', '{}');
    assert.equal(res.status, 404);
    assert.equal(status(res.text).reason, 'NotFound');
    const group = await server.request('/apis/example.com/v1/widgets');
    assert.equal(group.status, 404);
  });

  it('a missing namespace is a 404 for the namespace', async () => {
    const res = await post('/api/v1/namespaces/ghost/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }));
    assert.equal(res.status, 404);
    const s = status(res.text);
    assert.equal(s.message, 'namespaces "ghost" not found');
    assert.deepEqual(s.details, { name: 'ghost', kind: 'namespaces' });
  });

  it('a 4 MiB body is a 413 and the server stays up', async () => {
    const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'huge' }, data: { blob: 'x'.repeat(4 * 1024 * 1024) } });
    const res = await post(cmPath, big);
    assert.equal(res.status, 413);
    assert.equal(status(res.text).reason, 'RequestEntityTooLarge');
    const health = await server.request('/readyz');
    assert.equal(await health.text(), 'ok');
    assert.equal((await server.request(`${cmPath}/huge`)).status, 404);
  });

  it('an unsupported content type is a 415', async () => {
    const res = await post(cmPath, 'x', 'text/plain');
    assert.equal(res.status, 415);
    assert.equal(status(res.text).reason, 'UnsupportedMediaType');
  });

  it('a stale update is a 409 Conflict; a duplicate create is 409 AlreadyExists', async () => {
    const created = JSON.parse((await post(cmPath, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cas' }, data: { v: '1' } }))).text);
    const put = (data: Record<string, string>) => server.request(`${cmPath}/cas`, {
      method: 'PUT', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...created, data }),
    });
    assert.equal((await put({ v: '2' })).status, 200);
    const stale = await put({ v: '3' });
    assert.equal(stale.status, 409);
    assert.equal(status(await stale.text()).reason, 'Conflict');
    const dup = await post(cmPath, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cas' } }));
    assert.equal(dup.status, 409);
    assert.equal(status(dup.text).reason, 'AlreadyExists');
  });

  it('JSON patch and merge patch; a failed JSON patch test leaves the object alone', async () => {
    await post(cmPath, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'patchme' }, data: { a: '1', b: '2' } }));
    const merge = await server.request(`${cmPath}/patchme`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ data: { a: null, c: '3' } }),
    });
    assert.equal(merge.status, 200);
    assert.deepEqual(((await merge.json()) as any).data, { b: '2', c: '3' });
    const json = await server.request(`${cmPath}/patchme`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/json-patch+json' }, body: JSON.stringify([{ op: 'replace', path: '/data/b', value: 'two' }]),
    });
    assert.deepEqual(((await json.json()) as any).data, { b: 'two', c: '3' });
    const failing = await server.request(`${cmPath}/patchme`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'test', path: '/data/b', value: 'nope' }, { op: 'remove', path: '/data/b' }]),
    });
    assert.ok(failing.status >= 400 && failing.status < 500);
    const now = await (await server.request(`${cmPath}/patchme`)).json() as any;
    assert.deepEqual(now.data, { b: 'two', c: '3' });
  });

  it('dryRun=All validates without writing', async () => {
    const res = await post(`${cmPath}?dryRun=All`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } }));
    assert.equal(res.status, 201);
    assert.equal((await server.request(`${cmPath}/dry`)).status, 404);
  });

  it('finalizers hold a deleted object until removed', async () => {
    await post(cmPath, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } }));
    const del = await server.request(`${cmPath}/held`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    const marked = await (await server.request(`${cmPath}/held`)).json() as any;
    assert.ok(marked.metadata.deletionTimestamp);
    const release = await server.request(`${cmPath}/held`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { finalizers: null } }),
    });
    assert.equal(release.status, 200);
    assert.equal((await server.request(`${cmPath}/held`)).status, 404);
  });

  it('delete preconditions are checked', async () => {
    const created = JSON.parse((await post(cmPath, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pre' } }))).text);
    const wrong = await server.request(`${cmPath}/pre`, {
      method: 'DELETE', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-the-uid' } }),
    });
    assert.equal(wrong.status, 409);
    const right = await server.request(`${cmPath}/pre`, {
      method: 'DELETE', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: created.metadata.uid } }),
    });
    assert.equal(right.status, 200);
    const body = await right.json() as any;
    assert.equal(body.status, 'Success');
    assert.equal(body.details.uid, created.metadata.uid);
  });

  it('a terminating namespace refuses new objects with 403', async () => {
    await post('/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'leaving' } }));
    const del = await server.request('/api/v1/namespaces/leaving', { method: 'DELETE' });
    assert.equal(del.status, 200);
    const ns = await (await server.request('/api/v1/namespaces/leaving')).json() as any;
    assert.equal(ns.status.phase, 'Terminating');
    const res = await post('/api/v1/namespaces/leaving/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } }));
    assert.equal(res.status, 403);
    const s = status(res.text);
    assert.equal(s.reason, 'Forbidden');
    assert.match(s.message, /unable to create new content in namespace leaving because it is being terminated/);
  });

  it('status subresource changes only status; the main resource ignores status', async () => {
    const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'st' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
    const path = '/apis/apps/v1/namespaces/default/deployments';
    const created = JSON.parse((await post(path, JSON.stringify(deploy))).text);
    const viaMain = await server.request(`${path}/st`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...created, status: { replicas: 7 } }) });
    assert.equal(viaMain.status, 200);
    assert.equal(((await viaMain.json()) as any).status?.replicas, undefined);
    const current = await (await server.request(`${path}/st`)).json() as any;
    const viaStatus = await server.request(`${path}/st/status`, {
      method: 'PUT', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...current, spec: { ...current.spec, replicas: 9 }, status: { replicas: 7 } }),
    });
    assert.equal(viaStatus.status, 200);
    const after = await viaStatus.json() as any;
    assert.equal(after.status.replicas, 7);
    assert.equal(after.spec.replicas, 1);
    assert.equal(after.metadata.generation, 1);
  });

  it('scale subresource reads and writes replicas', async () => {
    const path = '/apis/apps/v1/namespaces/default/deployments/st/scale';
    const scale = await (await server.request(path)).json() as any;
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.equal(scale.spec.replicas, 1);
    const res = await server.request(path, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"spec":{"replicas":5}}' });
    assert.equal(res.status, 200);
    const d = await (await server.request('/apis/apps/v1/namespaces/default/deployments/st')).json() as any;
    assert.equal(d.spec.replicas, 5);
    assert.equal(d.metadata.generation, 2);
  });

  it('lists paginate as one snapshot and an expired token is a 410', async () => {
    await post('/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pages' } }));
    for (let i = 0; i < 5; i++) await post('/api/v1/namespaces/pages/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `p${i}` } }));
    const first = await (await server.request('/api/v1/namespaces/pages/configmaps?limit=2')).json() as any;
    assert.equal(first.items.length, 2);
    assert.ok(first.metadata.continue);
    assert.equal(first.metadata.remainingItemCount, 3);
    // A write between pages does not show up in the rest of this list.
    await post('/api/v1/namespaces/pages/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p9' } }));
    const second = await (await server.request(`/api/v1/namespaces/pages/configmaps?limit=10&continue=${encodeURIComponent(first.metadata.continue)}`)).json() as any;
    assert.deepEqual(second.items.map((i: any) => i.metadata.name), ['p2', 'p3', 'p4']);
    assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
    // Once history before the token's revision is compacted away, the token has expired.
    await server.registry.storage.compact(server.registry.storage.revision);
    const bogus = await server.request(`/api/v1/namespaces/pages/configmaps?limit=1&continue=${encodeURIComponent(first.metadata.continue)}`);
    assert.equal(bogus.status, 410);
    assert.equal(status(await bogus.text()).reason, 'Expired');
  });

  it('Table and PartialObjectMetadata views', async () => {
    const table = await (await server.request('/api/v1/namespaces/pages/configmaps', {
      headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
    })).json() as any;
    assert.equal(table.kind, 'Table');
    assert.deepEqual(table.columnDefinitions.map((c: any) => c.name), ['Name', 'Data', 'Age']);
    assert.equal(table.rows[0].object.kind, 'PartialObjectMetadata');
    const partial = await (await server.request('/api/v1/namespaces/pages/configmaps', {
      headers: { Accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' },
    })).json() as any;
    assert.equal(partial.kind, 'PartialObjectMetadataList');
    assert.equal(partial.items[0].metadata.namespace, 'pages');
    assert.equal(partial.items[0].data, undefined);
    const refused = await server.request('/api/v1/namespaces/pages/configmaps', { headers: { Accept: 'application/vnd.kubernetes.protobuf' } });
    assert.equal(refused.status, 406);
  });

  it('discovery: version, aggregated v2, legacy lists', async () => {
    const version = await (await server.request('/version')).json() as any;
    assert.equal(version.major, '1');
    assert.equal(version.minor, '32');
    const agg = await server.request('/apis', { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } });
    assert.equal(agg.headers.get('content-type'), 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const doc = await agg.json() as any;
    const apps = doc.items.find((i: any) => i.metadata.name === 'apps');
    const deployments = apps.versions[0].resources.find((r: any) => r.resource === 'deployments');
    assert.deepEqual(deployments.shortNames, ['deploy']);
    assert.deepEqual(deployments.subresources.map((s: any) => s.subresource).sort(), ['scale', 'status']);
    const legacy = await (await server.request('/apis/apps/v1')).json() as any;
    assert.ok(legacy.resources.some((r: any) => r.name === 'deployments/scale' && r.kind === 'Scale' && r.group === 'autoscaling'));
  });
});

describe('pod subresources', () => {
  const pods = '/api/v1/namespaces/default/pods';
  const podBody = (name: string, labels: Record<string, string> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

  it('binding assigns a node once, with PodScheduled=True', async () => {
    assert.equal((await post(pods, podBody('bind-me'))).status, 201);
    const binding = (node: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bind-me' }, target: { apiVersion: 'v1', kind: 'Node', name: node } });
    const res = await post(`${pods}/bind-me/binding`, binding('node-a'));
    assert.equal(res.status, 201);
    assert.equal(JSON.parse(res.text).status, 'Success');
    const pod = await (await server.request(`${pods}/bind-me`)).json() as any;
    assert.equal(pod.spec.nodeName, 'node-a');
    assert.equal(pod.status.conditions.find((c: any) => c.type === 'PodScheduled').status, 'True');
    const again = await post(`${pods}/bind-me/binding`, binding('node-b'));
    assert.equal(again.status, 409);
    assert.equal(status(again.text).message, 'Operation cannot be fulfilled on pods/binding "bind-me": pod bind-me is already assigned to node "node-a"');
    assert.equal((await server.request(`${pods}/bind-me/binding`)).status, 405);
  });

  it('eviction deletes a pod unless its disruption budget forbids it', async () => {
    assert.equal((await post(pods, podBody('evict-me', { app: 'guarded' }))).status, 201);
    await server.request(`${pods}/evict-me/status`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: '{"status":{"phase":"Running"}}' });
    const pdbPath = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';
    await post(pdbPath, JSON.stringify({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guard' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } }));
    const eviction = JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evict-me' } });
    const refused = await post(`${pods}/evict-me/eviction`, eviction);
    assert.equal(refused.status, 429);
    assert.equal(status(refused.text).reason, 'TooManyRequests');
    assert.equal((await server.request(`${pods}/evict-me`)).status, 200);
    await server.request(`${pdbPath}/guard/status`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ status: { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 } }),
    });
    const allowed = await post(`${pods}/evict-me/eviction`, eviction);
    assert.equal(allowed.status, 201);
    assert.equal((await server.request(`${pods}/evict-me`)).status, 404);
    const pdb = await (await server.request(`${pdbPath}/guard`)).json() as any;
    assert.equal(pdb.status.disruptionsAllowed, 0);
  });
});

describe('namespace finalize', () => {
  it('a terminating namespace goes once /finalize empties spec.finalizers', async () => {
    await post('/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fin' } }));
    assert.equal((await server.request('/api/v1/namespaces/fin', { method: 'DELETE' })).status, 200);
    const ns = await (await server.request('/api/v1/namespaces/fin')).json() as any;
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
    // A status update does not finish the deletion.
    const st = await server.request('/api/v1/namespaces/fin/status', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(ns) });
    assert.equal(st.status, 200);
    const res = await server.request('/api/v1/namespaces/fin/finalize', {
      method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...ns, spec: { finalizers: [] } }),
    });
    assert.equal(res.status, 200);
    assert.equal((await server.request('/api/v1/namespaces/fin')).status, 404);
  });
});
