// Where a strategic merge patch learns how to merge each field: the OpenAPI v2 definitions'
// `x-kubernetes-patch-strategy` and `x-kubernetes-patch-merge-key`, which kube-apiserver's
// generator copies from the Go struct tags strategicpatch reads (PatchMetaFromStruct). The walk
// follows the data: a struct's `properties`, a map's `additionalProperties`, a list's `items`,
// resolving `$ref`s. A field the schema does not know has no patch metadata: its maps merge and
// its lists are replaced, and the decoder later drops or rejects it by fieldValidation.
import { loadDefinitions } from '../validation/schema.ts';
import type { OpenAPIV2Schema } from '../validation/validation-schema.ts';
import { unhandledError } from './strategic-errors.ts';

const refPrefix = '#/definitions/';

export interface PatchMeta {
  /** The field's patch strategy without `retainKeys` (which only tells clients to send `$retainKeys`). */
  strategy: string;
  mergeKey: string;
}

const noMeta: PatchMeta = { strategy: '', mergeKey: '' };

function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function resolve(schema: OpenAPIV2Schema | undefined): OpenAPIV2Schema | undefined {
  let s = schema;
  for (let hops = 0; s?.$ref && hops < 64; hops++) {
    s = s.$ref.startsWith(refPrefix) ? own(loadDefinitions(), s.$ref.slice(refPrefix.length)) : undefined;
  }
  return s;
}

/** extractRetainKeysPatchStrategy: at most two strategies, one of them `retainKeys`. */
function strategyOf(field: OpenAPIV2Schema): string {
  const tag = field['x-kubernetes-patch-strategy'];
  if (typeof tag !== 'string') return '';
  const strategies = tag.split(',');
  if (strategies.length === 1) return strategies[0] === 'retainKeys' ? '' : strategies[0];
  if (strategies.length === 2 && strategies.includes('retainKeys')) return strategies[0] === 'retainKeys' ? strategies[1] : strategies[0];
  throw unhandledError(`unexpected patch strategy: [${strategies.join(' ')}]`);
}

function metaOf(field: OpenAPIV2Schema): PatchMeta {
  const mergeKey = field['x-kubernetes-patch-merge-key'];
  return { strategy: strategyOf(field), mergeKey: typeof mergeKey === 'string' ? mergeKey : '' };
}

/** The schema of one value in the document (LookupPatchMeta); `schema` undefined = unknown. */
export class PatchSchema {
  private constructor(private readonly schema: OpenAPIV2Schema | undefined) {}

  static forDefinition(definition: string): PatchSchema {
    return new PatchSchema(resolve({ $ref: refPrefix + definition }));
  }

  /** The field `key` of this struct (or a value of this map) and its patch metadata. */
  lookupStruct(key: string): { schema: PatchSchema; meta: PatchMeta } {
    const s = this.schema;
    const field = own(s?.properties, key);
    if (field) return { schema: new PatchSchema(resolve(field)), meta: metaOf(field) };
    if (!s?.properties && typeof s?.additionalProperties === 'object') {
      return { schema: new PatchSchema(resolve(s.additionalProperties)), meta: noMeta };
    }
    return { schema: new PatchSchema(undefined), meta: noMeta };
  }

  /** The list field `key` of this struct: the schema of its elements and its patch metadata. */
  lookupSlice(key: string): { schema: PatchSchema; meta: PatchMeta } {
    const { schema, meta } = this.lookupStruct(key);
    return { schema: new PatchSchema(resolve(schema.schema?.items)), meta };
  }

  /** The Go kind strategicpatch names this schema by in "cannot merge lists without merge key for %s". */
  name(): string {
    const s = this.schema;
    if (s?.properties) return 'struct';
    if (s?.type === 'object' || typeof s?.additionalProperties === 'object') return 'map';
    if (s?.type === 'array') return 'slice';
    if (typeof s?.type === 'string') return s.type === 'integer' ? 'int64' : s.type === 'number' ? 'float64' : s.type === 'boolean' ? 'bool' : s.type;
    return 'interface';
  }
}
