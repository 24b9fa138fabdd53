// The OpenAPI of served custom resources, as apiextensions' openapi builder publishes it:
// each version's schema as a definition named `<reversed group>.<version>.<Kind>` (metadata
// is ObjectMeta, x-kubernetes-group-version-kind set) plus its List, in /openapi/v2 and in
// the group-version document /openapi/v3/apis/<group>/<version>, whose paths are those of
// a built-in kind with a status subresource (batch/v1 Job, apps/v1 Deployment for scale)
// renamed. kubectl explain reads the v3 document; server-side apply the definitions.
import { readSchemaFile, registerDefinitions, unregisterDefinitions } from '../registry/validation/schema-files.ts';
import type { OpenAPIV2Schema } from '../registry/validation/validation-schema.ts';
import { registerOpenAPIV2, registerOpenAPIV3Lazy, unregisterOpenAPIV2, unregisterOpenAPIV3 } from '../server/openapi.ts';
import { definitionName } from './custom-resource.ts';
import { publishedBare, toOpenAPIV2 } from './openapi-v2.ts';
import type { CRDVersion, CustomResourceDefinition, JSONSchemaProps } from './types.ts';

type Json = Record<string, unknown>;

const objectMeta = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const listMeta = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';
const apiVersionDescription = 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const kindDescription = 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const metadataDescription = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

interface ServedKind {
  crd: CustomResourceDefinition;
  version: CRDVersion;
}

/** What is published per group-version, so that several CRDs can share one document. */
export class OpenAPIPublisher {
  private readonly byCRD = new Map<string, ServedKind[]>();

  publish(crd: CustomResourceDefinition): void {
    const previous = this.byCRD.get(crd.metadata.name!) ?? [];
    const served = crd.spec.versions.filter((v) => v.served).map((version) => ({ crd, version }));
    this.byCRD.set(crd.metadata.name!, served);
    this.refresh(crd, previous, served);
  }

  withdraw(crd: CustomResourceDefinition): void {
    const previous = this.byCRD.get(crd.metadata.name!) ?? [];
    this.byCRD.delete(crd.metadata.name!);
    this.refresh(crd, previous, []);
  }

  private refresh(crd: CustomResourceDefinition, previous: ServedKind[], served: ServedKind[]): void {
    const names = (list: ServedKind[]) => list.flatMap(({ crd: c, version }) => {
      const name = definitionName(c.spec.group, version.name, kindOf(c));
      return [name, `${name}List`];
    });
    unregisterDefinitions(names(previous));
    unregisterOpenAPIV2(crd.metadata.name!);
    const v2: Record<string, OpenAPIV2Schema> = {};
    for (const s of served) Object.assign(v2, kindDefinitions(s, '#/definitions/'));
    registerDefinitions(v2);
    if (served.length > 0) registerOpenAPIV2(crd.metadata.name!, { definitions: publishedV2(served, v2) });
    // The group's kinds by version in one pass: a CRD may serve thousands of versions.
    const group = crd.spec.group;
    const byVersion = new Map<string, ServedKind[]>();
    for (const s of [...previous, ...served]) byVersion.set(s.version.name, []);
    for (const list of this.byCRD.values()) {
      for (const s of list) {
        if (s.crd.spec.group === group) byVersion.get(s.version.name)?.push(s);
      }
    }
    for (const [version, kinds] of byVersion) this.publishGroupVersion(group, version, kinds);
  }

  private publishGroupVersion(group: string, version: string, kinds: ServedKind[]): void {
    const path = `apis/${group}/${version}`;
    if (kinds.length === 0) {
      unregisterOpenAPIV3(path);
      return;
    }
    // Identified by what it is built from: the CRDs (uid, generation, accepted kind) serving this version.
    const identity = JSON.stringify(kinds.map((k) => [k.crd.metadata.uid, k.crd.metadata.generation, kindOf(k.crd), k.version.name]));
    registerOpenAPIV3Lazy(path, identity, () => groupVersionDocument(kinds));
  }
}

function kindOf(crd: CustomResourceDefinition): string {
  return crd.status?.acceptedNames?.kind || crd.spec.names.kind;
}

/** The kind's and its list's definitions, refs under `refPrefix` (v2 `#/definitions/`, v3 `#/components/schemas/`). */
function kindDefinitions({ crd, version }: ServedKind, refPrefix: string): Record<string, Json> {
  const kind = kindOf(crd);
  const group = crd.spec.group;
  const name = definitionName(group, version.name, kind);
  const schema = structuredClone(version.schema?.openAPIV3Schema ?? { type: 'object' }) as JSONSchemaProps;
  const metaRef = { $ref: `${refPrefix}${objectMeta}` };
  schema.properties = {
    ...schema.properties,
    apiVersion: { description: apiVersionDescription, type: 'string' },
    kind: { description: kindDescription, type: 'string' },
    metadata: refPrefix.startsWith('#/definitions') ? metaRef : { allOf: [metaRef], description: metadataDescription },
  };
  (schema as Json)['x-kubernetes-group-version-kind'] = [{ group, kind, version: version.name }];
  const list: Json = {
    description: `${kind}List is a list of ${kind}`,
    required: ['items'],
    type: 'object',
    properties: {
      apiVersion: { description: apiVersionDescription, type: 'string' },
      items: { description: `List of ${crd.spec.names.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`, type: 'array', items: { $ref: `${refPrefix}${name}` } },
      kind: { description: kindDescription, type: 'string' },
      metadata: { $ref: `${refPrefix}${listMeta}` },
    },
    'x-kubernetes-group-version-kind': [{ group, kind: `${kind}List`, version: version.name }],
  };
  return { [name]: schema as Json, [`${name}List`]: list };
}

/** The definitions as /openapi/v2 shows them (see openapi-v2.ts); `full` stays kubelite's own. */
function publishedV2(served: ServedKind[], full: Record<string, OpenAPIV2Schema>): Record<string, OpenAPIV2Schema> {
  const out: Record<string, OpenAPIV2Schema> = { ...full };
  for (const { crd, version } of served) {
    const kind = kindOf(crd);
    const name = definitionName(crd.spec.group, version.name, kind);
    const gvk = full[name]['x-kubernetes-group-version-kind'];
    out[name] = publishedBare(version.schema?.openAPIV3Schema)
      ? { type: 'object', 'x-kubernetes-group-version-kind': gvk }
      : toOpenAPIV2(structuredClone(full[name]) as Json) as OpenAPIV2Schema;
  }
  return out;
}

// ---- v3 group-version documents, from built-in templates ----

let templates: { job: Json; deployment: Json } | undefined;

function template() {
  return (templates ??= {
    job: JSON.parse(readSchemaFile('openapi-v3/apis__batch__v1.json').toString('utf8')) as Json,
    deployment: JSON.parse(readSchemaFile('openapi-v3/apis__apps__v1.json').toString('utf8')) as Json,
  });
}

interface Renaming {
  from: { prefix: string; plural: string; kind: string; group: string; gvPascal: string; definition: string };
  to: { prefix: string; plural: string; kind: string; group: string; version: string; gvPascal: string; definition: string };
}

function pascal(s: string): string {
  return s.split(/[^a-zA-Z0-9]/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

/** Renames every string of a template path item to the custom resource's names. */
function rename(value: unknown, r: Renaming): unknown {
  if (Array.isArray(value)) return value.map((v) => rename(v, r));
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'x-kubernetes-group-version-kind') {
        const gvk = v as { kind: string };
        out[k] = { group: r.to.group, version: r.to.version, kind: gvk.kind === r.from.kind ? r.to.kind : gvk.kind };
        continue;
      }
      if (k === 'application/strategic-merge-patch+json' || k === 'application/vnd.kubernetes.protobuf' || k === 'application/vnd.kubernetes.protobuf;stream=watch') continue;
      out[k] = rename(v, r);
    }
    return out;
  }
  if (typeof value !== 'string') return value;
  return value
    .replaceAll(r.from.definition, r.to.definition)
    .replaceAll(r.from.prefix, r.to.prefix)
    .replaceAll(`/${r.from.plural}`, `/${r.to.plural}`)
    .replaceAll(r.from.gvPascal, r.to.gvPascal)
    .replace(new RegExp(`\\b${r.from.kind}`, 'g'), r.to.kind);
}

function groupVersionDocument(kinds: ServedKind[]): Json {
  const { job, deployment } = template();
  const paths: Json = {};
  const schemas: Json = {};
  for (const served of kinds) {
    const { crd, version } = served;
    const kind = kindOf(crd);
    const plural = crd.status?.acceptedNames?.plural || crd.spec.names.plural;
    const to = {
      prefix: `/apis/${crd.spec.group}/${version.name}/`, plural, kind, group: crd.spec.group, version: version.name,
      gvPascal: pascal(crd.spec.group) + pascal(version.name), definition: definitionName(crd.spec.group, version.name, kind),
    };
    const fromJob = { prefix: '/apis/batch/v1/', plural: 'jobs', kind: 'Job', group: 'batch', gvPascal: 'BatchV1', definition: 'io.k8s.api.batch.v1.Job' };
    const fromDeploy = { prefix: '/apis/apps/v1/', plural: 'deployments', kind: 'Deployment', group: 'apps', gvPascal: 'AppsV1', definition: 'io.k8s.api.apps.v1.Deployment' };
    const wanted: Array<[Json, string, Renaming['from']]> = [
      [job, '/apis/batch/v1/namespaces/{namespace}/jobs', fromJob],
      [job, '/apis/batch/v1/namespaces/{namespace}/jobs/{name}', fromJob],
      [job, '/apis/batch/v1/watch/namespaces/{namespace}/jobs', fromJob],
      [job, '/apis/batch/v1/watch/namespaces/{namespace}/jobs/{name}', fromJob],
    ];
    if (crd.spec.scope === 'Namespaced') {
      wanted.push([job, '/apis/batch/v1/jobs', fromJob], [job, '/apis/batch/v1/watch/jobs', fromJob]);
    }
    if (version.subresources?.status) wanted.push([job, '/apis/batch/v1/namespaces/{namespace}/jobs/{name}/status', fromJob]);
    if (version.subresources?.scale) wanted.push([deployment, '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale', fromDeploy]);
    for (const [doc, path, from] of wanted) {
      const item = (doc.paths as Json)[path];
      if (!item) continue;
      let renamed = rename(item, { from, to }) as Json;
      let target = rename(path, { from, to }) as string;
      if (crd.spec.scope === 'Cluster') {
        target = target.replace('/namespaces/{namespace}', '');
        renamed = withoutNamespace(renamed);
      }
      paths[target] = renamed;
    }
    Object.assign(schemas, kindDefinitions(served, '#/components/schemas/'));
  }
  // Every shared definition the paths and kinds refer to (ObjectMeta, Status, Scale, ...).
  const library = { ...((job.components as Json).schemas as Json), ...((deployment.components as Json).schemas as Json) };
  const queue = [JSON.stringify(paths), JSON.stringify(schemas)];
  while (queue.length > 0) {
    for (const m of queue.pop()!.matchAll(/#\/components\/schemas\/([^"]+)"/g)) {
      if (schemas[m[1]] || !library[m[1]]) continue;
      schemas[m[1]] = library[m[1]];
      queue.push(JSON.stringify(library[m[1]]));
    }
  }
  const sorted = Object.fromEntries(Object.keys(schemas).sort().map((k) => [k, schemas[k]]));
  return { openapi: '3.0.0', info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' }, paths, components: { schemas: sorted } };
}

function withoutNamespace(item: Json): Json {
  const strip = (params: unknown) => (Array.isArray(params) ? params.filter((p) => (p as Json).name !== 'namespace') : params);
  const out: Json = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === 'parameters') out[k] = strip(v);
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = { ...(v as Json), parameters: strip((v as Json).parameters) };
    else out[k] = v;
  }
  return out;
}
