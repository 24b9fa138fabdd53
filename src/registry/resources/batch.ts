// batch/v1 Jobs and CronJobs: SetDefaults_Job / SetDefaults_CronJob, the job strategy's generated
// selector and labels (pkg/registry/batch/job/strategy.go), the rules of
// pkg/apis/batch/validation and printJob / printCronJob.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { ageOf, humanDuration } from '../../api/duration.ts';
import { deepCopy, jsonEqual } from '../object-meta.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { validateLabelSelector } from '../validation/metadata.ts';
import { isDNS1123Label } from '../validation/names.ts';
import { specChanged } from './apps-common.ts';
import { cronScheduleError, timeZoneError } from './batch-cron.ts';
import { ageColumn } from './core-columns.ts';
import { arrayOf, defaultPodTemplateSpec, isObject, validatePodTemplateSpec } from './podspec.ts';
import {
  boolPtr, containerColumns, docColumn, formatLabelSelector, goValue, immutable, int, labelsValue, nonNegative, selectorConvertible,
  selectorValue, str, templateLabelsMatch,
} from './workload.ts';

export const jobNameLabel = 'batch.kubernetes.io/job-name';
export const controllerUidLabel = 'batch.kubernetes.io/controller-uid';
export const legacyJobNameLabel = 'job-name';
export const legacyControllerUidLabel = 'controller-uid';

const maxParallelismForIndexedJob = 100000;

// ---- Job ----

/** SetDefaults_Job plus the pod template's defaults. */
function defaultJobSpec(spec: any): void {
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? 2147483647 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  for (const rule of arrayOf(spec.podFailurePolicy?.rules)) {
    for (const pattern of arrayOf(rule?.onPodConditions)) if (isObject(pattern)) pattern.status ||= 'True';
  }
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  if (isObject(spec.template)) defaultPodTemplateSpec(spec.template);
}

/** A job without labels of its own carries its pods' labels (SetDefaults_Job, run again on every read). */
function copyTemplateLabels(job: KubeObject): void {
  const labels = job.spec?.template?.metadata?.labels;
  if (isObject(labels) && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...labels };
}

function defaultJob(job: KubeObject): void {
  defaultJobSpec((job.spec ??= {}));
  copyTemplateLabels(job);
}

const sortedMap = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** generateSelector: the job-name and controller-uid labels on the pods, and a selector on the uid. */
function generateSelector(job: KubeObject): void {
  const spec = job.spec;
  if (!isObject(spec.template)) return;
  const meta = (spec.template.metadata ??= {});
  const labels: Record<string, string> = { ...meta.labels };
  const name = job.metadata.name ?? '';
  const uid = job.metadata.uid ?? '';
  for (const key of [legacyJobNameLabel, jobNameLabel]) labels[key] ??= name;
  for (const key of [legacyControllerUidLabel, controllerUidLabel]) labels[key] ??= uid;
  meta.labels = sortedMap(labels); // Go prints maps sorted by key
  const selector = isObject(spec.selector) ? spec.selector : {};
  const matchLabels = isObject(selector.matchLabels) ? selector.matchLabels : {};
  matchLabels[controllerUidLabel] ??= uid;
  selector.matchLabels = sortedMap(matchLabels);
  spec.selector = selector;
}

function prepareJobForCreate(job: KubeObject): void {
  job.status = {};
  if (job.spec?.manualSelector !== true) generateSelector(job);
  copyTemplateLabels(job);
}

/** validateGeneratedSelector: pods of a job with a generated selector carry its name and uid. */
function generatedSelectorErrors(job: KubeObject): FieldError[] {
  const spec = job.spec ?? {};
  const labels = spec.template?.metadata?.labels;
  if (spec.manualSelector === true || !isObject(labels)) return [];
  const errs: FieldError[] = [];
  const uid = job.metadata.uid ?? '';
  const name = job.metadata.name ?? '';
  if (!uid) errs.push(field.required('metadata.uid', ''));
  const expect: Array<[string, string]> = [
    [legacyControllerUidLabel, uid], [legacyJobNameLabel, name], [controllerUidLabel, uid], [jobNameLabel, name],
  ];
  for (const [key, value] of expect) {
    if (labels[key] !== value) errs.push(field.invalid(`spec.template.metadata.labels[${key}]`, labelsValue(labels), `must be '${value}'`));
  }
  return errs;
}

/** validateJobSpec (shared with CronJob job templates): counts, completion mode, the template and its restart policy. */
function jobSpecErrors(spec: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes']) {
    errs.push(...nonNegative(spec[k], `${path}.${k}`));
  }
  const mode = spec.completionMode;
  if (mode != null) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(field.notSupported(`${path}.completionMode`, mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') {
      if (spec.completions == null) errs.push(field.required(`${path}.completions`, 'when completion mode is Indexed'));
      if (typeof spec.parallelism === 'number' && spec.parallelism > maxParallelismForIndexedJob) {
        errs.push(field.invalid(`${path}.parallelism`, spec.parallelism,
          `must be less than or equal to ${maxParallelismForIndexedJob} when completion mode is Indexed`));
      }
    }
  }
  const replacement = spec.podReplacementPolicy;
  if (replacement != null) {
    if (spec.podFailurePolicy != null && replacement !== 'Failed') errs.push(field.notSupported(`${path}.podReplacementPolicy`, replacement, ['Failed']));
    else if (replacement !== 'Failed' && replacement !== 'TerminatingOrFailed') {
      errs.push(field.notSupported(`${path}.podReplacementPolicy`, replacement, ['Failed', 'TerminatingOrFailed']));
    }
  }
  if (isObject(spec.template)) errs.push(...validatePodTemplateSpec(spec.template, `${path}.template`));
  // SetDefaults_PodSpec makes an absent restartPolicy Always, so both mean "not set" here.
  const restartPolicy = spec.template?.spec?.restartPolicy;
  const restartPath = `${path}.template.spec.restartPolicy`;
  if (restartPolicy === 'Always' || !restartPolicy) {
    errs.push(field.required(restartPath, 'valid values: "OnFailure", "Never"'));
  } else if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    errs.push(field.notSupported(restartPath, restartPolicy, ['OnFailure', 'Never']));
  } else if (spec.podFailurePolicy != null && restartPolicy !== 'Never') {
    errs.push(field.invalid(restartPath, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

/** ValidateJob: the generated selector, ValidateJobSpec, and the longest pod hostname of an Indexed job. */
function validateJob(job: KubeObject): FieldError[] {
  const spec = job.spec ?? {};
  const errs = [...generatedSelectorErrors(job), ...jobSpecErrors(spec, 'spec')];
  if (isObject(spec.selector)) errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  else errs.push(field.required('spec.selector', ''));
  if (selectorConvertible(spec.selector) && isObject(spec.template)) errs.push(...templateLabelsMatch(spec.selector, spec.template));
  if (spec.completionMode === 'Indexed' && typeof spec.completions === 'number' && spec.completions > 0) {
    const hostname = `${job.metadata.name ?? ''}-${spec.completions - 1}`;
    if (isDNS1123Label(hostname).length > 0) {
      errs.push(field.invalid('metadata.name', job.metadata.name ?? '', `will not able to create pod with invalid DNS label: ${hostname}`));
    }
  }
  return errs;
}

/**
 * validatePodTemplateUpdate: a job's template is immutable, except that a suspended job that
 * never started may change its scheduling directives (node affinity, node selector, tolerations,
 * labels, annotations, scheduling gates).
 */
function templateUpdateErrors(job: KubeObject, old: KubeObject): FieldError[] {
  const template = job.spec?.template;
  let oldTemplate = old.spec?.template;
  if (old.spec?.suspend === true && !old.status?.startTime && isObject(oldTemplate) && isObject(template)) {
    oldTemplate = deepCopy(oldTemplate);
    const t = oldTemplate as any;
    t.metadata = { ...t.metadata, labels: template.metadata?.labels, annotations: template.metadata?.annotations };
    t.spec = { ...t.spec };
    for (const k of ['nodeSelector', 'tolerations', 'schedulingGates']) t.spec[k] = template.spec?.[k];
    const affinity = template.spec?.affinity;
    if (isObject(affinity) || isObject(t.spec.affinity)) {
      t.spec.affinity = { ...t.spec.affinity, nodeAffinity: affinity?.nodeAffinity };
      if (!isObject(affinity) && Object.values(t.spec.affinity).every((v) => v == null)) t.spec.affinity = undefined;
    }
    for (const o of [t.metadata, t.spec, t.spec.affinity ?? {}]) for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  }
  return immutable(template, oldTemplate, 'spec.template', (v) => goValue(v, 'core.PodTemplateSpec{...}'));
}

/** ValidateJobSpecUpdate. */
function validateJobUpdate(job: KubeObject, old: KubeObject): FieldError[] {
  const spec = job.spec ?? {};
  const oldSpec = old.spec ?? {};
  const errs: FieldError[] = [];
  if (spec.completionMode !== 'Indexed') errs.push(...immutable(spec.completions, oldSpec.completions, 'spec.completions'));
  else if (!jsonEqual(spec.completions, oldSpec.completions) && spec.completions != null && spec.completions !== spec.parallelism) {
    errs.push(field.invalid('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'));
  }
  errs.push(...immutable(spec.selector, oldSpec.selector, 'spec.selector', (v) => selectorValue(v as any)));
  errs.push(...templateUpdateErrors(job, old));
  for (const k of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy']) {
    errs.push(...immutable(spec[k], oldSpec[k], `spec.${k}`));
  }
  return errs;
}

function conditionTrue(obj: KubeObject, type: string): boolean {
  const c = arrayOf(obj.status?.conditions).find((x) => x?.type === type);
  return c?.status === 'True';
}

/** printJob's STATUS. */
function jobStatus(job: KubeObject): string {
  if (conditionTrue(job, 'Complete')) return 'Complete';
  if (conditionTrue(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (conditionTrue(job, 'Suspended')) return 'Suspended';
  if (conditionTrue(job, 'FailureTarget')) return 'FailureTarget';
  if (conditionTrue(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

/** printJob's COMPLETIONS: `1/3`, or `0/1 of 4` for a work queue with parallelism. */
function jobCompletions(job: KubeObject): string {
  const succeeded = int(job.status?.succeeded);
  if (typeof job.spec?.completions === 'number') return `${succeeded}/${job.spec.completions}`;
  const parallelism = int(job.spec?.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: KubeObject, now: number): string {
  const start = Date.parse(str(job.status?.startTime));
  if (Number.isNaN(start)) return '';
  const end = Date.parse(str(job.status?.completionTime));
  return humanDuration((Number.isNaN(end) ? now : end) - start);
}

export const jobResource: ResourceDef = {
  group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', singular: 'job',
  shortNames: [], categories: ['all'], namespaced: true, verbs: allVerbs, subresources: ['status'],
  schema: 'io.k8s.api.batch.v1.Job',
  defaultGarbageCollectionPolicy: 'OrphanDependents', // for batch/v1, kept for backwards compatibility as kube does
  columns: [
    { name: 'Status', type: 'string', priority: 0, description: 'Status of the job.', cell: jobStatus },
    docColumn('Completions', 'string', ['io.k8s.api.batch.v1.JobStatus', 'succeeded'], jobCompletions),
    { name: 'Duration', type: 'string', priority: 0, description: 'Time required to complete the job.', cell: jobDuration },
    ageColumn,
    ...containerColumns((o) => o.spec?.template),
    docColumn('Selector', 'string', ['io.k8s.api.batch.v1.JobSpec', 'selector'], (o) => formatLabelSelector(o.spec?.selector), 1),
  ],
  // job.JobToSelectableFields
  selectableFields: { 'status.successful': (o) => String(int(o.status?.succeeded)) },
  strategy: {
    defaults: defaultJob,
    prepareForCreate: prepareJobForCreate,
    validate: validateJob,
    validateUpdate: validateJobUpdate,
    bumpsGeneration: specChanged,
    status: {
      validateUpdate: (job) => ['active', 'succeeded', 'failed', 'terminating', 'ready']
        .flatMap((k) => nonNegative(job.status?.[k], `status.${k}`)),
    },
  },
};

// ---- CronJob ----

function defaultCronJob(cj: KubeObject): void {
  const spec = (cj.spec ??= {});
  spec.concurrencyPolicy ||= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  // The job template gets pod-template defaults only: SetDefaults_Job applies to Jobs themselves.
  const jobTemplate = (spec.jobTemplate ??= {});
  jobTemplate.metadata ??= {};
  if (jobTemplate.metadata.creationTimestamp === undefined) jobTemplate.metadata.creationTimestamp = null;
  jobTemplate.spec ??= {};
  if (isObject(jobTemplate.spec.template)) defaultPodTemplateSpec(jobTemplate.spec.template);
}

const concurrencyPolicies = ['Allow', 'Forbid', 'Replace'];

/** validateCronJobSpec. */
function cronJobSpecErrors(spec: any): FieldError[] {
  const errs: FieldError[] = [];
  const schedule = str(spec.schedule);
  if (schedule) {
    const err = cronScheduleError(schedule);
    if (err) errs.push(field.invalid('spec.schedule', schedule, err));
    if (schedule.includes('TZ')) errs.push(field.invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  } else if (spec.schedule !== undefined && spec.schedule !== null) {
    errs.push(field.required('spec.schedule', '')); // absent: the schema's required list reports it
  }
  const policy = spec.concurrencyPolicy;
  if (!policy) errs.push(field.required('spec.concurrencyPolicy', ''));
  else if (!concurrencyPolicies.includes(policy)) errs.push(field.notSupported('spec.concurrencyPolicy', policy, concurrencyPolicies));
  errs.push(...jobTemplateErrors(spec.jobTemplate));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  if (typeof spec.timeZone === 'string') {
    const err = timeZoneError(spec.timeZone);
    if (err) errs.push(field.invalid('spec.timeZone', spec.timeZone, err));
  }
  return errs;
}

/** ValidateJobTemplateSpec: a job template's selector is always generated. */
function jobTemplateErrors(jobTemplate: any): FieldError[] {
  const spec = jobTemplate?.spec ?? {};
  const path = 'spec.jobTemplate.spec';
  const errs = jobSpecErrors(spec, path);
  if (spec.selector != null) errs.push(field.invalid(`${path}.selector`, selectorValue(spec.selector), '`selector` will be auto-generated'));
  if (spec.manualSelector === true) errs.push(field.notSupported(`${path}.manualSelector`, true, ['nil', 'false']));
  return errs;
}

/** ValidateCronJobCreate: its jobs get an 11-character suffix, so names stop at 52. */
function validateCronJob(cj: KubeObject): FieldError[] {
  const errs = cronJobSpecErrors(cj.spec ?? {});
  const name = cj.metadata.name ?? '';
  if (name.length > 52) errs.push(field.invalid('metadata.name', name, 'must be no more than 52 characters'));
  return errs;
}

export const cronJobResource: ResourceDef = {
  group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', singular: 'cronjob',
  shortNames: ['cj'], categories: ['all'], namespaced: true, verbs: allVerbs, subresources: ['status'],
  schema: 'io.k8s.api.batch.v1.CronJob',
  columns: [
    docColumn('Schedule', 'string', ['io.k8s.api.batch.v1.CronJobSpec', 'schedule'], (o) => str(o.spec?.schedule)),
    docColumn('Timezone', 'string', ['io.k8s.api.batch.v1.CronJobSpec', 'timeZone'],
      (o) => (typeof o.spec?.timeZone === 'string' ? o.spec.timeZone : '<none>')),
    docColumn('Suspend', 'boolean', ['io.k8s.api.batch.v1.CronJobSpec', 'suspend'], (o) => boolPtr(o.spec?.suspend)),
    docColumn('Active', 'integer', ['io.k8s.api.batch.v1.CronJobStatus', 'active'], (o) => arrayOf(o.status?.active).length),
    docColumn('Last Schedule', 'string', ['io.k8s.api.batch.v1.CronJobStatus', 'lastScheduleTime'],
      (o, now) => (o.status?.lastScheduleTime ? ageOf(o.status.lastScheduleTime, now) : '<none>')),
    ageColumn,
    ...containerColumns((o) => o.spec?.jobTemplate?.spec?.template),
    docColumn('Selector', 'string', ['io.k8s.api.batch.v1.JobSpec', 'selector'],
      (o) => formatLabelSelector(o.spec?.jobTemplate?.spec?.selector), 1),
  ],
  strategy: {
    defaults: defaultCronJob,
    prepareForCreate: (cj) => {
      cj.status = {};
    },
    validate: validateCronJob,
    bumpsGeneration: specChanged,
  },
};

export const batchResources: ResourceDef[] = [jobResource, cronJobResource];
