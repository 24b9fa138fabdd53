// The ClusterRole aggregation controller as a client of an API server that does no
// aggregation of its own (the in-memory fake), so the rules it writes can only be its work:
// an aggregated role gets the union of the selected roles' rules in name order, each rule
// once, and follows their changes and deletions. Then kubelite's admin/edit/view through kubectl.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient, resources } from '../src/client/index.ts';
import { FakeApiServer } from '../src/client/testing/fake-apiserver.ts';
import { clusterRoleAggregationController, type ClusterRole } from '../src/controllers/clusterrole-aggregation.ts';
import { startControllerManager, type RunningControllerManager } from '../src/controllers/manager.ts';
import { createLogger } from '../src/log.ts';
import { startTestServer } from './support/server.ts';
import { until, hangGuard } from './support/wait.ts';

const role = (name: string, extra: Partial<ClusterRole>): ClusterRole => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, ...extra });

describe('clusterrole aggregation controller against a plain API server', { timeout: hangGuard(30_000) }, () => {
  let fake: FakeApiServer;
  let client: ApiClient;
  let manager: RunningControllerManager;
  before(async () => {
    fake = await new FakeApiServer().start();
    client = new ApiClient({ server: fake.url, namespace: 'default' }, { qps: 0 });
    manager = await startControllerManager({ client, log: createLogger('error'), definitions: [clusterRoleAggregationController] });
  });
  after(async () => {
    await manager?.stop();
    client?.close();
    await fake?.stop();
  });
  const rulesOf = async (name: string) => (await client.get(resources.clusterRoles, name) as ClusterRole).rules ?? [];

  it('fills, follows and shrinks the aggregated rules', async () => {
    const pods = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] };
    const secrets = { verbs: ['get'], apiGroups: [''], resources: ['secrets'] };
    await client.create(resources.clusterRoles, role('b-secrets', { metadata: { name: 'b-secrets', labels: { aggregate: 'yes' } }, rules: [secrets, pods] }));
    await client.create(resources.clusterRoles, role('a-pods', { metadata: { name: 'a-pods', labels: { aggregate: 'yes' } }, rules: [pods] }));
    await client.create(resources.clusterRoles, role('other', { metadata: { name: 'other' }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] }));
    await client.create(resources.clusterRoles, role('aggregate', { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { aggregate: 'yes' } }] } }));
    await until('pods then secrets', async () => JSON.stringify(await rulesOf('aggregate')) === JSON.stringify([pods, secrets]));

    const nodes = { verbs: ['watch'], apiGroups: [''], resources: ['nodes'] };
    await client.patch(resources.clusterRoles, 'a-pods', 'merge', { rules: [pods, nodes] });
    await until('a new rule followed', async () => JSON.stringify(await rulesOf('aggregate')) === JSON.stringify([pods, nodes, secrets]));

    await client.delete(resources.clusterRoles, 'b-secrets');
    await until('a deleted role\'s rules gone', async () => JSON.stringify(await rulesOf('aggregate')) === JSON.stringify([pods, nodes]));
  });
});

describe('clusterrole aggregation on kubelite', { timeout: hangGuard(30_000) }, () => {
  it('gives admin, edit and view their rules, and extends view with a labelled role', async () => {
    const server = await startTestServer({ controllers: { controllers: ['clusterrole-aggregation-controller'] } });
    try {
      const created = await server.kubectl(['create', 'clusterrole', 'widgets-view', '--verb=get,list', '--resource=configmaps']);
      assert.equal(created.code, 0, created.stderr);
      const labelled = await server.kubectl(['label', 'clusterrole', 'widgets-view', 'rbac.authorization.k8s.io/aggregate-to-view=true']);
      assert.equal(labelled.code, 0, labelled.stderr);
      await until('view includes the new rule', async () => {
        const view = await server.getJson<ClusterRole>('/apis/rbac.authorization.k8s.io/v1/clusterroles/view');
        return view.rules?.some((r) => r.resources?.includes('configmaps') && r.verbs.includes('list') && r.verbs.length === 2);
      });
      for (const name of ['admin', 'edit']) {
        const got = await server.getJson<ClusterRole>(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`);
        assert.ok((got.rules ?? []).length > 5, `${name} has rules`);
      }
    } finally {
      await server.stop();
    }
  });
});
