// The kubelet's ConfigMap/Secret managers (one watch per referenced object, as kube's Watch
// strategy: no GET per container) and its event recorder (background writes, repeats counted
// on the first event as kube's EventCorrelator does, a bounded queue), against a real server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { ApiClient, resources } from '../src/client/index.ts';
import { ConfigObjects } from '../src/kubelet/config-objects.ts';
import { KubeletEvents } from '../src/kubelet/events.ts';
import { createLogger } from '../src/log.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

/** apiserver_request_total for one verb and resource, summed over codes. */
async function requests(server: TestServer, verb: string, resource: string): Promise<number> {
  const text = await (await server.request('/metrics')).text();
  let n = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('apiserver_request_total{') && line.includes(`verb="${verb}"`) && line.includes(`resource="${resource}"`) && line.includes('subresource=""')) {
      n += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return n;
}

describe('kubelet: ConfigMaps and Secrets through watches, events in the background', () => {
  let server: TestServer;
  let client: ApiClient;

  before(async () => {
    server = await startTestServer();
    client = ApiClient.fromKubeconfig(server.kubeconfigPath, { qps: 0 });
  });

  after(async () => {
    client?.close();
    await server?.stop();
  });

  it('answers many reads of one ConfigMap from one watch, and follows its changes', async () => {
    await client.create(resources.configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { mode: 'fast' } });
    const config = new ConfigObjects(client);
    try {
      const gets = await requests(server, 'GET', 'configmaps');
      const lists = await requests(server, 'LIST', 'configmaps');
      const reads = await Promise.all(Array.from({ length: 50 }, () => config.read('configMaps', 'default', 'settings')));
      for (const data of reads) assert.deepEqual(data, { mode: 'fast' });
      assert.equal(await requests(server, 'GET', 'configmaps'), gets, 'no GET per read');
      assert.equal(await requests(server, 'LIST', 'configmaps') - lists, 1, 'one LIST (then a watch) for the object');

      await client.patch(resources.configMaps, 'settings', 'merge', { data: { mode: 'slow' } }, { namespace: 'default' });
      await until('the change seen through the watch', async () => (await config.read('configMaps', 'default', 'settings'))?.mode === 'slow');
    } finally {
      await config.stop();
    }
  });

  it('reads a missing object as undefined until it is created; decodes Secrets', async () => {
    const config = new ConfigObjects(client);
    try {
      assert.equal(await config.read('secrets', 'default', 'later'), undefined);
      await client.create(resources.secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'later', namespace: 'default' }, data: { password: Buffer.from('s3cret').toString('base64') } });
      const data = await until('the Secret seen through the watch', async () => config.read('secrets', 'default', 'later'));
      assert.deepEqual(data, { password: 's3cret' });
    } finally {
      await config.stop();
    }
  });

  it('writes a pod\'s events in order, in the background, and counts repeats on the first', async () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ev', namespace: 'default', uid: 'uid-ev' } };
    const events = new KubeletEvents({ client, log: createLogger('error') });
    const now = new Date();
    const started = { type: 'Normal' as const, reason: 'Started', message: 'Started container c', fieldPath: 'spec.containers{c}' };
    events.record(pod, 'node-a', [
      { type: 'Normal', reason: 'Pulling', message: 'Pulling image "busybox"', fieldPath: 'spec.containers{c}' },
      { type: 'Normal', reason: 'Created', message: 'Created container: c', fieldPath: 'spec.containers{c}' },
      started,
    ], now);
    await events.idle();
    // The same message about another container is another event (fieldPath is part of the key).
    events.record(pod, 'node-a', [started, started, { ...started, fieldPath: 'spec.containers{d}' }], now);
    await events.idle();
    const list = await client.list(resources.events, { namespace: 'default', fieldSelector: 'involvedObject.name=ev' });
    assert.deepEqual(list.items.map((e) => [e.reason, e.count, (e.involvedObject as any).fieldPath]), [
      ['Pulling', 1, 'spec.containers{c}'], ['Created', 1, 'spec.containers{c}'], ['Started', 3, 'spec.containers{c}'], ['Started', 1, 'spec.containers{d}'],
    ]);
    assert.deepEqual(list.items[0].source, { component: 'kubelet', host: 'node-a' });
  });

  it('drops events beyond its queue, as client-go\'s broadcaster does when full', async () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'burst', namespace: 'default', uid: 'uid-burst' } };
    const warnings: unknown[] = [];
    const events = new KubeletEvents({ client, log: { warn: (obj: unknown) => warnings.push(obj) } as never, concurrency: 1, maxQueued: 5 });
    const many = Array.from({ length: 20 }, (_, i) => ({ type: 'Normal' as const, reason: 'Pulled', message: `pull ${i}` }));
    events.record(pod, 'node-a', many);
    await events.idle();
    const list = await client.list(resources.events, { namespace: 'default', fieldSelector: 'involvedObject.name=burst' });
    // Five waited in the queue; the rest were dropped, with one warning.
    assert.equal(list.items.length, 5);
    assert.equal(warnings.length, 1);
  });
});
