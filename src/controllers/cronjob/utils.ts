// pkg/controller/cronjob/utils.go (v1.32): when a CronJob was last due, when it is next due,
// and the Job it creates for a scheduled time.
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import type { Job, JobSpec } from '../job/types.ts';
import { parseStandard, type Schedule } from '../../api/cron-schedule.ts';
import { isKnownTimeZone, rfc3339In } from '../../api/time-zone.ts';

export const cronJobScheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** nextScheduleDelta: wake a little after the due time, so the sync sees it as past. */
export const nextScheduleDeltaMs = 100;

export interface CronJob extends KubeObject {
  spec: {
    schedule: string;
    timeZone?: string;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
    suspend?: boolean;
    jobTemplate: { metadata?: KubeObject['metadata']; spec: JobSpec };
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
  };
  status?: {
    active?: { apiVersion?: string; kind: string; name: string; namespace?: string; uid?: string; resourceVersion?: string }[];
    lastScheduleTime?: string;
    lastSuccessfulTime?: string;
  };
}

export type MissedSchedules = 'none' | 'few' | 'many';

/**
 * formatSchedule: the schedule as cron reads it — prefixed with TZ=<spec.timeZone> when a
 * valid time zone is set and the schedule names none itself.
 */
export function formatSchedule(cj: CronJob): string {
  const schedule = cj.spec.schedule;
  if (schedule.includes('TZ')) return schedule;
  const tz = cj.spec.timeZone;
  if (tz != null && isKnownTimeZone(tz)) return `TZ=${tz} ${schedule}`;
  return schedule;
}

export function parseSchedule(cj: CronJob): Schedule {
  return parseStandard(formatSchedule(cj));
}

/**
 * mostRecentScheduleTime: from the last schedule (or creation, or now − startingDeadlineSeconds
 * if later) the earliest time considered, the latest due time not after now, and how many were
 * missed — estimated from the gap between two activations, as kube does, to stay cheap.
 */
export function mostRecentScheduleTime(cj: CronJob, now: number, schedule: Schedule, includeStartingDeadline: boolean):
  { earliest: number; mostRecent?: number; missed: MissedSchedules } {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '');
  if (Number.isNaN(earliest)) earliest = now;
  if (includeStartingDeadline && cj.spec.startingDeadlineSeconds != null) {
    const deadline = now - cj.spec.startingDeadlineSeconds * 1000;
    if (deadline > earliest) earliest = deadline;
  }
  // A schedule that never fires again ("59 23 31 2 *") is Go's zero time from robfig's Next:
  // earlier than now and no gap to the next one, which kube reports as an invalid schedule.
  const tooClose = new Error('time difference between two schedules is less than 1 second');
  const t1 = schedule.next(earliest);
  if (t1 === undefined) throw tooClose;
  if (t1 > now) return { earliest, missed: 'none' };
  const t2 = schedule.next(t1);
  if (t2 === undefined) throw tooClose;
  if (t2 > now) return { earliest, mostRecent: t1, missed: 'few' };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) throw tooClose;
  const elapsed = Math.floor((now - t1) / 1000);
  const missedCount = Math.floor(elapsed / between) + 1;
  const missed: MissedSchedules = missedCount > 100 ? 'many' : 'few';
  // No Prev() in cron: jump near the end by the estimate, then walk forward.
  let mostRecent: number | undefined;
  for (let t: number | undefined = t1 + Math.max(0, missedCount - 2) * between * 1000; t !== undefined && t <= now; t = schedule.next(t)) mostRecent = t;
  if (mostRecent === undefined || mostRecent < t1) mostRecent = t1;
  return { earliest, mostRecent, missed };
}

/** nextScheduleTimeDuration: ms until the next due time after the most recent one (plus the delta). */
export function nextScheduleTimeDuration(cj: CronJob, now: number, schedule: Schedule): number {
  let from: number;
  try {
    const r = mostRecentScheduleTime(cj, now, schedule, false);
    from = r.mostRecent ?? (r.missed === 'none' ? r.earliest : now);
  } catch {
    from = now;
  }
  const next = schedule.next(from);
  return next === undefined ? 24 * 3_600_000 : next + nextScheduleDeltaMs - now;
}

/** getJobName: `<cronjob>-<scheduled time in minutes since the epoch>`. */
export function jobName(cj: CronJob, scheduled: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduled / 60_000)}`;
}

/** getJobFromTemplate2: the template's labels, annotations and spec, the scheduled timestamp, a controller reference. */
export function jobFromTemplate(cj: CronJob, scheduled: number): Job {
  const template = cj.spec.jobTemplate;
  const owner: OwnerReference = { apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name!, uid: cj.metadata.uid!, controller: true, blockOwnerDeletion: true };
  const tz = cj.spec.timeZone && isKnownTimeZone(cj.spec.timeZone) && cj.spec.timeZone !== 'Local' ? cj.spec.timeZone : 'UTC';
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name: jobName(cj, scheduled), namespace: cj.metadata.namespace,
      labels: { ...template.metadata?.labels },
      annotations: { ...template.metadata?.annotations, [cronJobScheduledTimestampAnnotation]: rfc3339In(scheduled, tz) },
      ownerReferences: [owner],
    },
    spec: structuredClone(template.spec),
  };
}

/** byJobStartTime: oldest start first, jobs not started last, names breaking ties. */
export function byJobStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime, sb = b.status?.startTime;
  if (!sa || !sb) return sa ? -1 : sb ? 1 : (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  if (sa === sb) return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  return Date.parse(sa) - Date.parse(sb);
}
