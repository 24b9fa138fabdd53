// The Job and TTL-after-finished controllers end to end: kubectl and a watch against a kubelite
// server with simulated kubelets and the scheduler. Pods run the shell scripts of their
// commands (`sh -c "sleep 1; exit 0"`), so success and failure come from the kubelet's stages.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { ApiClient, resources } from '../src/client/index.ts';
import { controllerDefinitions } from '../src/controllers/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';

const backoffSeconds = 2;

function jobYaml(name: string, spec: string, script = 'sleep 1; exit 0', restartPolicy = 'Never'): string {
  return `
apiVersion: batch/v1
kind: Job
metadata: { name: ${name}, namespace: default }
spec:
${spec.trim().split('\n').map((l) => `  ${l.trim()}`).join('\n')}
  template:
    spec:
      restartPolicy: ${restartPolicy}
      containers: [{ name: main, image: busybox, command: [sh, -c, '${script}'] }]
`;
}

describe('job controller', { timeout: hangGuard(55_000), concurrency: true }, () => {
  let server: TestServer;
  let client: ApiClient;
  // The garbage collector, once it exists, lets the TTL test see the pods go with their Job.
  const gc = controllerDefinitions.find((d) => d.name === 'garbage-collector-controller')?.name;

  before(async () => {
    server = await startTestServer({
      nodes: 3, scheduler: true,
      controllers: {
        controllers: ['job-controller', 'ttl-after-finished-controller', ...(gc ? [gc] : [])],
        jobPodFailureBackoffSeconds: backoffSeconds, jobSyncBatchPeriodSeconds: 0.05,
      },
    });
    client = ApiClient.fromKubeconfig(server.kubeconfigPath, { qps: 0 });
  });

  after(async () => {
    client?.close();
    await server?.stop();
  });

  const getJson = <T = KubeObject>(path: string) => server.getJson<T>(path);
  const getJob = (name: string) => getJson(`/apis/batch/v1/namespaces/default/jobs/${name}`);
  const podsOf = async (name: string) =>
    (await getJson<{ items: KubeObject[] }>(`/api/v1/namespaces/default/pods?labelSelector=batch.kubernetes.io%2Fjob-name%3D${name}`)).items;
  const condition = (job: KubeObject, type: string) => job.status?.conditions?.find((c: { type: string }) => c.type === type);
  async function events(name: string, reason?: string): Promise<{ reason: string; message: string; type: string }[]> {
    const list = await getJson<{ items: { reason: string; message: string; type: string; involvedObject: { kind: string; name: string } }[] }>('/api/v1/namespaces/default/events');
    return list.items.filter((e) => e.involvedObject.kind === 'Job' && e.involvedObject.name === name && (!reason || e.reason === reason));
  }
  async function apply(yaml: string): Promise<void> {
    const r = await server.kubectl(['apply', '-f', '-'], { input: yaml });
    assert.equal(r.code, 0, r.stderr);
  }

  it('runs completions 5 with parallelism 2: never more than 2 active, then Complete', async () => {
    const active = new Map<string, boolean>();
    let maxActive = 0;
    const watch = await client.watch(resources.pods, { namespace: 'default', labelSelector: 'batch.kubernetes.io/job-name=five' }, (e) => {
      const pod = e.object as KubeObject;
      const live = e.type !== 'DELETED' && !pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
      active.set(pod.metadata.uid!, live);
      maxActive = Math.max(maxActive, [...active.values()].filter(Boolean).length);
    });
    try {
      await apply(jobYaml('five', 'completions: 5\nparallelism: 2', 'sleep 1; exit 0'));
      const wait = await server.kubectl(['wait', '--for=condition=complete', 'job/five', '--timeout=45s']);
      assert.equal(wait.code, 0, wait.stderr);
      assert.equal(wait.stdout.trim(), 'job.batch/five condition met');
    } finally {
      watch.stop();
    }
    assert.equal(maxActive, 2, 'at most (and at some point exactly) 2 pods active at once');
    const job = await getJob('five');
    assert.equal(job.status.succeeded, 5);
    assert.equal(job.status.active, undefined);
    assert.equal(job.status.ready, 0);
    assert.equal(job.status.terminating, 0);
    assert.deepEqual(job.status.uncountedTerminatedPods, {});
    assert.ok(job.status.startTime && job.status.completionTime);
    assert.deepEqual(job.status.conditions.map((c: { type: string; reason: string; message: string }) => [c.type, c.reason, c.message]), [
      ['SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'],
      ['Complete', 'CompletionsReached', 'Reached expected number of succeeded pods'],
    ]);
    const pods = await podsOf('five');
    assert.equal(pods.length, 5);
    for (const pod of pods) {
      assert.equal(pod.status.phase, 'Succeeded');
      assert.deepEqual(pod.metadata.finalizers ?? [], [], 'the tracking finalizer is removed');
      assert.deepEqual(pod.metadata.ownerReferences?.map((o) => [o.apiVersion, o.kind, o.name, o.controller, o.blockOwnerDeletion]), [['batch/v1', 'Job', 'five', true, true]]);
      assert.equal(pod.metadata.labels?.['batch.kubernetes.io/controller-uid'], job.metadata.uid);
    }
    const created = (await events('five', 'SuccessfulCreate')).map((e) => e.message).sort();
    assert.deepEqual(created, pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
    await until('the Completed event', async () => (await events('five', 'Completed')).some((e) => e.message === 'Job completed' && e.type === 'Normal'));
    const table = await server.kubectl(['get', 'job', 'five']);
    assert.match(table.stdout, /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\nfive\s+Complete\s+5\/5\s+\d+s\s+\d+s\n$/);
  });

  it('stops at backoffLimit with BackoffLimitExceeded, retries spaced by the backoff', async () => {
    // The server's own times (to the second), not when this watch happened to see them: under
    // load an event may arrive late, which would shorten a gap measured here.
    const seen = new Map<string, { added: number; failedAt?: number }>();
    const watch = await client.watch(resources.pods, { namespace: 'default', labelSelector: 'batch.kubernetes.io/job-name=flaky' }, (e) => {
      const pod = e.object as KubeObject;
      const uid = pod.metadata.uid!;
      if (!seen.has(uid)) seen.set(uid, { added: Date.parse(pod.metadata.creationTimestamp!) });
      const s = seen.get(uid)!;
      const finishedAt = pod.status?.containerStatuses?.[0]?.state?.terminated?.finishedAt;
      if (pod.status?.phase === 'Failed' && s.failedAt === undefined && finishedAt) s.failedAt = Date.parse(finishedAt);
    });
    try {
      await apply(jobYaml('flaky', 'backoffLimit: 2', 'exit 3'));
      const job = await until('Failed', async () => {
        const job = await getJob('flaky');
        return condition(job, 'Failed') && job;
      }, 45_000);
      assert.equal(job.status.failed, 3, 'backoffLimit 2: the third failure fails the Job');
      assert.equal(job.status.succeeded, undefined);
      assert.equal(job.status.active, undefined);
      assert.equal(job.status.completionTime, undefined);
      const failed = condition(job, 'Failed');
      assert.deepEqual([failed.status, failed.reason, failed.message], ['True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit']);
      assert.equal(condition(job, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
      const pods = await podsOf('flaky');
      assert.equal(pods.length, 3);
      for (const pod of pods) {
        assert.equal(pod.status.phase, 'Failed');
        assert.equal(pod.status.containerStatuses[0].state.terminated.exitCode, 3);
      }
      await until('the BackoffLimitExceeded event', async () => (await events('flaky', 'BackoffLimitExceeded'))
        .some((e) => e.type === 'Warning' && e.message === 'Job has reached the specified backoff limit'));
      const table = await server.kubectl(['get', 'job', 'flaky', '--no-headers']);
      assert.match(table.stdout, /^flaky\s+Failed\s+0\/1\s/);
    } finally {
      watch.stop();
    }
    // Each replacement waits base·2^(failures−1) after the last failure (2 s, then 4 s), counted
    // from the container's finishedAt. Both it and the replacement's creationTimestamp are whole
    // seconds, so the replacement is created at least the backoff after the failure, exactly.
    const order = [...seen.values()].sort((a, b) => a.added - b.added);
    assert.equal(order.length, 3);
    const gap1 = order[1].added - order[0].failedAt!;
    const gap2 = order[2].added - order[1].failedAt!;
    assert.ok(gap1 >= backoffSeconds * 1000, `first retry after ${gap1} ms`);
    assert.ok(gap2 >= backoffSeconds * 2000, `second retry after ${gap2} ms (first ${gap1} ms)`);
  });

  it('gives an Indexed Job\'s pods their completion indexes', async () => {
    await apply(jobYaml('indexed', 'completions: 3\nparallelism: 3\ncompletionMode: Indexed', 'sleep 1; exit 0'));
    const job = await until('Complete', async () => {
      const job = await getJob('indexed');
      return condition(job, 'Complete') && job;
    }, 30_000);
    assert.equal(job.status.completedIndexes, '0-2');
    assert.equal(job.status.succeeded, 3);
    const pods = (await podsOf('indexed')).sort((a, b) => a.metadata.annotations!['batch.kubernetes.io/job-completion-index'].localeCompare(b.metadata.annotations!['batch.kubernetes.io/job-completion-index']));
    assert.deepEqual(pods.map((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']), ['0', '1', '2']);
    assert.deepEqual(pods.map((p) => p.metadata.labels?.['batch.kubernetes.io/job-completion-index']), ['0', '1', '2']);
    assert.deepEqual(pods.map((p) => p.spec.hostname), ['indexed-0', 'indexed-1', 'indexed-2']);
    pods.forEach((p, i) => assert.match(p.metadata.name!, new RegExp(`^indexed-${i}-[a-z0-9]{5}$`)));
    assert.deepEqual(pods[0].spec.containers[0].env, [
      { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } } },
    ]);
  });

  it('suspends (no pods, Suspended) and resumes (pods, startTime, Suspended=False)', async () => {
    await apply(jobYaml('paused', 'suspend: true\nparallelism: 2\ncompletions: 2', 'sleep 20'));
    const suspended = await until('Suspended', async () => {
      const job = await getJob('paused');
      return condition(job, 'Suspended')?.status === 'True' && job;
    });
    assert.deepEqual([condition(suspended, 'Suspended').reason, condition(suspended, 'Suspended').message], ['JobSuspended', 'Job suspended']);
    assert.equal(suspended.status.startTime, undefined, 'a Job created suspended has not started');
    assert.equal((await podsOf('paused')).length, 0);
    assert.match((await server.kubectl(['get', 'job', 'paused', '--no-headers'])).stdout, /^paused\s+Suspended\s+0\/2\s/);

    assert.equal((await server.kubectl(['patch', 'job', 'paused', '--type=merge', '-p', '{"spec":{"suspend":false}}'])).code, 0);
    const resumed = await until('two running pods', async () => {
      const job = await getJob('paused');
      return job.status.active === 2 && condition(job, 'Suspended')?.status === 'False' && job;
    });
    assert.deepEqual([condition(resumed, 'Suspended').reason, condition(resumed, 'Suspended').message], ['JobResumed', 'Job resumed']);
    assert.ok(resumed.status.startTime);
    await until('Suspended and Resumed events', async () => (await events('paused', 'Suspended')).length === 1 && (await events('paused', 'Resumed')).length === 1);

    // Suspending a running Job deletes its active pods.
    assert.equal((await server.kubectl(['patch', 'job', 'paused', '--type=merge', '-p', '{"spec":{"suspend":true}}'])).code, 0);
    await until('active pods gone', async () => {
      const job = await getJob('paused');
      const live = (await podsOf('paused')).filter((p) => !p.metadata.deletionTimestamp);
      return job.status.active === undefined && live.length === 0 && condition(job, 'Suspended')?.status === 'True';
    }, 20_000);
    assert.equal((await events('paused', 'SuccessfulDelete')).length, 2);
  });

  it('fails a Job past activeDeadlineSeconds with DeadlineExceeded', async () => {
    await apply(jobYaml('slow', 'activeDeadlineSeconds: 2', 'sleep 60'));
    const job = await until('Failed', async () => {
      const job = await getJob('slow');
      return condition(job, 'Failed') && job;
    }, 30_000);
    assert.deepEqual([condition(job, 'Failed').reason, condition(job, 'Failed').message], ['DeadlineExceeded', 'Job was active longer than specified deadline']);
    assert.equal(job.status.failed, 1, 'the running pod counts as failed');
    assert.equal(job.status.active, undefined);
    assert.equal((await podsOf('slow')).filter((p) => !p.metadata.deletionTimestamp && p.status.phase === 'Running').length, 0);
    await until('the DeadlineExceeded event', async () => (await events('slow', 'DeadlineExceeded')).length === 1);
  });

  it('fails a Job at once on a podFailurePolicy FailJob exit code', async () => {
    await apply(jobYaml('strict', `backoffLimit: 6
      podFailurePolicy: { rules: [{ action: FailJob, onExitCodes: { containerName: main, operator: In, values: [42] } }] }`, 'exit 42'));
    const job = await until('Failed', async () => {
      const job = await getJob('strict');
      return condition(job, 'Failed') && job;
    }, 30_000);
    const [pod] = await podsOf('strict');
    const message = `Container main for pod default/${pod.metadata.name} failed with exit code 42 matching FailJob rule at index 0`;
    assert.deepEqual([condition(job, 'FailureTarget').reason, condition(job, 'FailureTarget').message], ['PodFailurePolicy', message]);
    assert.deepEqual([condition(job, 'Failed').reason, condition(job, 'Failed').message], ['PodFailurePolicy', message]);
    assert.equal(job.status.failed, 1, 'no retry despite backoffLimit 6');
    assert.equal((await podsOf('strict')).length, 1);
  });

  it('deletes a finished Job ttlSecondsAfterFinished after it finished', async () => {
    await apply(jobYaml('brief', 'ttlSecondsAfterFinished: 1', 'exit 0'));
    const job = await until('Complete', async () => {
      const job = await getJob('brief');
      return condition(job, 'Complete') && job;
    }, 30_000);
    const finishedAt = Date.parse(condition(job, 'Complete').lastTransitionTime);
    const deletedAt = await until('the Job deleted', async (): Promise<number | undefined> => {
      const res = await server.request('/apis/batch/v1/namespaces/default/jobs/brief');
      if (res.status === 404) return Date.now();
      const j = (await res.json()) as KubeObject;
      // Foreground deletion, as kube's TTL controller asks: held by its finalizer until the garbage collector removes the pods.
      if (gc || !j.metadata.deletionTimestamp) return undefined;
      assert.deepEqual(j.metadata.finalizers, ['foregroundDeletion']);
      return Date.parse(j.metadata.deletionTimestamp);
    }, 20_000);
    assert.ok(deletedAt >= finishedAt + 1000, 'not before the TTL ran out');
    if (gc) await until('its pods gone', async () => (await podsOf('brief')).length === 0, 20_000);
  });
});
