// One ResourceDef per served version of a CRD: the generic store serves custom resources
// with a strategy built from the version's schema, as apiextensions-apiserver's
// customresource.NewStrategy does (status and scale subresources, generation, validation).
import { errors, field, type FieldError } from '../api/errors.ts';
import type { KubeObject } from '../api/types.ts';
import { compareKubeAwareVersions } from '../registry/catalog.ts';
import { jsonEqual } from '../registry/object-meta.ts';
import { allVerbs, type ResourceDef, type ResourceStrategy, type SubresourceName } from '../registry/types.ts';
import { checkAgainstSchema, strictDecodingError, type CheckOptions, type SchemaCheck } from '../registry/validation/schema.ts';
import { validateLabels, validateAnnotations, validateName } from '../registry/validation/metadata.ts';
import { compileRules, type CompiledRules } from './cel.ts';
import { floatIntegerErrors, unparsableNumber } from './number-literals.ts';
import { parseJSONPath, findResults, printValue } from './jsonpath.ts';
import { printerColumns } from './printer-columns.ts';
import { applyDefaults, dropNonNullableNulls, prune } from './prune.ts';
import { compileValidator, schemaErrors } from './schema-validator.ts';
import { storageVersionOf, type CRDVersion, type CustomResourceDefinition, type JSONSchemaProps } from './types.ts';
import { versionedStorage } from './versioned-storage.ts';

/** The patch types kube's crdHandler accepts: no strategic merge patch for custom resources. */
export const customResourcePatchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

/** The OpenAPI definition name kube publishes a custom resource under: reversed group, version, kind. */
export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

export interface CustomResourceOptions {
  /** Whether the CRD is being deleted (creates are refused then). */
  terminating: () => boolean;
}

/** The ResourceDefs of every served version, highest version priority first. */
export function customResourceDefs(crd: CustomResourceDefinition, opts: CustomResourceOptions): ResourceDef[] {
  return crd.spec.versions.filter((v) => v.served).map((v) => versionDef(crd, v, opts));
}

function versionDef(crd: CustomResourceDefinition, version: CRDVersion, opts: CustomResourceOptions): ResourceDef {
  const names = crd.status?.acceptedNames?.plural ? crd.status.acceptedNames : crd.spec.names;
  const group = crd.spec.group;
  const schema = version.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const storage = storageVersionOf(crd) ?? version.name;
  const subresources: SubresourceName[] = [];
  if (version.subresources?.status) subresources.push('status');
  if (version.subresources?.scale) subresources.push('scale');
  const kind = names.kind;
  const def: ResourceDef = {
    group, version: version.name, kind,
    plural: names.plural, singular: names.singular || kind.toLowerCase(),
    shortNames: names.shortNames ?? [], categories: names.categories ?? [],
    namespaced: crd.spec.scope === 'Namespaced',
    verbs: allVerbs,
    subresources,
    schema: definitionName(group, version.name, kind),
    columns: printerColumns(version.additionalPrinterColumns),
    selectableFields: selectableFields(version),
    scale: version.subresources?.scale,
    deprecationWarning: deprecationWarningOf(crd, version),
    strategy: strategyFor(schema, subresources.includes('status')),
    storageView: (inner) => versionedStorage(inner, {
      apiVersion: `${group}/${version.name}`, storageApiVersion: `${group}/${storage}`, schema,
    }),
    custom: {
      decode: (obj, o) => decodeCustomResource(obj, schema, o),
      patchTypes: customResourcePatchTypes,
      admitCreate() {
        if (opts.terminating()) {
          const err = errors.methodNotAllowed();
          err.status.message = 'create not allowed while custom resource definition is terminating';
          throw err;
        }
      },
    },
  };
  return def;
}

/**
 * The Warning every request to a deprecated version gets, as kube's crdHandler sends it: the
 * CRD's own deprecationWarning, or "<group>/<version> <Kind> is deprecated; use <group>/<newest
 * served, non-deprecated, newer version> <Kind>" (defaultDeprecationWarning).
 */
function deprecationWarningOf(crd: CustomResourceDefinition, version: CRDVersion): string | undefined {
  if (!version.deprecated) return undefined;
  if (typeof version.deprecationWarning === 'string') return version.deprecationWarning;
  const { group, names: { kind } } = crd.spec;
  const message = `${group}/${version.name} ${kind} is deprecated`;
  const newer = crd.spec.versions
    .filter((v) => v.served && !v.deprecated && compareKubeAwareVersions(v.name, version.name) < 0)
    .map((v) => v.name)
    .sort(compareKubeAwareVersions);
  return newer.length ? `${message}; use ${group}/${newer[0]} ${kind}` : message;
}

function selectableFields(version: CRDVersion): ResourceDef['selectableFields'] {
  const out: NonNullable<ResourceDef['selectableFields']> = {};
  for (const { jsonPath } of version.selectableFields ?? []) {
    const path = parseJSONPath(jsonPath);
    out[jsonPath.replace(/^\./, '')] = (obj) => {
      const found = findResults(path, obj)[0];
      return found === undefined || found === null ? '' : printValue(found);
    };
  }
  return out;
}

const objectMetaDefinition = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/**
 * The unstructured decoder's schema coercion: metadata decodes as ObjectMeta, unknown fields
 * are pruned (reported for fieldValidation), defaults are filled and nulls in non-nullable
 * fields without a default dropped.
 */
export function decodeCustomResource(obj: KubeObject, schema: JSONSchemaProps, opts: CheckOptions): SchemaCheck {
  const unknownFields: string[] = [];
  const prefix = `${opts.kind} in version "${opts.apiVersion.split('/').pop()}" cannot be handled as a ${opts.kind}: `;
  const unparsable = unparsableNumber(opts.numbers);
  if (unparsable) return { badRequest: errors.badRequest(prefix + unparsable), unknownFields, typeError: unparsable };
  const floats = floatIntegerErrors(obj, schema, opts.numbers);
  if (floats.length > 0) {
    const [group] = opts.apiVersion.split('/');
    const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '';
    return { badRequest: errors.invalid(opts.kind, group, name, floats), unknownFields };
  }
  if (obj.metadata && typeof obj.metadata === 'object') {
    const meta = checkAgainstSchema(objectMetaDefinition, obj.metadata, { ...opts, mode: 'Ignore', numbers: undefined });
    if (meta.badRequest) return { badRequest: meta.badRequest, unknownFields };
    unknownFields.push(...meta.unknownFields.map((f) => `metadata.${f}`));
  }
  unknownFields.push(...prune(obj, schema, { isResourceRoot: true }));
  applyDefaults(obj, schema);
  dropNonNullableNulls(obj, schema);
  if (opts.mode === 'Strict' && unknownFields.length > 0) {
    return { badRequest: errors.badRequest(prefix + strictDecodingError(unknownFields)), unknownFields };
  }
  return { unknownFields };
}

function strategyFor(schema: JSONSchemaProps, hasStatus: boolean): ResourceStrategy {
  // Compiled on first use: a CRD with thousands of served versions installs at once, and only
  // the versions clients write to pay for a validator (kube builds them lazily too).
  let validator: ReturnType<typeof compileValidator> | undefined;
  let compiledRules: CompiledRules | undefined;
  const rules = (): CompiledRules => (compiledRules ??= compileRules(schema));
  const validate = (obj: KubeObject, old?: KubeObject): FieldError[] => [
    ...schemaErrors((validator ??= compileValidator(schema)), withoutMetadata(obj)),
    ...embeddedResourceErrors(obj, schema, ''),
    ...rules().validate(obj, old),
  ];
  /** What generation tracks: everything but metadata (and status, when it is a subresource). */
  const specOf = (obj: KubeObject) => {
    const { metadata: _m, status, ...rest } = obj;
    return hasStatus ? rest : { ...rest, status };
  };
  return {
    prepareForCreate(obj) {
      if (hasStatus) delete obj.status;
    },
    validate: (obj) => validate(obj),
    validateUpdate: (obj, old) => rules().validateTransitions(obj, old),
    bumpsGeneration: (obj, old) => !jsonEqual(specOf(obj), specOf(old)),
    status: {
      validateUpdate: (obj, old) => validate(obj, old),
    },
  };
}

/** The root's metadata is checked as ObjectMeta (by the generic store), not by the schema. */
function withoutMetadata(obj: KubeObject): Record<string, unknown> {
  const { metadata: _metadata, ...rest } = obj;
  return rest;
}

/**
 * x-kubernetes-embedded-resource: apiVersion and kind must be set and metadata must be valid
 * object metadata, as kube's objectmeta validation of embedded resources checks.
 */
function embeddedResourceErrors(value: unknown, schema: JSONSchemaProps | undefined, path: string): FieldError[] {
  if (!schema || value === null || typeof value !== 'object') return [];
  const out: FieldError[] = [];
  const at = (k: string) => (path ? `${path}.${k}` : k);
  if (Array.isArray(value)) {
    value.forEach((item, i) => out.push(...embeddedResourceErrors(item, schema.items, `${path}[${i}]`)));
    return out;
  }
  const obj = value as Record<string, unknown>;
  if (path && schema['x-kubernetes-embedded-resource']) {
    if (!obj.kind) out.push(field.required(at('kind'), 'must not be empty'));
    if (!obj.apiVersion) out.push(field.required(at('apiVersion'), 'must not be empty'));
    const meta = obj.metadata as Record<string, unknown> | undefined;
    if (meta && typeof meta === 'object') {
      if (typeof meta.name === 'string' && meta.name) {
        for (const msg of validateName('subdomain', meta.name, false)) out.push(field.invalid(at('metadata.name'), meta.name, msg));
      }
      out.push(...validateLabels(meta.labels as Record<string, string>, at('metadata.labels')));
      out.push(...validateAnnotations(meta.annotations as Record<string, string>, at('metadata.annotations')));
    }
  }
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const [k, v] of Object.entries(obj)) {
    if (!path && k === 'metadata') continue;
    const prop = schema.properties?.[k] ?? additional;
    if (prop) out.push(...embeddedResourceErrors(v, prop, at(k)));
  }
  return out;
}
