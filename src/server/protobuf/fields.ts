// What the protobuf decoder knows about each Kubernetes type, read once on first use:
// the field table schemas/protobuf-fields.json (field numbers → JSON names and Go encoding
// facts, generated from the Go struct tags by scripts/gen-protobuf.ts) and the OpenAPI v2
// definitions (field types), with an index from group/version/kind to definition name.
import { readSchemaFile } from '../../registry/validation/schema-files.ts';
import { loadDefinitions } from '../../registry/validation/schema.ts';
import type { OpenAPIV2Schema } from '../../registry/validation/validation-schema.ts';

/** A non-pointer `omitempty` field: Go's JSON encoder drops its zero value ("", 0, false). */
export const DROP_ZERO = 1;
/** An embedded `json:",inline"` struct: its message's fields belong to the parent object. */
export const INLINE = 2;
/** The value (or each map value) is a named slice, wrapped on the wire as a message {items = 1}. */
export const WRAPPED = 4;
/** A metav1.Duration: a message {duration = 1} of nanoseconds, a Go duration string in JSON. */
export const DURATION = 8;

/** [json name, flags, inlined type's definition name]. */
export type FieldEntry = [name: string, flags?: number, inline?: string];
export type FieldTable = Record<string, FieldEntry>;

let table: Record<string, FieldTable> | undefined;
let byKind: Map<string, string> | undefined;

export function fieldTable(definition: string): FieldTable | undefined {
  table ??= JSON.parse(readSchemaFile('protobuf-fields.json').toString('utf8')) as Record<string, FieldTable>;
  return Object.hasOwn(table, definition) ? table[definition] : undefined;
}

export function definitionSchema(definition: string): OpenAPIV2Schema | undefined {
  const definitions = loadDefinitions();
  return Object.hasOwn(definitions, definition) ? definitions[definition] : undefined;
}

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** The OpenAPI definition serving `apiVersion`/`kind` (`apps/v1`, `Deployment`), from x-kubernetes-group-version-kind. */
export function definitionForKind(apiVersion: string, kind: string): string | undefined {
  if (!byKind) {
    byKind = new Map();
    for (const [name, schema] of Object.entries(loadDefinitions())) {
      const gvks = schema['x-kubernetes-group-version-kind'] as GroupVersionKind[] | undefined;
      for (const gvk of gvks ?? []) {
        const key = `${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`;
        if (!byKind.has(key)) byKind.set(key, name);
      }
    }
  }
  return byKind.get(`${apiVersion}/${kind}`);
}

const refPrefix = '#/definitions/';

/** The definition a `$ref` names, or undefined for an inline schema. */
export function refName(schema: OpenAPIV2Schema): string | undefined {
  return schema.$ref?.startsWith(refPrefix) ? schema.$ref.slice(refPrefix.length) : undefined;
}
