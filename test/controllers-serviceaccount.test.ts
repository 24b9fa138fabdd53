// The ServiceAccounts controller through kubectl: every namespace, those there at start-up
// and new ones, gets a `default` ServiceAccount, and deleting it brings a new one back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';

describe('serviceaccount controller', { timeout: hangGuard(30_000) }, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ controllers: { controllers: ['serviceaccount'] } });
  });

  after(async () => {
    await server?.stop();
  });

  async function defaultAccount(namespace: string): Promise<KubeObject | undefined> {
    const out = await server.kubectl(['get', 'serviceaccount', 'default', '-n', namespace, '-o', 'json']);
    return out.code === 0 ? (JSON.parse(out.stdout) as KubeObject) : undefined;
  }

  it('the namespaces there at start-up each get a default ServiceAccount', async () => {
    const namespaces = await until('default accounts in the system namespaces', async () => {
      const out = await server.kubectl(['get', 'serviceaccounts', '-A', '--field-selector=metadata.name=default', '-o', 'jsonpath={.items[*].metadata.namespace}']);
      const found = out.stdout.split(' ').filter(Boolean).sort();
      return found.length >= 4 && found;
    });
    assert.deepEqual(namespaces, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  });

  it('a new namespace gets a default ServiceAccount', async () => {
    assert.equal((await server.kubectl(['create', 'namespace', 'team-a'])).code, 0);
    const sa = await until('the default ServiceAccount in team-a', () => defaultAccount('team-a'));
    assert.equal(sa.metadata.namespace, 'team-a');
    assert.equal(sa.kind, 'ServiceAccount');
    const shown = await server.kubectl(['get', 'sa', '-n', 'team-a']);
    assert.match(shown.stdout, /^NAME\s+SECRETS\s+AGE\ndefault\s+0\s+\S+\n$/);
  });

  it('a deleted default ServiceAccount is created again', async () => {
    const first = await until('the default ServiceAccount in team-a', () => defaultAccount('team-a'));
    const deleted = await server.kubectl(['delete', 'sa', 'default', '-n', 'team-a']);
    assert.equal(deleted.code, 0, deleted.stderr);
    const again = await until('a new default ServiceAccount', async () => {
      const sa = await defaultAccount('team-a');
      return sa && sa.metadata.uid !== first.metadata.uid && sa;
    });
    assert.ok(again.metadata.creationTimestamp);
  });
});
