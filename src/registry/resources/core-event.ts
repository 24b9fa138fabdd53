// core/v1 Event: legacyValidateEvent (what the v1 API checks), field selectors of
// event.ToSelectableFields, and printEvent's columns (LAST SEEN first, NAME last and wide).
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { ageOf } from '../../api/duration.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { column, wideColumn } from './core-columns.ts';
import { invalidEach, isDNS1123Subdomain, isQualifiedName } from './core-validation.ts';

function validateEvent(ev: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const namespace = ev.metadata.namespace ?? '';
  const involved = (ev.involvedObject ?? {}) as Record<string, any>;
  const involvedNs = involved.namespace ?? '';
  const mismatch = () => field.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  if (!ev.eventTime) {
    if (!involvedNs ? namespace !== '' && namespace !== 'default' : namespace !== involvedNs) errs.push(mismatch());
  } else {
    if (!involvedNs && namespace !== 'default' && namespace !== 'kube-system') errs.push(mismatch());
    const controller = String(ev.reportingComponent ?? '');
    if (!controller) errs.push(field.required('reportingComponent', ''));
    errs.push(...invalidEach('reportingComponent', controller, isQualifiedName(controller)));
    const instance = String(ev.reportingInstance ?? '');
    if (!instance) errs.push(field.required('reportingInstance', ''));
    if (instance.length > 128) errs.push(field.invalid('reportingInstance', '', 'can have at most 128 characters'));
    const action = String(ev.action ?? '');
    if (!action) errs.push(field.required('action', ''));
    if (action.length > 128) errs.push(field.invalid('action', '', 'can have at most 128 characters'));
    const reason = String(ev.reason ?? '');
    if (!reason) errs.push(field.required('reason', ''));
    if (reason.length > 128) errs.push(field.invalid('reason', '', 'can have at most 128 characters'));
    if (String(ev.message ?? '').length > 1024) errs.push(field.invalid('message', '', 'can have at most 1024 characters'));
  }
  errs.push(...invalidEach('namespace', namespace, isDNS1123Subdomain(namespace)));
  return errs;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

function firstSeen(ev: KubeObject, now: number): string {
  return ev.firstTimestamp ? ageOf(str(ev.firstTimestamp), now) : ageOf(str(ev.eventTime), now);
}

function lastSeen(ev: KubeObject, now: number): string {
  const series = ev.series as { lastObservedTime?: string } | undefined;
  if (series) return ageOf(series.lastObservedTime, now);
  return ev.lastTimestamp ? ageOf(str(ev.lastTimestamp), now) : firstSeen(ev, now);
}

function count(ev: KubeObject): number {
  const series = ev.series as { count?: number } | undefined;
  if (series) return series.count ?? 0;
  return typeof ev.count === 'number' && ev.count !== 0 ? ev.count : 1;
}

function target(ev: KubeObject): string {
  const involved = (ev.involvedObject ?? {}) as Record<string, any>;
  const kind = String(involved.kind ?? '').toLowerCase();
  return involved.name ? `${kind}/${involved.name}` : kind;
}

function source(ev: KubeObject): string {
  const src = (ev.source ?? {}) as Record<string, any>;
  const component = src.component || str(ev.reportingComponent);
  const instance = src.host || str(ev.reportingInstance);
  return instance ? `${component}, ${instance}` : component;
}

export const eventResource: ResourceDef = {
  group: '', version: 'v1', kind: 'Event', plural: 'events', singular: 'event',
  shortNames: ['ev'], categories: [], namespaced: true, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.core.v1.Event',
  defaultGarbageCollectionPolicy: 'Unsupported',
  // kube's event table has no leading Name column: NAME is its last, wide-only column.
  columns: [
    column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.', lastSeen),
    column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future', (o) => str(o.type)),
    column('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
      (o) => str(o.reason)),
    column('Object', 'string', 'The object that this event is about.', target),
    wideColumn('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].',
      (o) => str((o.involvedObject as Record<string, unknown> | undefined)?.fieldPath)),
    wideColumn('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', source),
    column('Message', 'string', 'A human-readable description of the status of this operation.', (o) => str(o.message).trim()),
    wideColumn('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', firstSeen),
    wideColumn('Count', 'string', 'The number of times this event has occurred.', count),
    { ...wideColumn('Name', 'string', 'Name must be unique within a namespace.', (o) => o.metadata.name ?? ''), format: 'name' },
  ],
  selectableFields: {
    'involvedObject.kind': (o) => str((o.involvedObject as any)?.kind),
    'involvedObject.namespace': (o) => str((o.involvedObject as any)?.namespace),
    'involvedObject.name': (o) => str((o.involvedObject as any)?.name),
    'involvedObject.uid': (o) => str((o.involvedObject as any)?.uid),
    'involvedObject.apiVersion': (o) => str((o.involvedObject as any)?.apiVersion),
    'involvedObject.resourceVersion': (o) => str((o.involvedObject as any)?.resourceVersion),
    'involvedObject.fieldPath': (o) => str((o.involvedObject as any)?.fieldPath),
    reason: (o) => str(o.reason),
    reportingComponent: (o) => str(o.reportingComponent),
    source: (o) => str((o.source as any)?.component) || str(o.reportingComponent),
    type: (o) => str(o.type),
  },
  strategy: { validate: validateEvent },
};
