// Column building blocks for the Tables that kube-apiserver's printers
// (pkg/printers/internalversion/printers.go) produce for the core kinds.
import type { KubeObject } from '../../api/types.ts';
import { ageOf } from '../../api/duration.ts';
import type { TableColumn } from '../types.ts';

type Cell = (obj: KubeObject, now: number) => unknown;

/** A column shown by plain `kubectl get`. */
export function column(name: string, type: TableColumn['type'], description: string, cell: Cell): TableColumn {
  return { name, type, description, priority: 0, cell };
}

/** A column shown only with `-o wide`. */
export function wideColumn(name: string, type: TableColumn['type'], description: string, cell: Cell): TableColumn {
  return { name, type, description, priority: 1, cell };
}

export const creationTimestampDoc =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in ' +
  'happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\n' +
  'Populated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

/** The AGE column every printer ends (or nearly ends) with. */
export const ageColumn: TableColumn = column('Age', 'string', creationTimestampDoc, (obj, now) => ageOf(obj.metadata.creationTimestamp, now));

/**
 * The columns of kube's default table convertor (rest.NewDefaultTableConvertor), used for kinds
 * without a printer: NAME and CREATED AT (an RFC 3339 date).
 */
export const createdAtColumn: TableColumn = {
  name: 'Created At', type: 'date', description: creationTimestampDoc, priority: 0,
  cell: (obj) => obj.metadata.creationTimestamp ?? null,
};

/** labels.FormatLabels / a selector map: k=v,k2=v2 sorted by key, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** helper.GetAccessModesAsString: RWO,ROX,RWX,RWOP in that fixed order. */
export function accessModesString(modes: unknown): string {
  const list = Array.isArray(modes) ? modes : [];
  const short: Array<[string, string]> = [
    ['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP'],
  ];
  return short.filter(([mode]) => list.includes(mode)).map(([, s]) => s).join(',');
}

/** `<none>` for an empty string, as several printers do. */
export function orNone(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : '<none>';
}
