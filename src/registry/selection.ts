// Label and field selectors of a LIST or WATCH combined into one predicate over objects,
// as k8s.io/apiserver's storage.SelectionPredicate.
import type { KubeObject } from '../api/types.ts';
import type { LabelValues } from '../storage/interface.ts';
import { parseLabelSelector } from './selectors/label-selector.ts';
import { parseFieldSelector } from './selectors/field-selector.ts';
import type { ResourceDef } from './types.ts';

export interface Selection {
  /** True when neither selector narrows the result. */
  everything: boolean;
  matches(obj: KubeObject): boolean;
  /** The name a `metadata.name=x` field selector pins (single-object watches and lists). */
  name?: string;
  /** The namespace a `metadata.namespace=x` field selector pins. */
  namespace?: string;
  /** The label selector's `=`/`==`/`in` requirements, for the watch cache's label index. */
  labelValues?: LabelValues[];
}

/** Every field a kind can be selected by: the two all kinds have, plus its own. */
export function fieldGetter(def: ResourceDef): (obj: KubeObject, field: string) => string | undefined {
  return (obj, field) => {
    if (field === 'metadata.name') return obj.metadata.name ?? '';
    if (field === 'metadata.namespace') return obj.metadata.namespace ?? '';
    return def.selectableFields?.[field]?.(obj) ?? '';
  };
}

export function selectableFieldNames(def: ResourceDef): Set<string> {
  return new Set(['metadata.name', 'metadata.namespace', ...Object.keys(def.selectableFields ?? {})]);
}

export function buildSelection(def: ResourceDef, labelSelector?: string, fieldSelector?: string): Selection {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fields = fieldSelector ? parseFieldSelector(fieldSelector, selectableFieldNames(def)) : undefined;
  const get = fieldGetter(def);
  const labelsEmpty = !labels || labels.empty;
  const fieldsEmpty = !fields || fields.requirements.length === 0;
  const pinned = (f: string) => fields?.requirements.find((r) => r.field === f && (r.operator === '=' || r.operator === '=='))?.value;
  return {
    everything: labelsEmpty && fieldsEmpty,
    name: pinned('metadata.name'),
    namespace: pinned('metadata.namespace'),
    labelValues: labels?.requirements
      .filter((r) => r.operator === '=' || r.operator === '==' || r.operator === 'in')
      .map((r) => ({ key: r.key, values: r.values })),
    matches(obj) {
      if (!labelsEmpty && !labels!.matches(obj.metadata.labels)) return false;
      if (!fieldsEmpty && !fields!.matches((f) => get(obj, f))) return false;
      return true;
    },
  };
}
