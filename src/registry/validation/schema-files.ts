// Where the generated schemas live (schemas/ at the repository root, written by
// scripts/gen-schemas.ts) and lazy, read-once access to them: nothing is read at import
// time, so start-up stays fast and a process that never validates never parses them.
import { readFileSync } from 'node:fs';
import { packageRoot } from '../../package-root.ts';
import type { OpenAPIV2Schema, ValidationSchema } from './validation-schema.ts';

export const schemasDir = `${packageRoot}schemas/`;

export function schemaFilePath(relative: string): string {
  return schemasDir + relative;
}

export function readSchemaFile(relative: string): Buffer {
  return readFileSync(schemaFilePath(relative));
}

function once<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}

/** The raw OpenAPI v2 definitions kube-apiserver publishes (patch strategies, list types, GVKs, ...). */
export const loadDefinitions = once((): Record<string, OpenAPIV2Schema> => {
  const spec = JSON.parse(readSchemaFile('openapi-v2.json').toString('utf8')) as { definitions: Record<string, OpenAPIV2Schema> };
  return spec.definitions;
});

/**
 * Adds or replaces definitions at run time: the schemas of custom resources (served from CRDs),
 * so that server-side apply and managedFields find their list and map types like built-ins'.
 */
export function registerDefinitions(defs: Record<string, OpenAPIV2Schema>): void {
  Object.assign(loadDefinitions(), defs);
}

export function unregisterDefinitions(names: string[]): void {
  const defs = loadDefinitions();
  for (const name of names) delete defs[name];
}

/** The validation schema document (`{ $id: 'k8s', definitions }`) ajv compiles from. */
export const loadValidationDocument = once((): { $id: string; definitions: Record<string, ValidationSchema> } =>
  JSON.parse(readSchemaFile('definitions.json').toString('utf8')));
