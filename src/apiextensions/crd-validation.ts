// Validation of CustomResourceDefinitions themselves, worded as kube's
// pkg/apis/apiextensions/validation: names, scope, versions (exactly one storage version),
// a structural schema for every version, printer columns, subresources and selectable fields.
import { field, type FieldError } from '../api/errors.ts';
import { isDNS1035Label, isDNS1123Subdomain } from '../registry/validation/names.ts';
import { compileExpression } from './cel.ts';
import { parseJSONPath } from './jsonpath.ts';
import { structuralErrors, typeAtPath } from './structural.ts';
import type { CRDNames, CRDVersion, CustomResourceDefinition } from './types.ts';

export function validateCRD(crd: CustomResourceDefinition): FieldError[] {
  const out: FieldError[] = [];
  const spec = crd.spec ?? ({} as CustomResourceDefinition['spec']);
  const names = spec.names ?? ({} as CRDNames);
  const expected = `${names.plural}.${spec.group}`;
  if (crd.metadata.name !== expected) {
    out.push(field.invalid('metadata.name', crd.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (!spec.group) out.push(field.required('spec.group', ''));
  else {
    for (const msg of isDNS1123Subdomain(spec.group)) out.push(field.invalid('spec.group', spec.group, msg));
    if (spec.group.split('.').length < 2) out.push(field.invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  }
  if (!spec.scope) out.push(field.required('spec.scope', ''));
  else if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') out.push(field.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  out.push(...validateNames(names, 'spec.names'));
  if (spec.preserveUnknownFields === true) {
    out.push(field.invalid('spec.preserveUnknownFields', true,
      'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  const versions = spec.versions ?? [];
  if (versions.length === 0) out.push(field.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v.storage).length !== 1) {
    out.push(field.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  }
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const path = `spec.versions[${i}]`;
    if (seen.has(v.name)) out.push(field.duplicate(`${path}.name`, v.name));
    seen.add(v.name);
    out.push(...validateVersion(v, path));
  });
  if (versions.length > 0 && !versions.some((v) => v.served)) {
    out.push(field.invalid('spec.versions', versions, 'must have at least one version marked as served'));
  }
  const conversion = spec.conversion?.strategy;
  if (conversion !== undefined && conversion !== 'None' && conversion !== 'Webhook') {
    out.push(field.notSupported('spec.conversion.strategy', conversion, ['None', 'Webhook']));
  }
  return out;
}

export function validateCRDUpdate(crd: CustomResourceDefinition, old: CustomResourceDefinition): FieldError[] {
  const out: FieldError[] = [];
  if (crd.spec?.scope !== old.spec?.scope && old.spec?.scope) out.push(field.invalid('spec.scope', crd.spec?.scope, 'field is immutable'));
  // Every version objects may be stored in must stay listed (status.storedVersions).
  const versions = Array.isArray(crd.spec?.versions) ? crd.spec.versions : [];
  for (const stored of crd.status?.storedVersions ?? []) {
    if (!versions.some((v) => v?.name === stored)) {
      out.push(field.invalid('status.storedVersions[' + (crd.status!.storedVersions!.indexOf(stored)) + ']', stored,
        'must appear in spec.versions'));
    }
  }
  return out;
}

function validateNames(names: CRDNames, path: string): FieldError[] {
  const out: FieldError[] = [];
  const label = (value: string | undefined, p: string) => {
    if (!value) return;
    const errs = isDNS1035Label(value);
    if (errs.length) out.push(field.invalid(p, value, errs.join(',')));
  };
  if (!names.plural) out.push(field.required(`${path}.plural`, ''));
  label(names.plural, `${path}.plural`);
  if (!names.singular) out.push(field.required(`${path}.singular`, ''));
  label(names.singular, `${path}.singular`);
  if (!names.kind) out.push(field.required(`${path}.kind`, ''));
  if (!names.listKind) out.push(field.required(`${path}.listKind`, ''));
  if (names.kind && names.listKind && names.kind === names.listKind) {
    out.push(field.invalid(`${path}.listKind`, names.listKind, 'kind and listKind may not be the same'));
  }
  for (const kindField of ['kind', 'listKind'] as const) {
    const v = names[kindField];
    if (v && !/^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/.test(v)) {
      out.push(field.invalid(`${path}.${kindField}`, v, 'may have mixed case, but should otherwise match: ' +
        'a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character'));
    }
  }
  (names.shortNames ?? []).forEach((s, i) => label(s, `${path}.shortNames[${i}]`));
  (names.categories ?? []).forEach((s, i) => label(s, `${path}.categories[${i}]`));
  return out;
}

function validateVersion(v: CRDVersion, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (!v.name) out.push(field.required(`${path}.name`, ''));
  else for (const msg of isDNS1035Label(v.name)) out.push(field.invalid(`${path}.name`, v.name, msg));
  const schema = v.schema?.openAPIV3Schema;
  const schemaPath = `${path}.schema.openAPIV3Schema`;
  if (!schema) {
    out.push(field.required(schemaPath, 'schemas are required'));
    return out;
  }
  out.push(...structuralErrors(schema, schemaPath));
  out.push(...celErrors(schema, schemaPath));
  (v.additionalPrinterColumns ?? []).forEach((col, i) => {
    const p = `${path}.additionalPrinterColumns[${i}]`;
    if (!col.name) out.push(field.required(`${p}.name`, ''));
    if (!col.type) out.push(field.required(`${p}.type`, ''));
    else if (!['integer', 'number', 'string', 'boolean', 'date'].includes(col.type)) {
      out.push(field.notSupported(`${p}.type`, col.type, ['boolean', 'date', 'integer', 'number', 'string']));
    }
    if (col.format && !['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password'].includes(col.format)) {
      out.push(field.notSupported(`${p}.format`, col.format, ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password']));
    }
    if (!col.jsonPath) out.push(field.required(`${p}.jsonPath`, ''));
    else if (jsonPathError(col.jsonPath)) out.push(field.invalid(`${p}.jsonPath`, col.jsonPath, 'must be a simple json path starting with .'));
    if (col.priority !== undefined && col.priority < 0) out.push(field.invalid(`${p}.priority`, col.priority, 'must be greater than or equal to 0'));
  });
  const scale = v.subresources?.scale;
  if (scale) {
    const p = `${path}.subresources.scale`;
    if (!scale.specReplicasPath) out.push(field.required(`${p}.specReplicasPath`, ''));
    else if (!scale.specReplicasPath.startsWith('.spec.')) out.push(field.invalid(`${p}.specReplicasPath`, scale.specReplicasPath, 'should be a json path under .spec'));
    if (!scale.statusReplicasPath) out.push(field.required(`${p}.statusReplicasPath`, ''));
    else if (!scale.statusReplicasPath.startsWith('.status.')) out.push(field.invalid(`${p}.statusReplicasPath`, scale.statusReplicasPath, 'should be a json path under .status'));
    if (scale.labelSelectorPath && !/^\.(spec|status)\./.test(scale.labelSelectorPath)) {
      out.push(field.invalid(`${p}.labelSelectorPath`, scale.labelSelectorPath, 'should be a json path under either .spec or .status'));
    }
  }
  const selectable = v.selectableFields ?? [];
  if (selectable.length > 8) out.push(field.tooMany(`${path}.selectableFields`, selectable.length, 8));
  selectable.forEach((f, i) => {
    const p = `${path}.selectableFields[${i}].jsonPath`;
    if (!f.jsonPath) return out.push(field.required(p, ''));
    if (jsonPathError(f.jsonPath)) return out.push(field.invalid(p, f.jsonPath, 'must be a simple json path starting with .'));
    const t = typeAtPath(schema, f.jsonPath);
    if (t === undefined) out.push(field.invalid(p, f.jsonPath, 'is an invalid path: does not refer to a field in the schema'));
    else if (!['string', 'integer', 'boolean'].includes(t)) {
      out.push(field.invalid(p, f.jsonPath, 'selectable field type must be one of: string, integer, boolean'));
    }
  });
  return out;
}

function jsonPathError(path: string): boolean {
  if (!path.startsWith('.')) return true;
  try {
    parseJSONPath(path);
    return false;
  } catch {
    return true;
  }
}

function celErrors(schema: NonNullable<NonNullable<CRDVersion['schema']>['openAPIV3Schema']>, path: string): FieldError[] {
  const out: FieldError[] = [];
  (schema['x-kubernetes-validations'] ?? []).forEach((rule, i) => {
    const p = `${path}.x-kubernetes-validations[${i}]`;
    if (!rule.rule) return out.push(field.required(`${p}.rule`, ''));
    for (const [key, expr] of [['rule', rule.rule], ['messageExpression', rule.messageExpression]] as const) {
      if (!expr) continue;
      try {
        compileExpression(expr);
      } catch (err) {
        out.push(field.invalid(`${p}.${key}`, expr, `compilation failed: ERROR: <input>: ${(err as Error).message.split('\n')[0]}`));
      }
    }
  });
  for (const [name, prop] of Object.entries(schema.properties ?? {})) out.push(...celErrors(prop, `${path}.properties[${name}]`));
  if (typeof schema.additionalProperties === 'object') out.push(...celErrors(schema.additionalProperties, `${path}.additionalProperties`));
  if (schema.items) out.push(...celErrors(schema.items, `${path}.items`));
  return out;
}
