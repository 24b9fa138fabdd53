// The CronJob controller on a clock the test drives: a kubelite server runs the kubelets, the
// scheduler and the Job controller (real time); the CronJob controller runs in this process on
// a FakeClock that the test steps minute by minute, so "every minute" needs no minute of waiting.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { ApiClient } from '../src/client/index.ts';
import { FakeClock } from '../src/controllers/clock.ts';
import { cronJobController } from '../src/controllers/cronjob/index.ts';
import { startControllerManager, type RunningControllerManager } from '../src/controllers/index.ts';
import { createLogger } from '../src/log.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { hangGuard, until } from './support/wait.ts';

function cronJobYaml(name: string, spec: string, script: string): string {
  return `
apiVersion: batch/v1
kind: CronJob
metadata: { name: ${name}, namespace: default }
spec:
${spec.trim().split('\n').map((l) => `  ${l.trim()}`).join('\n')}
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{ name: main, image: busybox, command: [sh, -c, '${script}'] }]
`;
}

interface Event { reason: string; message: string; type: string; involvedObject: { kind: string; name: string } }

describe('cronjob controller', { timeout: hangGuard(55_000) }, () => {
  let server: TestServer;
  let client: ApiClient;
  let manager: RunningControllerManager;
  const clock = new FakeClock();
  /** The fake time the test has reached. */
  let now = clock.now();

  before(async () => {
    server = await startTestServer({ nodes: 3, scheduler: true, controllers: { controllers: ['job-controller'], jobSyncBatchPeriodSeconds: 0.05 } });
    client = ApiClient.fromKubeconfig(server.kubeconfigPath, { qps: 0 });
    manager = await startControllerManager({ client, log: createLogger('error'), definitions: [cronJobController], clock, options: { controllers: ['cronjob-controller'] } });
  });

  after(async () => {
    await manager?.stop();
    client?.close();
    await server?.stop();
  });

  const getJson = <T = KubeObject>(path: string) => server.getJson<T>(path);
  const getCronJob = (name: string) => getJson(`/apis/batch/v1/namespaces/default/cronjobs/${name}`);
  /** The live Jobs a CronJob created, oldest first. */
  async function jobsOf(name: string): Promise<KubeObject[]> {
    const list = await getJson<{ items: KubeObject[] }>('/apis/batch/v1/namespaces/default/jobs');
    return list.items
      .filter((j) => !j.metadata.deletionTimestamp && j.metadata.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === name))
      .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
  }
  async function events(name: string, reason: string): Promise<Event[]> {
    const list = await getJson<{ items: Event[] }>('/api/v1/namespaces/default/events');
    return list.items.filter((e) => e.involvedObject.kind === 'CronJob' && e.involvedObject.name === name && e.reason === reason);
  }
  async function create(yaml: string): Promise<void> {
    const r = await server.kubectl(['create', '-f', '-'], { input: yaml });
    assert.equal(r.code, 0, r.stderr);
  }
  /** Moves the fake clock to `to`, again on every poll, until `probe` answers. */
  function advanceUntil<T>(to: number, what: string, probe: () => Promise<T | undefined | false>, timeoutMs?: number): Promise<T> {
    now = Math.max(now, to);
    return until(what, async () => {
      clock.setTime(now);
      return probe();
    }, timeoutMs);
  }
  const nextMinute = () => Math.floor(now / 60_000) * 60_000 + 60_000;
  const jobNameAt = (cj: string, ms: number) => `${cj}-${Math.floor(ms / 60_000)}`;
  /**
   * Steps to the next minute until the CronJob's first Job exists; returns its scheduled time
   * (the fake clock may already be past a due time the CronJob missed before it existed).
   */
  async function firstRun(cj: string): Promise<number> {
    const [job] = await advanceUntil(nextMinute() + 1000, `the first Job of ${cj}`, async () => {
      const jobs = await jobsOf(cj);
      return jobs.length === 1 && (await getCronJob(cj)).status?.lastScheduleTime && jobs;
    });
    return Number(job.metadata.name!.slice(cj.length + 1)) * 60_000;
  }

  it('creates a Job every minute, named by its scheduled minute, and sees them complete', async () => {
    await create(cronJobYaml('tick', 'schedule: "* * * * *"', 'sleep 1; exit 0'));
    const first = nextMinute();
    const [job] = await advanceUntil(first + 1000, 'the first Job', async () => {
      const jobs = await jobsOf('tick');
      return jobs.length === 1 && jobs;
    });
    assert.equal(job.metadata.name, jobNameAt('tick', first));
    assert.equal(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], new Date(first).toISOString().replace('.000Z', 'Z'));
    const cj = await getCronJob('tick');
    assert.deepEqual(job.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    const withActive = await until('status.active', async () => {
      const c = await getCronJob('tick');
      return c.status?.lastScheduleTime && c;
    });
    assert.equal(withActive.status.lastScheduleTime, new Date(first).toISOString().replace('.000Z', 'Z'));

    const second = first + 60_000;
    await advanceUntil(second + 1000, 'the second Job', async () => (await jobsOf('tick')).some((j) => j.metadata.name === jobNameAt('tick', second)));
    assert.equal((await jobsOf('tick')).length, 2, 'one Job per minute, no more');
    await until('SuccessfulCreate events', async () => (await events('tick', 'SuccessfulCreate')).length === 2);
    assert.deepEqual((await events('tick', 'SuccessfulCreate')).map((e) => e.message).sort(),
      [`Created job ${jobNameAt('tick', first)}`, `Created job ${jobNameAt('tick', second)}`]);

    // The Jobs run to completion (Job controller, real time): they leave status.active.
    const done = await until('both Jobs seen completed', async () => {
      const c = await getCronJob('tick');
      return !c.status?.active?.length && c.status?.lastSuccessfulTime && (await events('tick', 'SawCompletedJob')).length === 2 && c;
    }, 30_000);
    assert.ok(done.status.lastSuccessfulTime);
    assert.ok((await events('tick', 'SawCompletedJob')).some((e) => e.message === `Saw completed job: ${jobNameAt('tick', first)}, condition: Complete`));
    const table = await server.kubectl(['get', 'cronjob', 'tick', '--no-headers']);
    assert.match(table.stdout, /^tick\s+\* \* \* \* \*\s+<none>\s+False\s+0\s+\S+\s+\S+\n$/);
    assert.equal((await server.kubectl(['delete', 'cronjob', 'tick'])).code, 0);
  });

  it('Forbid: no second Job while one is active', async () => {
    await create(cronJobYaml('solo', 'schedule: "* * * * *"\nconcurrencyPolicy: Forbid', 'sleep 600'));
    const first = await firstRun('solo');
    await advanceUntil(nextMinute() + 1000, 'JobAlreadyActive', async () => (await events('solo', 'JobAlreadyActive')).length > 0);
    const [event] = await events('solo', 'JobAlreadyActive');
    assert.equal(event.message, 'Not starting job because prior execution is running and concurrency policy is Forbid');
    assert.deepEqual((await jobsOf('solo')).map((j) => j.metadata.name), [jobNameAt('solo', first)]);
    assert.equal((await server.kubectl(['delete', 'cronjob', 'solo'])).code, 0);
  });

  it('Replace: the active Job is deleted and a new one takes its place', async () => {
    await create(cronJobYaml('swap', 'schedule: "* * * * *"\nconcurrencyPolicy: Replace', 'sleep 600'));
    const first = await firstRun('swap');
    const second = nextMinute();
    const c = await advanceUntil(second + 1000, 'the replacement', async () => {
      const c = await getCronJob('swap');
      return c.status?.active?.length === 1 && c.status.active[0].name === jobNameAt('swap', second) && c;
    });
    assert.equal(c.status.active[0].kind, 'Job');
    assert.deepEqual((await jobsOf('swap')).map((j) => j.metadata.name), [jobNameAt('swap', second)]);
    await until('SuccessfulDelete', async () => (await events('swap', 'SuccessfulDelete')).some((e) => e.message === `Deleted job ${jobNameAt('swap', first)}`));
    assert.equal((await server.kubectl(['delete', 'cronjob', 'swap'])).code, 0);
  });

  it('keeps successfulJobsHistoryLimit finished Jobs, deleting the oldest', async () => {
    await create(cronJobYaml('hist', 'schedule: "* * * * *"\nsuccessfulJobsHistoryLimit: 1', 'exit 0'));
    const first = await firstRun('hist');
    const complete = (j: KubeObject) => j.status?.conditions?.some((c: { type: string }) => c.type === 'Complete');
    await until('the first Job complete', async () => (await jobsOf('hist')).filter(complete).length === 1, 30_000);
    const second = nextMinute();
    await advanceUntil(second + 1000, 'the second Job complete, the first removed', async () => {
      const jobs = await jobsOf('hist');
      return jobs.length === 1 && jobs[0].metadata.name === jobNameAt('hist', second) && complete(jobs[0]);
    }, 30_000);
    await until('SuccessfulDelete', async () => (await events('hist', 'SuccessfulDelete')).some((e) => e.message === `Deleted job ${jobNameAt('hist', first)}`));
    assert.equal((await server.kubectl(['delete', 'cronjob', 'hist'])).code, 0);
  });

  it('a suspended CronJob starts nothing; kubectl create job --from=cronjob runs one by hand', async () => {
    await create(cronJobYaml('idle', 'schedule: "* * * * *"\nsuspend: true', 'exit 0'));
    const target = nextMinute() + 120_000;
    now = target;
    clock.setTime(now);
    // Give the controller its passes: it handled the add, and a spec change wakes it at once.
    assert.equal((await server.kubectl(['annotate', 'cronjob', 'idle', 'poke=1'])).code, 0);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await jobsOf('idle')).length, 0);
    assert.equal((await getCronJob('idle')).status?.lastScheduleTime, undefined);

    const manual = await server.kubectl(['create', 'job', 'by-hand', '--from=cronjob/idle']);
    assert.equal(manual.code, 0, manual.stderr);
    assert.equal(manual.stdout.trim(), 'job.batch/by-hand created');
    const done = await server.kubectl(['wait', '--for=condition=complete', 'job/by-hand', '--timeout=30s']);
    assert.equal(done.code, 0, done.stderr);
    const job = await getJson('/apis/batch/v1/namespaces/default/jobs/by-hand');
    assert.equal(job.metadata.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.equal(job.metadata.ownerReferences?.[0]?.name, 'idle');
    assert.equal((await server.kubectl(['delete', 'cronjob', 'idle'])).code, 0);
  });

  it('schedules in spec.timeZone: 09:00 in Tokyo', async () => {
    await create(cronJobYaml('tokyo', 'schedule: "0 9 * * *"\ntimeZone: Asia/Tokyo', 'exit 0'));
    const nineInTokyo = Math.floor(now / 86_400_000) * 86_400_000 + 86_400_000; // the next 00:00 UTC
    const [job] = await advanceUntil(nineInTokyo + 1000, 'the Job', async () => {
      const jobs = await jobsOf('tokyo');
      return jobs.length === 1 && jobs;
    });
    assert.equal(job.metadata.name, jobNameAt('tokyo', nineInTokyo));
    const day = new Date(nineInTokyo).toISOString().slice(0, 10);
    assert.equal(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], `${day}T09:00:00+09:00`);
    const table = await server.kubectl(['get', 'cronjob', 'tokyo', '--no-headers']);
    assert.match(table.stdout, /^tokyo\s+0 9 \* \* \*\s+Asia\/Tokyo\s+False\s+1\s/);
    assert.equal((await server.kubectl(['delete', 'cronjob', 'tokyo'])).code, 0);
  });

  it('warns about too many missed start times (> 100) and still starts the latest', async () => {
    // Created (real time) at least a day behind the fake clock: over 1,440 minutes missed. The
    // clock is moved there first, explicitly: how far the earlier tests took it depends on the
    // time of day, and the controller's first sync must already see the day gone by.
    now = Math.max(now, Date.now() + 86_400_000);
    clock.setTime(now);
    await create(cronJobYaml('late', 'schedule: "* * * * *"', 'exit 0'));
    const [job] = await advanceUntil(now, 'the Job', async () => {
      const jobs = await jobsOf('late');
      return jobs.length === 1 && jobs;
    });
    assert.equal(job.metadata.name, jobNameAt('late', Math.floor(now / 60_000) * 60_000));
    const [warning] = await until('TooManyMissedTimes', () => events('late', 'TooManyMissedTimes').then((e) => e.length > 0 && e));
    assert.deepEqual([warning.type, warning.message], ['Warning', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew']);
  });
});
