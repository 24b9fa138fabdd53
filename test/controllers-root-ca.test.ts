// The root CA publisher: every namespace gets `kube-root-ca.crt` with the cluster CA, and
// gets it back when it is changed or deleted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';

describe('root-ca-certificate-publisher-controller', { timeout: hangGuard(60_000) }, () => {
  let server: TestServer;
  before(async () => { server = await startTestServer({ controllers: { controllers: ['root-ca-certificate-publisher'] } }); });
  after(async () => { await server?.stop(); });

  const caOf = async (ns: string) => {
    const res = await server.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', ns, '-o', 'jsonpath={.data.ca\\.crt}']);
    return res.code === 0 && res.stdout ? res.stdout : undefined;
  };

  it('publishes the cluster CA in every namespace, and restores it', async () => {
    assert.equal((await until('kube-system to get the CA', () => caOf('kube-system'))).trim(), server.caCert.trim());
    assert.equal((await server.kubectl(['create', 'namespace', 'team-a'])).code, 0);
    assert.equal((await until('team-a to get the CA', () => caOf('team-a'))).trim(), server.caCert.trim());
    await server.kubectl(['patch', 'configmap', 'kube-root-ca.crt', '-n', 'team-a', '--type=merge', '-p', '{"data":{"ca.crt":"tampered"}}']);
    await until('the CA to be restored', async () => ((await caOf('team-a'))?.trim() === server.caCert.trim() ? true : undefined));
    assert.equal((await server.kubectl(['delete', 'configmap', 'kube-root-ca.crt', '-n', 'team-a'])).code, 0);
    await until('the CA to be published again', async () => ((await caOf('team-a'))?.trim() === server.caCert.trim() ? true : undefined));
  });
});
