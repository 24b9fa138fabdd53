// x-kubernetes-validations: CEL rules on schema nodes, as apiextensions-apiserver's
// pkg/apiserver/schema/cel evaluates them. Each rule is compiled once (with
// @marcbachmann/cel-js); it runs with `self` bound to the value at its node, once per value
// (per list item, per map entry). Rules naming `oldSelf` are transition rules: they run on
// updates only, where the old value at the same place exists (fields by name, map entries by
// key, list-type=map items by their keys). A failing rule is a field error with the rule's
// reason, fieldPath and message (or messageExpression), e.g.
//   spec: Invalid value: "object": replicas must be no more than maxReplicas
import { Environment } from '@marcbachmann/cel-js';
import { field, type FieldError } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import type { JSONSchemaProps, ValidationRule } from './types.ts';

type Program = ReturnType<Environment['parse']>;

interface CompiledRule {
  rule: ValidationRule;
  program: Program;
  message?: Program;
  transition: boolean;
}

export interface CompiledRules {
  /** Every rule that does not name oldSelf (and, on update, transition rules too when `old` is given). */
  validate(obj: KubeObject, old?: KubeObject): FieldError[];
  /** Transition rules only: what an update adds to the create-time checks. */
  validateTransitions(obj: KubeObject, old: KubeObject): FieldError[];
}

let env: Environment | undefined;

function environment(): Environment {
  return (env ??= new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false }));
}

/** Compiles one rule or message expression; throws the CEL compilation error. */
export function compileExpression(expression: string): Program {
  return environment().parse(expression);
}

function isTransition(rule: ValidationRule): boolean {
  return /\boldSelf\b/.test(rule.rule);
}

const compiledBySchema = new WeakMap<JSONSchemaProps, CompiledRule[]>();

function rulesOf(schema: JSONSchemaProps): CompiledRule[] {
  let compiled = compiledBySchema.get(schema);
  if (!compiled) {
    compiled = (schema['x-kubernetes-validations'] ?? []).map((rule) => ({
      rule,
      program: compileExpression(rule.rule),
      message: rule.messageExpression ? compileExpression(rule.messageExpression) : undefined,
      transition: isTransition(rule),
    }));
    compiledBySchema.set(schema, compiled);
  }
  return compiled;
}

function hasRules(schema: JSONSchemaProps | undefined): boolean {
  if (!schema) return false;
  if (schema['x-kubernetes-validations']?.length) return true;
  if (Object.values(schema.properties ?? {}).some(hasRules)) return true;
  if (typeof schema.additionalProperties === 'object' && hasRules(schema.additionalProperties)) return true;
  return hasRules(schema.items);
}

export function compileRules(schema: JSONSchemaProps): CompiledRules {
  if (!hasRules(schema)) return { validate: () => [], validateTransitions: () => [] };
  // Compile everything now: a rule that does not compile fails the CRD, not a request.
  const visit = (s: JSONSchemaProps | undefined): void => {
    if (!s) return;
    rulesOf(s);
    Object.values(s.properties ?? {}).forEach(visit);
    if (typeof s.additionalProperties === 'object') visit(s.additionalProperties);
    visit(s.items);
  };
  visit(schema);
  return {
    validate: (obj, old) => {
      const out: FieldError[] = [];
      walk(obj, old, schema, '', out, old ? 'all' : 'plain');
      return out;
    },
    validateTransitions: (obj, old) => {
      const out: FieldError[] = [];
      walk(obj, old, schema, '', out, 'transitions');
      return out;
    },
  };
}

type Which = 'plain' | 'transitions' | 'all';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function at(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function walk(value: unknown, old: unknown, schema: JSONSchemaProps, path: string, out: FieldError[], which: Which): void {
  if (value === undefined) return;
  for (const r of rulesOf(schema)) {
    if (r.transition ? which === 'plain' || old === undefined : which === 'transitions') continue;
    const err = evaluate(r, value, old, schema, path);
    if (err) out.push(err);
  }
  if (Array.isArray(value)) {
    const items = schema.items;
    if (!items) return;
    const oldItems = Array.isArray(old) ? old : [];
    const keys = schema['x-kubernetes-list-type'] === 'map' ? schema['x-kubernetes-list-map-keys'] ?? [] : undefined;
    value.forEach((item, i) => {
      const oldItem = keys ? oldItems.find((o) => keys.every((k) => isObject(o) && isObject(item) && o[k] === item[k])) : undefined;
      walk(item, oldItem, items, `${path}[${i}]`, out, which);
    });
    return;
  }
  if (!isObject(value)) return;
  const oldObj = isObject(old) ? old : {};
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const [k, v] of Object.entries(value)) {
    if (!path && k === 'metadata') continue;
    const prop = schema.properties?.[k] ?? additional;
    if (prop) walk(v, oldObj[k], prop, at(path, k), out, which);
  }
}

/** JSON as CEL values: integers are CEL ints (BigInt) unless the schema says number. */
export function toCEL(value: unknown, schema: JSONSchemaProps | undefined, isRoot = false): unknown {
  if (typeof value === 'number') return Number.isInteger(value) && schema?.type !== 'number' ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map((v) => toCEL(v, schema?.items));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  const additional = typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const [k, v] of Object.entries(value)) {
    if (isRoot && k === 'metadata' && isObject(v)) {
      // Rules see only the name and generateName of the object's metadata.
      const meta: Record<string, unknown> = {};
      if (v.name !== undefined) meta.name = v.name;
      if (v.generateName !== undefined) meta.generateName = v.generateName;
      out.metadata = meta;
      continue;
    }
    out[k] = toCEL(v, schema?.properties?.[k] ?? additional);
  }
  return out;
}

function typeName(schema: JSONSchemaProps): string {
  if (schema['x-kubernetes-int-or-string']) return 'integer';
  return schema.type ?? 'object';
}

function evaluate(r: CompiledRule, value: unknown, old: unknown, schema: JSONSchemaProps, path: string): FieldError | undefined {
  const root = path === '';
  const ctx: Record<string, unknown> = { self: toCEL(value, schema, root) };
  if (r.transition) ctx.oldSelf = toCEL(old, schema, root);
  // The root's path is nil: kube prints it as <nil>.
  const errPath = (r.rule.fieldPath ? at(path, r.rule.fieldPath.replace(/^\./, '')) : path) || '<nil>';
  let result: unknown;
  try {
    result = r.program(ctx);
  } catch (err) {
    return field.invalid(errPath, typeName(schema), `${(err as Error).message.split('\n')[0]} evaluating rule: ${r.rule.rule}`);
  }
  if (result === true) return undefined;
  let message = r.rule.message || `failed rule: ${r.rule.rule}`;
  if (r.message) {
    try {
      const m = r.message(ctx);
      if (typeof m === 'string' && m.trim() !== '') message = m;
    } catch {
      // kube falls back to the static message (or the rule) when messageExpression fails.
    }
  }
  switch (r.rule.reason) {
    case 'FieldValueForbidden':
      return field.forbidden(errPath, message);
    case 'FieldValueRequired':
      return field.required(errPath, message);
    case 'FieldValueDuplicate':
      return { type: 'FieldValueDuplicate', field: errPath, badValue: typeName(schema), detail: message };
    default:
      return field.invalid(errPath, typeName(schema), message);
  }
}
