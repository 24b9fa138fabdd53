// syncCronJob (pkg/controller/cronjob/cronjob_controllerv2.go, v1.32) for one key: reconcile
// status.active with the Jobs the CronJob controls, remove finished Jobs beyond the history
// limits, then — unless suspended — start the Job for the most recent due time if it is within
// startingDeadlineSeconds, honouring concurrencyPolicy (Forbid skips, Replace deletes the
// active Jobs first). Returns when to look again: just after the next due time.
import { isAlreadyExists, isNotFound, referenceTo, resources, type ApiClient, type EventRecorder, type ResourceDescriptor, type SharedInformer } from '../../client/index.ts';
import { rfc3339, type Clock } from '../clock.ts';
import { finishedCondition, type Job } from '../job/types.ts';
import { CronError, type Schedule } from '../../api/cron-schedule.ts';
import { isKnownTimeZone } from '../../api/time-zone.ts';
import { byJobStartTime, jobFromTemplate, jobName, mostRecentScheduleTime, nextScheduleTimeDuration, parseSchedule, type CronJob } from './utils.ts';

export const jobsResource = resources.jobs as ResourceDescriptor<Job>;
export const cronJobsResource = resources.cronJobs as ResourceDescriptor<CronJob>;

export interface CronJobDeps {
  client: ApiClient;
  cronJobs: SharedInformer<CronJob>;
  jobs: SharedInformer<Job>;
  recorder: EventRecorder;
  clock: Clock;
}

const refTo = (obj: CronJob | Job, kind: string) => referenceTo(obj, kind, 'batch/v1');

/** sync: returns ms until the next look, if any. */
export async function syncCronJobKey(d: CronJobDeps, key: string): Promise<number | undefined> {
  const shared = d.cronJobs.store.get(key);
  if (!shared) return undefined;
  const cj: CronJob = { ...shared, status: structuredClone(shared.status ?? {}) };
  const jobs = d.jobs.store.byNamespace(cj.metadata.namespace!).filter((j) => j.metadata.ownerReferences?.some((o) => o.controller && o.uid === cj.metadata.uid));
  const cleaned = await cleanupFinishedJobs(d, cj, jobs);
  const { requeueAfter, updateStatus, error } = await syncCronJob(d, cj, jobs);
  if (cleaned || updateStatus) {
    try {
      await d.client.updateStatus(cronJobsResource, cj);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
  if (requeueAfter !== undefined) return requeueAfter;
  if (error) throw error;
  return undefined;
}

async function syncCronJob(d: CronJobDeps, cj: CronJob, jobs: Job[]): Promise<{ requeueAfter?: number; updateStatus: boolean; error?: unknown }> {
  const now = d.clock.now();
  let updateStatus = false;
  const status = cj.status!;
  const children = new Set(jobs.map((j) => j.metadata.uid));
  for (const job of jobs) {
    const active = (status.active ?? []).some((r) => r.uid === job.metadata.uid);
    const finished = finishedCondition(job);
    if (!active && !finished) {
      // Our status may lag our own informer: read it fresh before calling the Job unexpected.
      const fresh = await d.client.get(cronJobsResource, cj.metadata.name!, { namespace: cj.metadata.namespace });
      if ((fresh.status?.active ?? []).some((r) => r.uid === job.metadata.uid)) {
        cj.metadata = fresh.metadata;
        cj.status = structuredClone(fresh.status);
        continue;
      }
      d.recorder.event(refTo(cj, 'CronJob'), 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${job.metadata.name}`);
    } else if (finished) {
      if (active) {
        status.active = status.active!.filter((r) => r.uid !== job.metadata.uid);
        d.recorder.event(refTo(cj, 'CronJob'), 'Normal', 'SawCompletedJob', `Saw completed job: ${job.metadata.name}, condition: ${finished.type}`);
        updateStatus = true;
      }
      const completed = job.status?.completionTime;
      if (finished.type === 'Complete' && completed && (!status.lastSuccessfulTime || Date.parse(completed) > Date.parse(status.lastSuccessfulTime))) {
        status.lastSuccessfulTime = completed;
        updateStatus = true;
      }
    }
  }
  // An active reference to a Job that is gone for good: drop it, or the CronJob stays active forever.
  for (const ref of [...(status.active ?? [])]) {
    if (children.has(ref.uid)) continue;
    try {
      await d.client.get(jobsResource, ref.name, { namespace: ref.namespace ?? cj.metadata.namespace });
    } catch (err) {
      if (!isNotFound(err)) return { updateStatus, error: err };
      d.recorder.event(refTo(cj, 'CronJob'), 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
      status.active = status.active!.filter((r) => r.uid !== ref.uid);
      updateStatus = true;
    }
  }
  if (cj.metadata.deletionTimestamp) return { updateStatus };
  const tz = cj.spec.timeZone;
  if (tz != null && !isKnownTimeZone(tz)) {
    d.recorder.event(refTo(cj, 'CronJob'), 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(tz)}: unknown time zone ${tz}`);
    return { updateStatus };
  }
  if (cj.spec.suspend) return { updateStatus };
  if (cj.spec.schedule.includes('TZ')) {
    d.recorder.event(refTo(cj, 'CronJob'), 'Warning', 'UnsupportedSchedule',
      `CRON_TZ or TZ used in schedule ${JSON.stringify(cj.spec.schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
  }
  let sched: Schedule;
  try {
    sched = parseSchedule(cj);
  } catch (err) {
    if (!(err instanceof CronError)) throw err;
    d.recorder.event(refTo(cj, 'CronJob'), 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${err.message}`);
    return { updateStatus };
  }
  let scheduled: number | undefined;
  try {
    const r = mostRecentScheduleTime(cj, now, sched, true);
    if (r.mostRecent !== undefined && r.mostRecent <= now) {
      scheduled = r.mostRecent;
      if (r.missed === 'many') {
        d.recorder.event(refTo(cj, 'CronJob'), 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
      }
    }
  } catch (err) {
    d.recorder.event(refTo(cj, 'CronJob'), 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec.schedule} : ${err instanceof Error ? err.message : String(err)}`);
    return { updateStatus };
  }
  const requeueAfter = () => nextScheduleTimeDuration(cj, now, sched);
  if (scheduled === undefined) return { requeueAfter: requeueAfter(), updateStatus };

  const deadline = cj.spec.startingDeadlineSeconds;
  if (deadline != null && scheduled + deadline * 1000 < now) {
    d.recorder.event(refTo(cj, 'CronJob'), 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
    return { requeueAfter: requeueAfter(), updateStatus };
  }
  const name = jobName(cj, scheduled);
  if ((status.active ?? []).some((r) => r.name === name) || (status.lastScheduleTime && Date.parse(status.lastScheduleTime) === scheduled)) {
    return { requeueAfter: requeueAfter(), updateStatus }; // this time was already processed
  }
  if (cj.spec.concurrencyPolicy === 'Forbid' && (status.active ?? []).length > 0) {
    d.recorder.event(refTo(cj, 'CronJob'), 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
    return { requeueAfter: requeueAfter(), updateStatus };
  }
  if (cj.spec.concurrencyPolicy === 'Replace') {
    for (const ref of [...(status.active ?? [])]) {
      let job: Job;
      try {
        job = await d.client.get(jobsResource, ref.name, { namespace: ref.namespace ?? cj.metadata.namespace });
      } catch (err) {
        d.recorder.event(refTo(cj, 'CronJob'), 'Warning', 'FailedGet', `Get job: ${err instanceof Error ? err.message : String(err)}`);
        return { updateStatus, error: err };
      }
      if (!(await deleteJob(d, cj, job))) return { updateStatus, error: new Error(`could not replace job ${job.metadata.namespace}/${job.metadata.name}`) };
      updateStatus = true;
    }
  }
  let created: Job;
  try {
    created = await d.client.create(jobsResource, jobFromTemplate(cj, scheduled), { namespace: cj.metadata.namespace });
    d.recorder.event(refTo(cj, 'CronJob'), 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
  } catch (err) {
    if (!isAlreadyExists(err)) {
      d.recorder.event(refTo(cj, 'CronJob'), 'Warning', 'FailedCreate', `Error creating job: ${err instanceof Error ? err.message : String(err)}`);
      return { updateStatus, error: err };
    }
    // Created by an earlier pass whose status write was lost: record it, if it is ours.
    created = await d.client.get(jobsResource, name, { namespace: cj.metadata.namespace });
    const ours = created.metadata.ownerReferences?.some((o) => o.controller && o.uid === cj.metadata.uid);
    if (!ours || (status.active ?? []).some((r) => r.uid === created.metadata.uid)) return { updateStatus };
  }
  status.active = [...(status.active ?? []), refTo(created, 'Job')];
  status.lastScheduleTime = rfc3339(scheduled);
  return { requeueAfter: requeueAfter(), updateStatus: true };
}

/** cleanupFinishedJobs: the oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit go. */
async function cleanupFinishedJobs(d: CronJobDeps, cj: CronJob, jobs: Job[]): Promise<boolean> {
  const { successfulJobsHistoryLimit: okLimit, failedJobsHistoryLimit: failLimit } = cj.spec;
  if (okLimit == null && failLimit == null) return false;
  const succeeded = jobs.filter((j) => finishedCondition(j)?.type === 'Complete');
  const failed = jobs.filter((j) => finishedCondition(j)?.type === 'Failed');
  let updated = false;
  for (const [list, limit] of [[succeeded, okLimit], [failed, failLimit]] as const) {
    if (limit == null || list.length <= limit) continue;
    for (const job of [...list].sort(byJobStartTime).slice(0, list.length - limit)) if (await deleteJob(d, cj, job)) updated = true;
  }
  return updated;
}

/** deleteJob: DELETE with background propagation, then off the active list. */
async function deleteJob(d: CronJobDeps, cj: CronJob, job: Job): Promise<boolean> {
  try {
    await d.client.delete(jobsResource, job.metadata.name!, { namespace: job.metadata.namespace, propagationPolicy: 'Background' });
  } catch (err) {
    if (!isNotFound(err)) {
      d.recorder.event(refTo(cj, 'CronJob'), 'Warning', 'FailedDelete', `Deleted job: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }
  cj.status!.active = (cj.status!.active ?? []).filter((r) => r.uid !== job.metadata.uid);
  d.recorder.event(refTo(cj, 'CronJob'), 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
  return true;
}

/** Go's time.RFC1123Z in UTC: `Mon, 02 Jan 2006 15:04:05 +0000`. */
function rfc1123z(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}
