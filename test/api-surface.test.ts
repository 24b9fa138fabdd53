// Walks the Kubernetes v1.32 OpenAPI spec: every resource a default kube-apiserver 1.32
// serves (its GA group-versions; no beta API is on by default in 1.32) must be in discovery
// with the spec's verbs, and answer LIST, WATCH and GET as kube does — GET of an object
// created here for the kinds this issue added, else a 404 NotFound Status. Fails for any gap.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './support/server.ts';

interface SpecResource {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  kind: string;
  actions: Set<string>;
}

/** The spec's resources of GA group-versions, with the actions its paths declare. */
function specResources(): SpecResource[] {
  const spec = JSON.parse(readFileSync(new URL('../../shared/kubernetes-openapi/swagger-v1.32.json', import.meta.url), 'utf8'));
  const byKey = new Map<string, SpecResource>();
  const pathRe = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(?:watch\/)?(namespaces\/\{namespace\}\/)?([^/{]+)(\/\{name\})?$/;
  for (const [path, ops] of Object.entries<Record<string, any>>(spec.paths)) {
    const m = pathRe.exec(path);
    if (!m) continue;
    const group = m[1] ? '' : m[2];
    const version = m[1] ?? m[3];
    if (!/^v\d+$/.test(version)) continue;
    const plural = m[5];
    // Namespaces' own collection lives at /api/v1/namespaces, not under a namespace.
    const key = `${group}/${version}/${plural}`;
    for (const op of Object.values(ops)) {
      if (!op || typeof op !== 'object' || !op['x-kubernetes-action']) continue;
      const r = byKey.get(key) ?? { group, version, plural, namespaced: false, kind: op['x-kubernetes-group-version-kind']?.kind ?? '', actions: new Set<string>() };
      if (m[4]) r.namespaced = true;
      r.actions.add(op['x-kubernetes-action']);
      byKey.set(key, r);
    }
  }
  return [...byKey.values()];
}

/** Objects to create for GET, for the kinds issue 15 added (namespaced ones in `default`). */
const fixtures: Record<string, Record<string, unknown>> = {
  'storage.k8s.io/v1/csidrivers': { metadata: { name: 'walk.example.com' }, spec: {} },
  'storage.k8s.io/v1/csinodes': { metadata: { name: 'walk-node' }, spec: { drivers: [] } },
  'storage.k8s.io/v1/csistoragecapacities': { metadata: { name: 'walk' }, storageClassName: 'standard' },
  'storage.k8s.io/v1/volumeattachments': { metadata: { name: 'walk' }, spec: { attacher: 'walk.example.com', nodeName: 'n', source: { persistentVolumeName: 'pv' } } },
  '/v1/podtemplates': { metadata: { name: 'walk' }, template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  'networking.k8s.io/v1/ingressclasses': { metadata: { name: 'walk' }, spec: { controller: 'example.com/ingress' } },
  'node.k8s.io/v1/runtimeclasses': { metadata: { name: 'walk' }, handler: 'runc' },
  'flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations': { metadata: { name: 'walk' }, spec: { type: 'Limited', limited: { limitResponse: { type: 'Reject' } } } },
  'flowcontrol.apiserver.k8s.io/v1/flowschemas': {
    metadata: { name: 'walk' },
    spec: { priorityLevelConfiguration: { name: 'walk' }, rules: [{ subjects: [{ kind: 'Group', group: { name: 'walkers' } }], nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/walk'] }] }] },
  },
  'apiregistration.k8s.io/v1/apiservices': { metadata: { name: 'v1.walk.example.com' }, spec: { group: 'walk.example.com', version: 'v1', groupPriorityMinimum: 1000, versionPriority: 15, service: { namespace: 'default', name: 'walk' } } },
};

let server: TestServer;
const base = (r: SpecResource) => (r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`);
const collection = (r: SpecResource) => `${base(r)}/${r.namespaced ? 'namespaces/default/' : ''}${r.plural}`;

before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.stop();
});

describe('the v1.32 API surface', () => {
  const resources = specResources();

  it('finds the spec\'s GA resources (the walk itself works)', () => {
    assert.ok(resources.length > 50, `only ${resources.length} resources read from the spec`);
    for (const key of ['/v1/pods', 'certificates.k8s.io/v1/certificatesigningrequests', 'storage.k8s.io/v1/csinodes', 'apiregistration.k8s.io/v1/apiservices']) {
      assert.ok(resources.some((r) => `${r.group}/${r.version}/${r.plural}` === key), key);
    }
  });

  it('lists every resource in discovery with the spec\'s verbs and scope', async () => {
    const gaps: string[] = [];
    const lists = new Map<string, any>();
    for (const r of resources) {
      const gv = base(r);
      if (!lists.has(gv)) {
        const res = await server.request(gv);
        lists.set(gv, res.status === 200 ? await res.json() : { resources: [] });
      }
      const found = lists.get(gv).resources.find((x: any) => x.name === r.plural);
      if (!found) {
        gaps.push(`${gv} ${r.plural}: not in discovery`);
        continue;
      }
      const verbs = new Set<string>(found.verbs);
      const want = [...r.actions].map((a) => ({ post: 'create', put: 'update', watchlist: 'watch' } as Record<string, string>)[a] ?? a);
      for (const v of want) if (!verbs.has(v)) gaps.push(`${gv} ${r.plural}: discovery lacks verb ${v}`);
      if (found.namespaced !== r.namespaced) gaps.push(`${gv} ${r.plural}: namespaced ${found.namespaced}, spec says ${r.namespaced}`);
    }
    assert.deepEqual(gaps, []);
  });

  it('answers LIST, WATCH and GET for every resource that has them', async () => {
    const gaps: string[] = [];
    for (const r of resources) {
      const key = `${r.group}/${r.version}/${r.plural}`;
      const url = collection(r);
      if (r.actions.has('list')) {
        const res = await server.request(url);
        if (res.status !== 200) gaps.push(`LIST ${url}: ${res.status}`);
        else if ((await res.json()).kind !== `${r.kind}List`) gaps.push(`LIST ${url}: not a ${r.kind}List`);
      }
      if (r.actions.has('watchlist')) {
        const res = await server.request(`${url}?watch=1&timeoutSeconds=1`);
        await res.text();
        if (res.status !== 200) gaps.push(`WATCH ${url}: ${res.status}`);
      } else if (r.actions.has('list')) {
        // A storage without Watch (componentstatuses): kube's 405.
        const res = await server.request(`${url}?watch=1`);
        const body = await res.json();
        if (res.status !== 405 || body.reason !== 'MethodNotAllowed') gaps.push(`WATCH ${url}: ${res.status} instead of 405`);
      }
      if (r.actions.has('get')) {
        const fixture = fixtures[key];
        if (fixture) {
          const created = await server.request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind, ...fixture }) });
          if (created.status !== 201) gaps.push(`CREATE ${url}: ${created.status} ${await created.text()}`);
          const name = (fixture.metadata as { name: string }).name;
          const got = await server.request(`${url}/${name}`);
          if (got.status !== 200) gaps.push(`GET ${url}/${name}: ${got.status}`);
        } else if (r.plural === 'componentstatuses') {
          const got = await server.request(`${url}/etcd-0`);
          if (got.status !== 200) gaps.push(`GET ${url}/etcd-0: ${got.status}`);
        } else {
          const got = await server.request(`${url}/surface-walk-absent`);
          const body = await got.json();
          if (got.status !== 404 || body.reason !== 'NotFound' || body.kind !== 'Status') gaps.push(`GET ${url}/surface-walk-absent: ${got.status} ${body.reason}`);
        }
      }
    }
    assert.deepEqual(gaps, []);
  });
});

describe('the new kinds through kubectl', () => {
  const ok = async (...args: string[]) => {
    const res = await server.kubectl(args);
    assert.equal(res.code, 0, `kubectl ${args.join(' ')}: ${res.stderr}`);
    return { out: res.stdout, err: res.stderr };
  };
  const table = (out: string) => out.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));

  it('kubectl get cs reports the store Healthy and warns as kube does', async () => {
    const { out, err } = await ok('get', 'cs');
    const rows = table(out);
    assert.deepEqual(rows[0], ['NAME', 'STATUS', 'MESSAGE', 'ERROR']);
    assert.deepEqual(rows.slice(1).map((r) => r[0]), ['scheduler', 'controller-manager', 'etcd-0']);
    assert.deepEqual(rows[3].slice(0, 3), ['etcd-0', 'Healthy', 'ok']);
    // No scheduler runs in this test: no one renews its Lease.
    assert.equal(rows[1][1], 'Unhealthy');
    assert.match(err, /v1 ComponentStatus is deprecated in v1\.19\+/);
  });

  it('kubectl get apiservices lists a Local, Available APIService for each served group-version', async () => {
    const rows = table((await ok('get', 'apiservices')).out);
    assert.deepEqual(rows[0], ['NAME', 'SERVICE', 'AVAILABLE', 'AGE']);
    for (const name of ['v1.', 'v1.apps', 'v2.autoscaling', 'v1.certificates.k8s.io', 'v1.flowcontrol.apiserver.k8s.io', 'v1.apiregistration.k8s.io']) {
      const row = rows.find((r) => r[0] === name);
      assert.ok(row, `${name} missing`);
      assert.deepEqual(row.slice(1, 3), ['Local', 'True']);
    }
  });

  it('serves kube\'s API Priority and Fairness bootstrap objects', async () => {
    const pl = table((await ok('get', 'prioritylevelconfigurations')).out);
    assert.deepEqual(pl[0], ['NAME', 'TYPE', 'NOMINALCONCURRENCYSHARES', 'QUEUES', 'HANDSIZE', 'QUEUELENGTHLIMIT', 'AGE']);
    assert.deepEqual(pl.find((r) => r[0] === 'exempt')?.slice(1, 6), ['Exempt', '<none>', '<none>', '<none>', '<none>']);
    assert.deepEqual(pl.find((r) => r[0] === 'workload-low')?.slice(1, 6), ['Limited', '100', '128', '6', '50']);
    const fs = table((await ok('get', 'flowschemas')).out);
    assert.deepEqual(fs[0], ['NAME', 'PRIORITYLEVEL', 'MATCHINGPRECEDENCE', 'DISTINGUISHERMETHOD', 'AGE', 'MISSINGPL']);
    assert.deepEqual(fs.find((r) => r[0] === 'exempt')?.slice(1, 4), ['exempt', '1', '<none>']);
    assert.equal(fs.find((r) => r[0] === 'catch-all')?.[5], 'False');
    assert.equal(fs.filter((r) => r[0] !== 'walk').length - 1, 13);
  });

  it('kubectl get ingressclass and runtimeclass print kube\'s columns', async () => {
    const ic = table((await ok('get', 'ingressclass')).out);
    assert.deepEqual(ic[0], ['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE']);
    assert.deepEqual(ic.find((r) => r[0] === 'walk')?.slice(1, 3), ['example.com/ingress', '<none>']);
    const rc = table((await ok('get', 'runtimeclass')).out);
    assert.deepEqual(rc.find((r) => r[0] === 'walk')?.slice(0, 2), ['walk', 'runc']);
    const bad = await server.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'bad' }, handler: 'Not_A_Label' }) });
    assert.match(bad.stderr, /handler: Invalid value: "Not_A_Label"/);
  });
});
