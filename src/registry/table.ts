// Server-side printing: objects as a meta.k8s.io Table with the columns kubectl shows,
// and the PartialObjectMetadata views (kube's TableConvertor and metadata-only responses).
import type { KubeObject, TableColumnDefinition } from '../api/types.ts';
import type { ResourceDef } from './types.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

const nameColumn: TableColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};

/** Kinds print their name first, unless their columns place it themselves (events: NAME last, wide). */
function namesItself(def: ResourceDef): boolean {
  return def.columns.some((c) => c.format === 'name');
}

export function columnDefinitions(def: ResourceDef): TableColumnDefinition[] {
  const own = def.columns.map(({ name, type, format, description, priority }) => ({
    name, type, format: format ?? '', description, priority,
  }));
  return namesItself(def) ? own : [nameColumn, ...own];
}

export function partialObjectMetadata(obj: KubeObject, version = 'v1'): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export interface TableOptions {
  includeObject: IncludeObject;
  version: string;
  /** Omit columnDefinitions (watch events after the first). */
  noHeaders?: boolean;
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export function toTable(def: ResourceDef, objects: KubeObject[], opts: TableOptions): Record<string, unknown> {
  const now = Date.now();
  const rows = objects.map((obj) => {
    const cells = def.columns.map((c) => cellValue(c.cell(obj, now)));
    const row: Record<string, unknown> = { cells: namesItself(def) ? cells : [obj.metadata.name ?? '', ...cells] };
    if (opts.includeObject === 'Metadata') row.object = partialObjectMetadata(obj, opts.version);
    else if (opts.includeObject === 'Object') row.object = obj;
    return row;
  });
  const metadata: Record<string, unknown> = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;
  const table: Record<string, unknown> = { kind: 'Table', apiVersion: `meta.k8s.io/${opts.version}`, metadata };
  table.columnDefinitions = opts.noHeaders ? null : columnDefinitions(def);
  table.rows = rows;
  return table;
}

function cellValue(v: unknown): unknown {
  return v === undefined ? '' : v;
}

export function parseIncludeObject(v: string | undefined): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}
