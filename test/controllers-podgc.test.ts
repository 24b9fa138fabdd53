// The pod garbage collector through kubectl: terminated pods beyond the threshold are
// collected oldest first, and pods of a node that does not exist are marked Failed with
// kube's DisruptionTarget condition and deleted, while pods of a node that exists stay.
// No kubelet or scheduler runs, so pod phases are only what the test writes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until, hangGuard } from './support/wait.ts';

const pod = (name: string, nodeName?: string) => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default, labels: { test: podgc } }
spec:
  ${nodeName ? `nodeName: ${nodeName}` : ''}
  containers: [{ name: c, image: busybox }]
`;

describe('pod garbage collector', { timeout: hangGuard(60_000) }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      controllers: { controllers: ['pod-garbage-collector-controller'], terminatedPodGCThreshold: 2, podGCPeriodSeconds: 0.2, podGCOrphanQuarantineSeconds: 0.5 },
    });
  });
  after(async () => {
    await server?.stop();
  });

  const podNames = async () => {
    const list = await server.getJson<{ items: KubeObject[] }>('/api/v1/namespaces/default/pods?labelSelector=test%3Dpodgc');
    return list.items.map((p) => p.metadata.name!).sort();
  };

  it('keeps only the newest terminated pods beyond --terminated-pod-gc-threshold', async () => {
    for (const name of ['done-1', 'done-2', 'done-3', 'done-4', 'pending']) {
      const created = await server.kubectl(['create', '-f', '-'], { input: pod(name) });
      assert.equal(created.code, 0, created.stderr);
      // Distinct creation seconds, so "oldest" is well defined.
      if (name !== 'pending') await until(`a new second after ${name}`, async () => Math.floor(Date.now() / 1000) > Math.floor(Date.parse((await server.getJson(`/api/v1/namespaces/default/pods/${name}`)).metadata.creationTimestamp!) / 1000));
    }
    for (const [name, phase] of [['done-1', 'Succeeded'], ['done-2', 'Failed'], ['done-3', 'Succeeded'], ['done-4', 'Failed']]) {
      const patched = await server.kubectl(['patch', 'pod', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase } })]);
      assert.equal(patched.code, 0, patched.stderr);
    }
    await until('the two oldest terminated pods collected', async () => JSON.stringify(await podNames()) === JSON.stringify(['done-3', 'done-4', 'pending']));
  });

  it('collects the pods of a node that no longer exists, and only those', async () => {
    const node = await server.kubectl(['create', '-f', '-'], { input: 'apiVersion: v1\nkind: Node\nmetadata: { name: real }\n' });
    assert.equal(node.code, 0, node.stderr);
    // Watch the orphan from before it exists: its last states are Failed with DisruptionTarget, then gone.
    const abort = new AbortController();
    const res = await server.request('/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3Don-ghost', { signal: abort.signal });
    const events: { type: string; object: KubeObject }[] = [];
    const watched = (async () => {
      let buffer = '';
      try {
        for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
          buffer += chunk;
          for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
            events.push(JSON.parse(buffer.slice(0, nl)));
            buffer = buffer.slice(nl + 1);
          }
        }
      } catch { /* aborted */ }
    })();
    for (const [name, nodeName] of [['on-ghost', 'ghost'], ['on-real', 'real']]) {
      const created = await server.kubectl(['create', '-f', '-'], { input: pod(name, nodeName) });
      assert.equal(created.code, 0, created.stderr);
    }
    await until('on-ghost deleted, as the watch saw', async () => events.at(-1)?.type === 'DELETED');
    abort.abort();
    await watched;
    const failed = events.find((e) => e.object.status?.phase === 'Failed');
    assert.ok(failed, `no Failed state among ${events.map((e) => e.type).join(',')}`);
    const condition = failed.object.status.conditions.find((c: { type: string }) => c.type === 'DisruptionTarget');
    assert.deepEqual([condition.status, condition.reason, condition.message], ['True', 'DeletionByPodGC', 'PodGC: node no longer exists']);
    assert.equal(events.at(-1)?.type, 'DELETED');
    assert.ok((await podNames()).includes('on-real'));
  });
});
