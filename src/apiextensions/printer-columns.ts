// additionalPrinterColumns as Table columns, as apiextensions' tableconvertor fills them:
// each cell is the first value its JSONPath finds, typed by the column (integer, number,
// boolean, string as jsonpath prints it, date as an age); a missing value is a null cell
// (kubectl prints <none>). Without columns a CRD prints Name and Age.
import { humanDuration } from '../api/duration.ts';
import type { TableColumn } from '../registry/types.ts';
import { loadDefinitions } from '../registry/validation/schema-files.ts';
import { findResults, parseJSONPath, printValue } from './jsonpath.ts';
import type { PrinterColumn } from './types.ts';

function creationTimestampDescription(): string {
  const meta = loadDefinitions()['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'];
  return String(meta?.properties?.creationTimestamp?.description ?? '');
}

/** kube's serveDefaultColumnsIfEmpty: an Age column from metadata.creationTimestamp. */
function defaultColumns(): PrinterColumn[] {
  return [{ name: 'Age', type: 'date', description: creationTimestampDescription(), jsonPath: '.metadata.creationTimestamp' }];
}

export function printerColumns(columns: PrinterColumn[] | undefined): TableColumn[] {
  const list = columns && columns.length > 0 ? columns : defaultColumns();
  return list.map((col) => {
    const path = parseJSONPath(col.jsonPath);
    return {
      name: col.name,
      type: col.type,
      format: col.format ?? '',
      description: col.description || `Custom resource definition column (in JSONPath format): ${col.jsonPath}`,
      priority: col.priority ?? 0,
      cell: (obj, now) => {
        const found = findResults(path, obj);
        return found.length === 0 ? null : cellFor(col.type, found[0], now);
      },
    };
  });
}

/** tableconvertor's cellForJSONValue. */
function cellFor(type: PrinterColumn['type'], value: unknown, now: number): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'string':
      return printValue(value);
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const t = Date.parse(value);
      return Number.isNaN(t) ? '<invalid>' : humanDuration(now - t);
    }
    default:
      return null;
  }
}
