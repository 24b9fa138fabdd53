// The worker runtime: the kubelet in a worker thread (tsx registered inside the thread)
// starts against a real server, registers its nodes, serves pods/log and pods/exec through
// its nodes' kubelet API (the API server connects to it), and stops cleanly; a worker that
// cannot start is retried.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ApiClient, resources } from '../src/client/index.ts';
import { createLogger } from '../src/log.ts';
import { startWorker } from '../src/workers/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

describe('worker runtime', () => {
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

  it('runs the kubelet in a worker thread, serves logs and exec through it, and stops cleanly', async () => {
    const worker = await startWorker('kubelet', {
      connection: { kubeconfigPath: server.kubeconfigPath },
      options: { nodes: 2, namePrefix: 'thread-node' },
      log: createLogger('error'),
    });
    const thread = worker.thread;
    assert.ok(thread, 'a worker thread runs');
    const nodes = await client.list(resources.nodes);
    assert.deepEqual(nodes.items.map((n) => n.metadata.name).sort(), ['thread-node-1', 'thread-node-2']);

    await client.create(resources.pods, {
      metadata: { name: 'echo', namespace: 'default' },
      spec: { nodeName: 'thread-node-2', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo one; echo two; sleep infinity'] }] },
    });
    await until('the pod Running', async () => (await client.get(resources.pods, 'echo', { namespace: 'default' })).status?.phase === 'Running');
    const tail = await server.request('/api/v1/namespaces/default/pods/echo/log?container=c&tailLines=1');
    assert.equal(await tail.text(), 'two\n');
    const env = await server.kubectl(['exec', 'echo', '--', 'env']);
    assert.equal(env.code, 0, env.stderr);
    const missing = await server.kubectl(['exec', 'missing', '--', 'true']);
    assert.match(missing.stderr, /pods "missing" not found/);

    // A follow stays open until the client goes away.
    const abort = new AbortController();
    const follow = await server.request('/api/v1/namespaces/default/pods/echo/log?follow=true', { signal: abort.signal });
    let seen = '';
    const decoder = new TextDecoder();
    for await (const chunk of follow.body!) {
      seen += decoder.decode(chunk as Uint8Array);
      if (seen === 'one\ntwo\n') break;
    }
    abort.abort();
    assert.equal(seen, 'one\ntwo\n');

    const exit = new Promise<number>((resolve) => thread.once('exit', resolve));
    await worker.stop();
    assert.equal(await exit, 0, 'the thread exits 0 after a stop message');
    assert.equal(worker.thread, undefined);
    assert.equal(worker.restarts, 0);
  });

  it('restarts a worker that fails to start, with backoff, until stopped', async () => {
    const worker = await startWorker('kubelet', {
      connection: { server: 'http://127.0.0.1:1' }, // nothing listens there
      options: { nodes: 1 },
      log: createLogger('silent'),
      backoff: { initialMs: 50, maxMs: 100 },
      waitForReady: false,
    });
    await until('the worker to be restarted twice', async () => worker.restarts >= 2);
    await worker.stop();
    const restarts = worker.restarts;
    await delay(300);
    assert.equal(worker.restarts, restarts, 'no restart after stop');
  });
});
