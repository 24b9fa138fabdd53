// Building blocks shared by the workload kinds (apps, batch) and the other non-core groups:
// bad values rendered as Go's %#v renders them in field errors, the selector rules of
// pkg/apis/apps/validation, IntOrString percentages, and table-cell helpers of printers.go.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../object-meta.ts';
import { labelSelectorFromObject, type V1LabelSelector } from '../selectors/label-selector.ts';
import type { TableColumn } from '../types.ts';
import { validateLabelSelector } from '../validation/metadata.ts';
import { regexError } from '../validation/names.ts';
import { loadDefinitions } from '../validation/schema-files.ts';
import { isObject } from './podspec.ts';

// ---- bad values as Go prints them ----

/**
 * A field error's bad value that Go prints with %#v (`map[string]string{"app":"x"}`). It
 * serialises as the plain value; `goString` holds what kube-apiserver prints, for a renderer
 * that knows about it.
 */
export interface GoValue {
  readonly goString: string;
  toJSON(): unknown;
}

export function goValue(value: unknown, goString: string): GoValue {
  return { goString, toJSON: () => value };
}

const q = (s: unknown) => JSON.stringify(String(s ?? ''));

/** `map[string]string{"a":"b", "c":"d"}` (keys sorted, as fmt sorts maps); nil prints `(nil)`. */
export function goStringMap(m: unknown): string {
  if (!isObject(m)) return 'map[string]string(nil)';
  const entries = Object.keys(m).sort().map((k) => `${q(k)}:${q(m[k])}`);
  return `map[string]string{${entries.join(', ')}}`;
}

function goStringSlice(values: unknown): string {
  return Array.isArray(values) ? `[]string{${values.map(q).join(', ')}}` : '[]string(nil)';
}

/** A metav1.LabelSelector as %#v prints it (a pointer is dereferenced first by field.Error). */
export function goLabelSelector(sel: V1LabelSelector | null | undefined): string {
  if (!isObject(sel)) return 'null';
  const exprs = Array.isArray(sel.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions.map((e) =>
      `v1.LabelSelectorRequirement{Key:${q(e?.key)}, Operator:${q(e?.operator)}, Values:${goStringSlice(e?.values)}}`).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`;
}

export function labelsValue(labels: unknown): GoValue {
  return goValue(labels ?? null, goStringMap(labels));
}

export function selectorValue(sel: V1LabelSelector | null | undefined): GoValue {
  return goValue(sel ?? null, goLabelSelector(sel));
}

/** intstr.IntOrString as %#v prints it: `intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}`. */
export function intOrStringValue(v: unknown): GoValue {
  const text = typeof v === 'string'
    ? `intstr.IntOrString{Type:1, IntVal:0, StrVal:${q(v)}}`
    : `intstr.IntOrString{Type:0, IntVal:${typeof v === 'number' ? v : 0}, StrVal:""}`;
  return goValue(v ?? null, text);
}

// ---- small validators ----

/** apivalidation.ValidateNonnegativeField, for an optional number. */
export function nonNegative(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [field.invalid(path, value, 'must be greater than or equal to 0')] : [];
}

/** ValidateImmutableField with Go-style rendering of the new value. */
export function immutable(next: unknown, prev: unknown, path: string, render?: (v: unknown) => unknown): FieldError[] {
  if (jsonEqual(next ?? null, prev ?? null)) return [];
  return [field.invalid(path, render ? render(next) : next ?? null, 'field is immutable')];
}

const percentFmt = '[0-9]+%';
const percentRe = /^[0-9]+%$/;

function percentValue(v: unknown): number | undefined {
  return typeof v === 'string' && percentRe.test(v) ? Number(v.slice(0, -1)) : undefined;
}

/** getIntOrPercentValue: a percentage's number, an integer, or 0 for anything else. */
export function intOrPercentValue(v: unknown): number {
  const percent = percentValue(v);
  if (percent !== undefined) return percent;
  if (typeof v === 'number') return v;
  return typeof v === 'string' && /^[-+]?[0-9]+$/.test(v) ? Number(v) : 0; // IntValue() of a string: Atoi or 0
}

/** apps validation.ValidatePositiveIntOrPercent. */
export function positiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') {
    return percentRe.test(v) ? [] : [field.invalid(path, intOrStringValue(v),
      regexError("a valid percent string must be a numeric string followed by an ending '%'", percentFmt, '1%', '93%'))];
  }
  if (typeof v === 'number') return nonNegative(v, path);
  return [];
}

/** apps validation.IsNotMoreThan100Percent. */
export function notMoreThan100Percent(v: unknown, path: string): FieldError[] {
  const p = percentValue(v);
  return p !== undefined && p > 100 ? [field.invalid(path, intOrStringValue(v), 'must not be greater than 100%')] : [];
}

// ---- selectors of controllers ----

/** Whether metav1.LabelSelectorAsSelector accepts the selector (validateLabelSelector finds nothing). */
export function selectorConvertible(sel: V1LabelSelector | null | undefined): boolean {
  return !isObject(sel) || validateLabelSelector(sel, 'spec.selector').length === 0;
}

export function selectorIsEmpty(sel: V1LabelSelector | null | undefined): boolean {
  return Object.keys(sel?.matchLabels ?? {}).length + (sel?.matchExpressions ?? []).length === 0;
}

export interface SelectorRules {
  /** `empty selector is invalid for <kind>` (kube says `deployment` for ReplicaSets too). */
  kindWord: string;
  /** The detail when LabelSelectorAsSelector fails (`invalid label selector`, or '' for StatefulSets). */
  invalidDetail: string;
}

/**
 * The selector half of ValidateDeploymentSpec / ReplicaSet / StatefulSet: the selector itself, and
 * the template's labels against it. `spec.selector: Required value` comes from the schema's
 * required list, which the generic store checks, so it is not repeated here.
 */
export function validateControllerSelector(spec: any, rules: SelectorRules): FieldError[] {
  const sel = spec?.selector as V1LabelSelector | undefined;
  const errs: FieldError[] = [];
  let selectorErrors: FieldError[] = [];
  if (isObject(sel)) {
    selectorErrors = validateLabelSelector(sel, 'spec.selector');
    errs.push(...selectorErrors);
    if (selectorIsEmpty(sel)) errs.push(field.invalid('spec.selector', selectorValue(sel), `empty selector is invalid for ${rules.kindWord}`));
  }
  if (selectorErrors.length > 0) {
    errs.push(field.invalid('spec.selector', selectorValue(sel), rules.invalidDetail));
    return errs;
  }
  // LabelSelectorAsSelector: a null selector selects nothing, an empty one everything.
  if (isObject(spec?.template) && !(isObject(sel) && selectorIsEmpty(sel))) errs.push(...templateLabelsMatch(sel, spec.template));
  return errs;
}

/** `spec.template.metadata.labels: Invalid value: map[...]: `selector` does not match template `labels``. */
export function templateLabelsMatch(sel: V1LabelSelector | null | undefined, template: any, path = 'spec.template'): FieldError[] {
  const labels = template?.metadata?.labels;
  if (selectorMatches(sel, labels)) return [];
  return [field.invalid(`${path}.metadata.labels`, labelsValue(labels), '`selector` does not match template `labels`')];
}

export function selectorMatches(sel: V1LabelSelector | null | undefined, labels: Record<string, string> | undefined): boolean {
  try {
    return labelSelectorFromObject(sel).matches(labels);
  } catch {
    return false; // an invalid selector is reported by validateLabelSelector
  }
}

/** metav1.LabelSelectorAsSelector(...).String(): `app=web,tier in (a,b)`; '' for none. */
export function selectorString(sel: V1LabelSelector | null | undefined, invalid = '<invalid>'): string {
  try {
    return labelSelectorFromObject(sel).toString();
  } catch {
    return invalid;
  }
}

/** metav1.FormatLabelSelector: the selector string, `<none>` when it is empty. */
export function formatLabelSelector(sel: V1LabelSelector | null | undefined): string {
  return selectorString(sel, '<error>') || '<none>';
}

// ---- status rules of the replica-counting kinds ----

/** Every listed status counter non-negative, and none above status.replicas (ValidateDeploymentStatus and kin). */
export function replicaStatusErrors(status: any, counters: string[], bounded: string[], availableMsg?: string): FieldError[] {
  const s = isObject(status) ? status : {};
  const errs = counters.flatMap((c) => nonNegative(s[c], `status.${c}`));
  const replicas = s.replicas ?? 0;
  for (const c of bounded) {
    if ((s[c] ?? 0) > replicas) errs.push(field.invalid(`status.${c}`, s[c], 'cannot be greater than status.replicas'));
  }
  if (availableMsg && (s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(field.invalid('status.availableReplicas', s.availableReplicas, availableMsg));
  }
  return errs;
}

// ---- table cells ----

/** A column whose description is the field's doc in the published OpenAPI, read on first use. */
export function docColumn(
  name: string, type: TableColumn['type'], doc: [definition: string, fieldName: string], cell: TableColumn['cell'], priority: 0 | 1 = 0,
  format?: string,
): TableColumn {
  return {
    name, type, priority, cell, ...(format ? { format } : {}),
    get description() {
      return fieldDoc(doc[0], doc[1]);
    },
  };
}

/**
 * The same column with another cell function, its description still read on first use (a
 * spread would call docColumn's getter, which parses the 2.4 MB OpenAPI document at start-up).
 */
export function withCell(column: TableColumn, cell: TableColumn['cell']): TableColumn {
  return Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(column), cell: { value: cell, enumerable: true } }) as TableColumn;
}

function fieldDoc(definition: string, fieldName: string): string {
  const props = loadDefinitions()[definition]?.properties as Record<string, { description?: string }> | undefined;
  return props?.[fieldName]?.description ?? '';
}

/** The CONTAINERS / IMAGES pair of wide workload tables (layoutContainerCells). */
export function containerColumns(templateOf: (obj: KubeObject) => any): TableColumn[] {
  const containers = (obj: KubeObject): any[] => {
    const list = templateOf(obj)?.spec?.containers;
    return Array.isArray(list) ? list : [];
  };
  return [
    { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.',
      cell: (o) => containers(o).map((c) => c?.name ?? '').join(',') },
    { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.',
      cell: (o) => containers(o).map((c) => c?.image ?? '').join(',') },
  ];
}

export const int = (v: unknown): number => (typeof v === 'number' ? v : 0);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** printBoolPtr: True / False / <unset>. */
export function boolPtr(v: unknown): string {
  if (typeof v !== 'boolean') return '<unset>';
  return v ? 'True' : 'False';
}

/** intstr.String(): the integer or the string as given. */
export function intOrStringText(v: unknown): string {
  return typeof v === 'number' ? String(v) : str(v);
}

/** listWithMoreString of printers.go: at most `max` items, then `+ N more...`; `<unset>` when empty. */
export function listWithMore(items: string[], max = 3): string {
  if (items.length > max) return `${items.slice(0, max).join(',')} + ${items.length - max} more...`;
  return items.join(',') || '<unset>';
}
