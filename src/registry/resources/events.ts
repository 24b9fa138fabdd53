// events.k8s.io/v1 Event: the same objects as core/v1 Events in kube-apiserver, which converts
// between the two shapes (regarding ↔ involvedObject, note ↔ message, deprecated* ↔ the old
// fields). Here it is a row of its own; validation is ValidateEventCreate/Update for
// events.k8s.io/v1 (strict), printing is printEvent on the core shape.
//
// Storage: kube keeps both in one place. The key prefix they should share is
// `/registry/core/events/`; a generic store that honours a per-resource prefix can point this
// row there (converting the shape on the way in and out) so both APIs list the same events.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { isDNS1123Subdomain, isQualifiedName } from '../validation/names.ts';
import { eventResource } from './core-event.ts';
import { isObject } from './podspec.ts';
import { goValue, immutable, str, withCell } from './workload.ts';

/** The core/v1 (internal) view of an events.k8s.io/v1 Event, as the API conversion builds it. */
export function toCoreEvent(ev: KubeObject): KubeObject {
  return {
    metadata: ev.metadata,
    involvedObject: ev.regarding ?? {},
    related: ev.related,
    reason: ev.reason,
    message: ev.note,
    type: ev.type,
    source: ev.deprecatedSource ?? {},
    firstTimestamp: ev.deprecatedFirstTimestamp,
    lastTimestamp: ev.deprecatedLastTimestamp,
    count: ev.deprecatedCount,
    eventTime: ev.eventTime,
    series: ev.series,
    action: ev.action,
    reportingComponent: ev.reportingController,
    reportingInstance: ev.reportingInstance,
  };
}

const regardingOf = (ev: KubeObject): Record<string, unknown> => (isObject(ev.regarding) ? ev.regarding : {});

const lengthLimit = (path: string, value: unknown, max: number): FieldError[] =>
  str(value).length > max ? [field.invalid(path, '', `can have at most ${max} characters`)] : [];

/**
 * legacyValidateEvent for a new-style event (eventTime set) and the strict events.k8s.io/v1 rules.
 * Paths name the internal fields (involvedObject, message), as kube's do. A missing eventTime is
 * reported by the schema's required list.
 */
function validateEvent(ev: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const namespace = ev.metadata.namespace ?? '';
  const regardingNs = str(regardingOf(ev).namespace);
  if (ev.eventTime) {
    if (!regardingNs && namespace !== 'default' && namespace !== 'kube-system') {
      errs.push(field.invalid('involvedObject.namespace', regardingNs, 'does not match event.namespace'));
    }
    const controller = str(ev.reportingController);
    if (!controller) errs.push(field.required('reportingController', ''));
    for (const msg of isQualifiedName(controller)) errs.push(field.invalid('reportingController', controller, msg));
    if (!str(ev.reportingInstance)) errs.push(field.required('reportingInstance', ''));
    errs.push(...lengthLimit('reportingInstance', ev.reportingInstance, 128));
    if (!str(ev.action)) errs.push(field.required('action', ''));
    errs.push(...lengthLimit('action', ev.action, 128));
    if (!str(ev.reason)) errs.push(field.required('reason', ''));
    errs.push(...lengthLimit('reason', ev.reason, 128));
    errs.push(...lengthLimit('message', ev.note, 1024));
  } else if (regardingNs ? namespace !== regardingNs : namespace !== '' && namespace !== 'default') {
    errs.push(field.invalid('involvedObject.namespace', regardingNs, 'does not match event.namespace'));
  }
  for (const msg of isDNS1123Subdomain(namespace)) errs.push(field.invalid('namespace', namespace, msg));
  errs.push(...seriesErrors(ev));
  if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(field.invalid('type', '', `has invalid value: ${str(ev.type)}`));
  for (const k of ['deprecatedFirstTimestamp', 'deprecatedLastTimestamp'] as const) {
    if (ev[k]) errs.push(field.invalid(k, '', 'needs to be unset'));
  }
  if (typeof ev.deprecatedCount === 'number' && ev.deprecatedCount !== 0) errs.push(field.invalid('deprecatedCount', '', 'needs to be unset'));
  const source = isObject(ev.deprecatedSource) ? ev.deprecatedSource : {};
  if (source.component || source.host) errs.push(field.invalid('deprecatedSource', '', 'needs to be unset'));
  return errs;
}

function seriesErrors(ev: KubeObject): FieldError[] {
  const series = ev.series as { count?: number; lastObservedTime?: string } | undefined;
  if (!isObject(series)) return [];
  const errs: FieldError[] = [];
  if ((series.count ?? 0) < 2) errs.push(field.invalid('series.count', '', 'should be at least 2'));
  if (!series.lastObservedTime) errs.push(field.required('series.lastObservedTime', ''));
  return errs;
}

/** ValidateEventUpdate (events.k8s.io/v1): everything but the series is fixed once written. */
function validateEventUpdate(ev: KubeObject, old: KubeObject): FieldError[] {
  const pairs: Array<[string, unknown, unknown]> = [
    ['reason', ev.reason, old.reason],
    ['message', ev.note, old.note],
    ['firstTimestamp', ev.deprecatedFirstTimestamp, old.deprecatedFirstTimestamp],
    ['lastTimestamp', ev.deprecatedLastTimestamp, old.deprecatedLastTimestamp],
    ['count', ev.deprecatedCount ?? 0, old.deprecatedCount ?? 0],
    ['type', ev.type, old.type],
    ['eventTime', ev.eventTime, old.eventTime],
    ['action', ev.action, old.action],
    ['reportingController', ev.reportingController, old.reportingController],
    ['reportingInstance', ev.reportingInstance, old.reportingInstance],
  ];
  return [
    ...immutable(ev.regarding, old.regarding, 'involvedObject', (v) => goValue(v, 'core.ObjectReference{...}')),
    ...pairs.flatMap(([path, next, prev]) => immutable(next ?? '', prev ?? '', path)),
    ...immutable(ev.deprecatedSource ?? {}, old.deprecatedSource ?? {}, 'source', (v) => goValue(v, 'core.EventSource{...}')),
    ...immutable(ev.related, old.related, 'related', (v) => goValue(v, 'core.ObjectReference{...}')),
  ];
}

export const eventsV1Resource: ResourceDef = {
  group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', singular: 'event',
  shortNames: ['ev'], categories: [], namespaced: true, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.events.v1.Event',
  defaultGarbageCollectionPolicy: 'Unsupported',
  // printEvent runs on the internal (core) shape of the event.
  columns: eventResource.columns.map((c) => withCell(c, (obj: KubeObject, now: number) => c.cell(toCoreEvent(obj), now))),
  // AddFieldLabelConversionsForEvent (events.k8s.io/v1): the core selectors under their new names.
  selectableFields: {
    reason: (o) => str(o.reason),
    type: (o) => str(o.type),
    reportingController: (o) => str(o.reportingController),
    ...Object.fromEntries(['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']
      .map((k) => [`regarding.${k}`, (o: KubeObject) => str(regardingOf(o)[k])])),
  },
  strategy: { validate: validateEvent, validateUpdate: validateEventUpdate },
};
