// What one Job sync works with: the controller's long-lived parts (JobDeps) and the state of
// one pass over one Job (kube's syncJobCtx), plus the condition helpers the pass shares.
import type { ApiClient, EventRecorder, SharedInformer } from '../../client/index.ts';
import { rfc3339, type Clock, type DelayedQueue } from '../clock.ts';
import type { ControllerLog } from '../types.ts';
import type { BackoffRecord, BackoffStore } from './backoff.ts';
import type { FinalizerExpectations, PodExpectations } from './expectations.ts';
import type { OrderedIntervals } from './indexes.ts';
import type { Job, JobCondition, JobPod } from './types.ts';

export interface JobDeps {
  client: ApiClient;
  log: ControllerLog;
  jobs: SharedInformer<Job>;
  pods: SharedInformer<JobPod>;
  expectations: PodExpectations;
  finalizerExpectations: FinalizerExpectations;
  backoff: BackoffStore;
  recorder: EventRecorder;
  clock: Clock;
  delayed: DelayedQueue<string>;
  backoffBaseMs: number;
  backoffMaxMs: number;
  batchPeriodMs: number;
}

export interface SyncJobCtx {
  key: string;
  /** A private copy: the pass edits its status. */
  job: Job;
  pods: JobPod[];
  activePods: JobPod[];
  ready: number;
  terminating: number;
  succeeded: number;
  failed: number;
  uncounted: { succeeded: Set<string>; failed: Set<string> };
  expectedRmFinalizers: Set<string>;
  finishedCondition?: JobCondition;
  newBackoffRecord: BackoffRecord;
  prevSucceededIndexes?: OrderedIntervals;
  succeededIndexes?: OrderedIntervals;
  failedIndexes?: OrderedIntervals;
  podsWithDelayedDeletionPerIndex?: Map<number, JobPod>;
}

export function newCondition(type: string, status: JobCondition['status'], reason: string, message: string, now: number): JobCondition {
  const time = rfc3339(now);
  const c: JobCondition = { type, status, lastProbeTime: time, lastTransitionTime: time };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/**
 * ensureJobConditionStatus: updates the condition of that type if status, reason or message
 * differ, or appends it unless it would be False (from nothing to False means nothing).
 */
export function ensureCondition(list: JobCondition[], type: string, status: JobCondition['status'], reason: string, message: string, now: number): { list: JobCondition[]; changed: boolean } {
  const at = list.findIndex((c) => c.type === type);
  if (at >= 0) {
    const c = list[at];
    if (c.status === status && (c.reason ?? '') === reason && (c.message ?? '') === message) return { list, changed: false };
    const next = [...list];
    next[at] = newCondition(type, status, reason, message, now);
    return { list: next, changed: true };
  }
  if (status === 'False') return { list, changed: false };
  return { list: [...list, newCondition(type, status, reason, message, now)], changed: true };
}
